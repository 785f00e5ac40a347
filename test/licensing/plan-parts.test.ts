import { describe, expect, it } from 'vitest';
import { planChanges, planParts } from '../../src/licensing/plan.js';
import { makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';

const e3 = makeProduct({ skuId: 'e3', total: 10, consumed: 2 });
const visio = makeProduct({ skuId: 'visio', total: 5, consumed: 1 });
const products = [e3, visio];
const ann = makeUser({ id: 'ann' });
const bob = makeUser({ id: 'bob' });
const cy = makeUser({ id: 'cy' });

describe('planParts', () => {
  it("plans each user's own part, in the parts' order, against what that user holds", () => {
    const result = planParts({
      users: [ann, bob, cy],
      products,
      holdings: new Map([['bob', [makeLicense('visio')]]]),
      parts: [
        { userId: 'bob', assign: [], revoke: ['visio'] },
        { userId: 'ann', assign: [{ skuId: 'e3', disabledPlans: ['x'] }], revoke: [] },
      ],
    });
    expect(result).toMatchObject({ ok: true, assignments: 1, revocations: 1, noops: 0 });
    if (!result.ok) return;
    expect(result.items.map((item) => [item.userId, item.change])).toEqual([
      ['bob', { assign: [], revoke: ['visio'] }],
      ['ann', { assign: [{ skuId: 'e3', disabledPlans: ['x'] }], revoke: [] }],
    ]);
  });

  it('makes a newOnly assignment a no-op for a holder whatever their plans, and a plain one a plan change', () => {
    const holdings = new Map([
      ['ann', [makeLicense('e3', { disabledPlans: ['y'] })]],
      ['bob', [makeLicense('e3', { disabledPlans: ['y'] })]],
    ]);
    const result = planParts({
      users: [ann, bob, cy],
      products,
      holdings,
      parts: [
        { userId: 'ann', assign: [{ skuId: 'e3', disabledPlans: [], newOnly: true }], revoke: [] },
        { userId: 'bob', assign: [{ skuId: 'e3', disabledPlans: [] }], revoke: [] },
        { userId: 'cy', assign: [{ skuId: 'e3', disabledPlans: [], newOnly: true }], revoke: [] },
      ],
    });
    expect(result).toMatchObject({ ok: true, assignments: 2, planChanges: 1, noops: 1 });
    if (!result.ok) return;
    const [annItem, bobItem, cyItem] = result.items;
    expect(annItem).toMatchObject({ change: { assign: [] }, noops: [{ skuId: 'e3', op: 'assign' }] });
    expect(bobItem).toMatchObject({
      change: { assign: [{ skuId: 'e3', disabledPlans: [] }] },
      planChanges: ['e3'],
    });
    expect(cyItem).toMatchObject({ change: { assign: [{ skuId: 'e3', disabledPlans: [] }] } });
  });

  it('leaves out users gone from the tenant, and refuses when none is left', () => {
    const parts = [{ userId: 'gone', assign: [{ skuId: 'e3', disabledPlans: null }], revoke: [] }];
    expect(planParts({ users: [ann], products, holdings: new Map(), parts })).toEqual({
      ok: false,
      problems: [{ kind: 'no_users' }],
    });
    const some = planParts({
      users: [ann],
      products,
      holdings: new Map(),
      parts: [...parts, { userId: 'ann', assign: [{ skuId: 'e3', disabledPlans: null }], revoke: [] }],
    });
    expect(some.ok && some.items.map((item) => item.userId)).toEqual(['ann']);
  });

  it('names each problem once however many users share it', () => {
    const both = { assign: [{ skuId: 'e3', disabledPlans: null }], revoke: ['e3', 'p2'] };
    const result = planParts({
      users: [ann, bob],
      products,
      holdings: new Map(),
      parts: [
        { userId: 'ann', ...both },
        { userId: 'bob', ...both },
      ],
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        { kind: 'both_ways', skuId: 'e3' },
        { kind: 'unknown_product', skuId: 'p2' },
      ],
    });
  });

  it('refuses parts that are no-ops for everyone now (a retry of parts done since)', () => {
    const result = planParts({
      users: [ann],
      products,
      holdings: new Map([['ann', [makeLicense('e3')]]]),
      parts: [{ userId: 'ann', assign: [{ skuId: 'e3', disabledPlans: [], newOnly: true }], revoke: [] }],
    });
    expect(result).toEqual({ ok: false, problems: [{ kind: 'empty' }] });
  });

  it('plans the cross product exactly as planChanges does', () => {
    const holdings = new Map([['bob', [makeLicense('e3', { disabledPlans: ['x'] }), makeLicense('visio')]]]);
    const assign = [{ skuId: 'e3', disabledPlans: ['y'] }];
    const revoke = ['visio'];
    const crossed = planChanges({ users: [ann, bob], products, holdings, assign, revoke });
    const parts = [ann, bob].map((user) => ({ userId: user.id, assign, revoke }));
    expect(planParts({ users: [ann, bob], products, holdings, parts })).toEqual(crossed);
  });
});
