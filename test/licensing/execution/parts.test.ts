import { describe, expect, it } from 'vitest';
import {
  failureOf,
  isAboutTheUser,
  isApplied,
  type Part,
  pendingNoops,
  pendingParts,
  toChange,
} from '../../../src/licensing/execution/parts.js';
import { resultKey } from '../../../src/licensing/result-key.js';
import { LicenseProviderError } from '../../../src/providers/license-provider.js';
import { makeItem, makeLicense, makeResult, makeUser } from '../../support/licensing-factories.js';

const assign = (skuId: string, disabledPlans: string[] = []): Part => ({
  op: 'assign',
  skuId,
  disabledPlans,
});
const revoke = (skuId: string): Part => ({ op: 'revoke', skuId, disabledPlans: [] });

describe('execution parts', () => {
  it('lists the parts and no-ops that have no result yet, assignments first', () => {
    const item = {
      ...makeItem(makeUser({ id: 'u1' }), {
        assign: [
          { skuId: 'e3', disabledPlans: ['teams'] },
          { skuId: 'visio', disabledPlans: [] },
        ],
        revoke: ['p1', 'p2'],
      }),
      noops: [
        { skuId: 'x', op: 'assign' as const },
        { skuId: 'y', op: 'revoke' as const },
      ],
    };
    const results = Object.fromEntries(
      [
        makeResult({ userId: 'u1', skuId: 'visio', op: 'assign' }),
        makeResult({ userId: 'u1', skuId: 'p1', op: 'revoke' }),
        makeResult({ userId: 'u1', skuId: 'x', op: 'assign', outcome: 'noop' }),
      ].map((result) => [resultKey(result.userId, result.skuId, result.op), result]),
    );
    expect(pendingParts(item, results)).toEqual([assign('e3', ['teams']), revoke('p2')]);
    expect(pendingNoops(item, results)).toEqual([{ skuId: 'y', op: 'revoke' }]);
  });

  it('sees an assignment applied only when held directly with the same plans off, a revocation when not held', () => {
    expect(isApplied(assign('e3', ['a', 'b']), makeLicense('e3', { disabledPlans: ['b', 'a'] }))).toBe(true);
    expect(isApplied(assign('e3', ['a']), makeLicense('e3', { disabledPlans: [] }))).toBe(false);
    expect(isApplied(assign('e3'), makeLicense('e3', { direct: false, viaGroups: ['g'] }))).toBe(false);
    expect(isApplied(assign('e3'), undefined)).toBe(false);
    expect(isApplied(revoke('e3'), undefined)).toBe(true);
    expect(isApplied(revoke('e3'), makeLicense('e3'))).toBe(false);
  });

  it('turns parts back into one change', () => {
    expect(toChange([revoke('p1'), assign('e3', ['teams']), revoke('p2')])).toEqual({
      assign: [{ skuId: 'e3', disabledPlans: ['teams'] }],
      revoke: ['p1', 'p2'],
    });
  });

  it('treats a missing user, and a missing usage location for assignments only, as about the user', () => {
    const error = (reason: 'user_not_found' | 'usage_location_missing' | 'mutually_exclusive') =>
      new LicenseProviderError(reason, 'no');
    expect(isAboutTheUser(error('user_not_found'), [revoke('e3')])).toBe(true);
    expect(isAboutTheUser(error('usage_location_missing'), [assign('e3'), assign('visio')])).toBe(true);
    expect(isAboutTheUser(error('usage_location_missing'), [assign('e3'), revoke('visio')])).toBe(false);
    expect(isAboutTheUser(error('mutually_exclusive'), [assign('e3'), assign('visio')])).toBe(false);
  });

  it('keeps the reason of a verdict; after exhausted retries only throttling keeps its own', () => {
    const error = (reason: 'throttled' | 'missing_prerequisite') =>
      new LicenseProviderError(reason, 'said so');
    expect(failureOf(error('missing_prerequisite'), false)).toEqual({
      reason: 'missing_prerequisite',
      detail: 'said so',
    });
    expect(failureOf(error('missing_prerequisite'), true)).toEqual({
      reason: 'provider_error',
      detail: 'said so',
    });
    expect(failureOf(error('throttled'), true)).toEqual({ reason: 'throttled', detail: 'said so' });
  });
});
