import { describe, expect, it } from 'vitest';
import {
  groupFailures,
  mergedExplanation,
  namedShares,
} from '../../../src/licensing/execution/failure-groups.js';
import type { FailureExplanation, ItemResult } from '../../../src/licensing/model.js';
import { makeResult } from '../../support/licensing-factories.js';

const conflictWith = (skuId: string, name: string): FailureExplanation => ({
  kind: 'conflict',
  products: [{ skuId, name }],
  held: true,
  plans: [],
});

const failure = (userId: string, extra: Partial<ItemResult>) =>
  makeResult({
    userId,
    skuId: 'e3',
    op: 'assign',
    outcome: 'failed',
    reason: 'mutually_exclusive',
    ...extra,
  });

describe('groupFailures', () => {
  it('groups by operation, product and reason, and within a group by blocker, largest first', () => {
    const groups = groupFailures([
      failure('u1', { blockedBy: conflictWith('bb', 'Business Basic') }),
      failure('u2', { blockedBy: conflictWith('e1', 'Office 365 E1') }),
      failure('u3', { blockedBy: conflictWith('e1', 'Office 365 E1 (renamed)') }),
      failure('u4', { reason: 'usage_location_missing' }),
      failure('u5', { op: 'revoke', reason: 'inherited_from_group' }),
      makeResult({ userId: 'u6', skuId: 'e3', outcome: 'success' }),
    ]);
    expect(groups.map((g) => [g.op, g.reason, g.userIds])).toEqual([
      ['assign', 'mutually_exclusive', ['u1', 'u2', 'u3']],
      ['assign', 'usage_location_missing', ['u4']],
      ['revoke', 'inherited_from_group', ['u5']],
    ]);
    expect(groups[0]?.blockers.map((b) => b.userIds)).toEqual([['u2', 'u3'], ['u1']]);
  });

  it('quotes a provider error only when it names no id, and one group per distinct quote', () => {
    const groups = groupFailures([
      failure('u1', { reason: 'provider_error', detail: 'Server  busy\nretry' }),
      failure('u2', {
        reason: 'provider_error',
        detail: 'License 6fd2c87f-b296-42f0-b197-1e91e994b900 is odd',
      }),
      failure('u3', { reason: 'provider_error', detail: 'Server  busy\nretry' }),
    ]);
    expect(groups.map((g) => [g.quote, g.userIds])).toEqual([
      ['Server busy retry', ['u1', 'u3']],
      [undefined, ['u2']],
    ]);
  });
});

describe('mergedExplanation', () => {
  it('names every blocking product once, by name; nothing when no blocker is named', () => {
    const merged = mergedExplanation([
      { blockedBy: conflictWith('e1', 'Office 365 E1'), userIds: ['u1'] },
      { blockedBy: conflictWith('bb', 'Business Basic'), userIds: ['u2'] },
      { blockedBy: conflictWith('e1', 'Office 365 E1'), userIds: ['u3'] },
      { blockedBy: undefined, userIds: ['u4'] },
    ]);
    expect(merged?.products.map((p) => p.name)).toEqual(['Business Basic', 'Office 365 E1']);
    expect(mergedExplanation([{ blockedBy: undefined, userIds: ['u1'] }])).toBeUndefined();
  });
});

describe('namedShares', () => {
  it('names small groups in full beside a large one, within the budget', () => {
    expect(namedShares([573, 13], 200)).toEqual([187, 13]);
    expect(namedShares([5, 3], 200)).toEqual([5, 3]);
    expect(namedShares([100, 100, 1], 10)).toEqual([5, 4, 1]);
    expect(namedShares([3, 0, 4], 0)).toEqual([0, 0, 0]);
  });
});
