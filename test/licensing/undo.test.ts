import { describe, expect, it } from 'vitest';
import type { ChangeItem, ItemResult, PriorState, UserLicense } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { isAsLeft, undoableUntil, undoParts } from '../../src/licensing/undo.js';
import { makeLicense } from '../support/licensing-factories.js';

const item = (userId: string, change: Partial<ChangeItem['change']>, planChanges?: string[]): ChangeItem => ({
  userId,
  displayName: userId,
  email: `${userId}@example.com`,
  change: { assign: change.assign ?? [], revoke: change.revoke ?? [] },
  noops: [],
  ...(planChanges ? { planChanges } : {}),
});

const result = (userId: string, skuId: string, op: ItemResult['op'], outcome: ItemResult['outcome']) => ({
  [resultKey(userId, skuId, op)]: { userId, skuId, op, outcome, at: '2026-01-01T00:00:00.000Z' },
});

const e3 = (disabledPlans: string[], extra: Partial<UserLicense> = {}) =>
  makeLicense('e3', { disabledPlans, ...extra });

/**
 * The request: E3 with p2 off assigned to ann (new), bob (had it with p1 off: a plan change) and
 * cid (failed); Visio revoked from dan (had it with v1 off) and eve (no-op).
 */
const request = {
  items: [
    item('ann', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }),
    item('bob', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }, ['e3']),
    item('cid', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }),
    item('dan', { revoke: ['visio'] }),
    item('eve', { revoke: ['visio'] }),
  ],
  results: {
    ...result('ann', 'e3', 'assign', 'success'),
    ...result('bob', 'e3', 'assign', 'success'),
    ...result('cid', 'e3', 'assign', 'failed'),
    ...result('dan', 'visio', 'revoke', 'success'),
    ...result('eve', 'visio', 'revoke', 'noop'),
  },
};

const prior: PriorState[] = [
  { userId: 'ann', licenses: [] },
  { userId: 'bob', licenses: [e3(['p1'])] },
  { userId: 'cid', licenses: [] },
  { userId: 'dan', licenses: [makeLicense('visio', { disabledPlans: ['v1'] })] },
  { userId: 'eve', licenses: [] },
];

describe('undoParts', () => {
  it('revokes a new license, and assigns a changed or revoked product again with the plans the user had off', () => {
    expect(undoParts(request, prior)).toEqual({
      parts: [
        { userId: 'ann', assign: [], revoke: ['e3'], asLeft: { e3: { disabledPlans: ['p2'] } } },
        {
          userId: 'bob',
          assign: [{ skuId: 'e3', disabledPlans: ['p1'] }],
          revoke: [],
          asLeft: { e3: { disabledPlans: ['p2'] } },
        },
        {
          userId: 'dan',
          assign: [{ skuId: 'visio', disabledPlans: ['v1'] }],
          revoke: [],
          asLeft: { visio: null },
        },
      ],
      unrecorded: [],
    });
  });

  it('keeps a license the user held through a group before: only the direct assignment the run made goes', () => {
    const viaGroup = prior.map((state) =>
      state.userId === 'ann'
        ? { userId: 'ann', licenses: [e3(['p9'], { direct: false, viaGroups: ['g'] })] }
        : state,
    );
    expect(undoParts(request, viaGroup).parts[0]).toMatchObject({
      userId: 'ann',
      assign: [],
      revoke: ['e3'],
    });
  });

  it('sends nothing for a plan change that set the plans the user had already', () => {
    const same = prior.map((state) =>
      state.userId === 'bob' ? { userId: 'bob', licenses: [e3(['p2'])] } : state,
    );
    expect(undoParts(request, same).parts.map((part) => part.userId)).toEqual(['ann', 'dan']);
  });

  it('cannot undo a user whose state before the run was not recorded', () => {
    const derivation = undoParts(
      request,
      prior.filter((state) => state.userId !== 'bob'),
    );
    expect(derivation.unrecorded).toEqual([{ userId: 'bob', skuId: 'e3', op: 'assign' }]);
    expect(derivation.parts.map((part) => part.userId)).toEqual(['ann', 'dan']);
  });
});

describe('isAsLeft', () => {
  it('is true only when the product is held as the undone request left it, plans compared as sets', () => {
    const left = { disabledPlans: ['p2', 'p3'] };
    expect(isAsLeft(left, e3(['p3', 'p2']))).toBe(true);
    expect(isAsLeft(left, e3(['p2']))).toBe(false);
    expect(isAsLeft(left, e3(['p2', 'p3'], { direct: false, viaGroups: ['g'] }))).toBe(false);
    expect(isAsLeft(left, undefined)).toBe(false);
    expect(isAsLeft(null, undefined)).toBe(true);
    expect(isAsLeft(null, e3([], { direct: false, viaGroups: ['g'] }))).toBe(true);
    expect(isAsLeft(null, e3([]))).toBe(false);
  });
});

describe('undoableUntil', () => {
  it('is UNDO_DAYS after the request finished, and never for one that did not finish', () => {
    const finishedAt = '2026-01-01T10:00:00.000Z';
    expect(undoableUntil({ status: 'completed', finishedAt }, 30)?.toISOString()).toBe(
      '2026-01-31T10:00:00.000Z',
    );
    expect(undoableUntil({ status: 'running' }, 30)).toBeNull();
    expect(undoableUntil({ status: 'rejected', finishedAt }, 30)).toBeNull();
  });
});
