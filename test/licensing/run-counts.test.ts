import { describe, expect, it } from 'vitest';
import { isPlanChangeIn, itemParts } from '../../src/licensing/run-counts.js';
import { makeChangeRequest, makeItem, makeUser } from '../support/licensing-factories.js';

describe('isPlanChangeIn', () => {
  const ava = makeUser();
  const bob = makeUser();
  const request = makeChangeRequest({
    items: [
      {
        ...makeItem(ava, {
          assign: [
            { skuId: 'e3', disabledPlans: ['apps'] },
            { skuId: 'visio', disabledPlans: [] },
          ],
        }),
        planChanges: ['e3'],
      },
      // Stored before plan changes were kept: every assignment is a new license.
      makeItem(bob, { assign: [{ skuId: 'e3', disabledPlans: [] }] }),
    ],
  });
  const isPlanChange = isPlanChangeIn(request);

  it('is true for an assignment of a product the user keeps, only re-assigned with other plans', () => {
    expect(isPlanChange({ userId: ava.id, skuId: 'e3', op: 'assign' })).toBe(true);
  });

  it('is false for a new assignment, a revoke, another user and a request stored without plan changes', () => {
    expect(isPlanChange({ userId: ava.id, skuId: 'visio', op: 'assign' })).toBe(false);
    expect(isPlanChange({ userId: ava.id, skuId: 'e3', op: 'revoke' })).toBe(false);
    expect(isPlanChange({ userId: bob.id, skuId: 'e3', op: 'assign' })).toBe(false);
    expect(isPlanChange({ userId: 'someone-else', skuId: 'e3', op: 'assign' })).toBe(false);
  });
});

describe('itemParts', () => {
  it('lists the assignments, then the revokes, then the planned no-ops, each no-op marked', () => {
    const item = {
      ...makeItem(makeUser(), { assign: [{ skuId: 'e3', disabledPlans: [] }], revoke: ['visio'] }),
      noops: [
        { skuId: 'e5', op: 'assign' as const },
        { skuId: 'p1', op: 'revoke' as const },
      ],
    };
    expect(itemParts(item)).toEqual([
      { skuId: 'e3', op: 'assign', noop: false },
      { skuId: 'visio', op: 'revoke', noop: false },
      { skuId: 'e5', op: 'assign', noop: true },
      { skuId: 'p1', op: 'revoke', noop: true },
    ]);
  });
});
