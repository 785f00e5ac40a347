import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssignChoice, Product, TenantUser, UserLicense } from '../../src/licensing/model.js';
import { type PlanInput, type PlanProblem, planChanges } from '../../src/licensing/plan.js';
import { makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';

function setup() {
  const e3 = makeProduct({ skuId: 'e3', total: 10, consumed: 2 });
  const visio = makeProduct({ skuId: 'visio', total: 5, consumed: 5 });
  const ann = makeUser({ id: 'ann' });
  const bob = makeUser({ id: 'bob' });
  return { e3, visio, ann, bob, products: [e3, visio] };
}

describe('planChanges', () => {
  it('assigns to users who lack the product and records holders as no-ops', () => {
    const { e3, ann, bob, products } = setup();
    const result = planChanges({
      users: [ann, bob],
      products,
      holdings: new Map([['bob', [makeLicense('e3', { disabledPlans: ['x'] })]]]),
      assign: [{ skuId: e3.skuId, disabledPlans: null }],
      revoke: [],
    });
    expect(result).toMatchObject({ ok: true, assignments: 1, revocations: 0, noops: 1 });
    if (!result.ok) return;
    expect(result.items).toEqual([
      expect.objectContaining({
        userId: 'ann',
        change: { assign: [{ skuId: 'e3', disabledPlans: [] }], revoke: [] },
      }),
      expect.objectContaining({
        userId: 'bob',
        change: { assign: [], revoke: [] },
        noops: [{ skuId: 'e3', op: 'assign' }],
      }),
    ]);
  });

  it('re-assigns direct holders whose disabled plans differ from a changed choice', () => {
    const { ann, bob, products } = setup();
    const result = planChanges({
      users: [ann, bob],
      products,
      holdings: new Map([
        ['ann', [makeLicense('e3', { disabledPlans: ['p1'] })]],
        ['bob', [makeLicense('e3', { disabledPlans: ['p2', 'p1'] })]],
      ]),
      assign: [{ skuId: 'e3', disabledPlans: ['p1', 'p2'] }],
      revoke: [],
    });
    expect(result).toMatchObject({ ok: true, assignments: 1, noops: 1 });
    if (!result.ok) return;
    expect(result.items[0]?.change.assign).toEqual([{ skuId: 'e3', disabledPlans: ['p1', 'p2'] }]);
    expect(result.items[1]?.noops).toEqual([{ skuId: 'e3', op: 'assign' }]);
  });

  it("keeps the names of the plans a holder's plan change turns off, never their ids", () => {
    const { ann, bob, visio } = setup();
    const e3 = makeProduct({
      skuId: 'e3',
      servicePlans: [
        { id: 'p1', name: 'EXCHANGE_S_ENTERPRISE', friendlyName: 'Exchange Online (Plan 2)' },
        { id: 'p2', name: 'SWAY' },
        { id: 'p3', name: 'TEAMS1', friendlyName: 'Microsoft Teams' },
      ],
    });
    const result = planChanges({
      users: [ann, bob],
      products: [e3, visio],
      holdings: new Map([['ann', [makeLicense('e3')]]]),
      assign: [{ skuId: 'e3', disabledPlans: ['p2', 'p1', 'gone'] }],
      revoke: [],
    });
    if (!result.ok) throw new Error('planned');
    // Catalogue order, friendly name first; a plan the catalogue no longer lists is "another plan".
    expect(result.items[0]).toMatchObject({
      planChanges: ['e3'],
      plansOff: { e3: ['Exchange Online (Plan 2)', 'SWAY', 'another plan'] },
    });
    // A new assignment is no plan change: nothing to name.
    expect(result.items[1]?.plansOff).toBeUndefined();
  });

  it('counts a plan removal per holder and product whose enabled plans shrink, and only those', () => {
    const { ann, bob, products } = setup();
    const carl = makeUser({ id: 'carl' });
    const dave = makeUser({ id: 'dave' });
    const result = planChanges({
      users: [ann, bob, carl, dave],
      products,
      holdings: new Map([
        // Every plan enabled: turning p1 off takes it away.
        ['ann', [makeLicense('e3', { disabledPlans: [] })]],
        // p1, p2 and p3 off: the new choice turns p2 back on and takes nothing away.
        ['bob', [makeLicense('e3', { disabledPlans: ['p1', 'p2', 'p3'] })]],
        // carl lacks E3: a new assignment with p1 off gives, it does not take away.
        // p1 off already, p3 on: turning p3 off too takes it away.
        ['dave', [makeLicense('e3', { disabledPlans: ['p1'] })]],
      ]),
      assign: [{ skuId: 'e3', disabledPlans: ['p1', 'p3'] }],
      revoke: [],
    });
    expect(result).toMatchObject({ ok: true, assignments: 4, revocations: 0, planRemovals: 2 });
    // ann, bob and dave keep E3 with other plans; only carl gets it.
    expect(result).toMatchObject({ planChanges: 3 });
    // Each stored item says which of its assignments are plan changes; carl's is a new license.
    if (!result.ok) throw new Error('planned');
    expect(result.items.map((item) => item.planChanges)).toEqual([['e3'], ['e3'], undefined, ['e3']]);
  });

  it('treats a group-only holder as a no-op to assign but keeps a revoke for the run to report', () => {
    const { ann, products } = setup();
    const inherited = makeLicense('e3', { direct: false, viaGroups: ['g1'] });
    const assign = planChanges({
      users: [ann],
      products,
      holdings: new Map([['ann', [inherited]]]),
      assign: [{ skuId: 'e3', disabledPlans: ['p1'] }],
      revoke: [],
    });
    expect(assign).toEqual({ ok: false, problems: [{ kind: 'empty' }] });
    const revoke = planChanges({
      users: [ann],
      products,
      holdings: new Map([['ann', [inherited]]]),
      assign: [],
      revoke: ['e3'],
    });
    expect(revoke).toMatchObject({ ok: true, revocations: 1 });
  });

  it('revokes only from holders', () => {
    const { ann, bob, products } = setup();
    const result = planChanges({
      users: [ann, bob],
      products,
      holdings: new Map([['ann', [makeLicense('visio')]]]),
      assign: [],
      revoke: ['visio'],
    });
    expect(result).toMatchObject({ ok: true, revocations: 1, noops: 1, assignments: 0 });
  });

  it.each<[string, Partial<PlanInput>, PlanProblem[]]>([
    ['no users', { users: [], assign: [{ skuId: 'e3', disabledPlans: null }] }, [{ kind: 'no_users' }]],
    ['nothing chosen', { assign: [], revoke: [] }, [{ kind: 'empty' }]],
    [
      'a product both ways',
      { assign: [{ skuId: 'e3', disabledPlans: null }], revoke: ['e3'] },
      [{ kind: 'both_ways', skuId: 'e3' }],
    ],
    [
      'an unknown product',
      { assign: [{ skuId: 'nope', disabledPlans: null }] },
      [{ kind: 'unknown_product', skuId: 'nope' }],
    ],
  ])('refuses %s', (_name, overrides, problems) => {
    const { ann, bob, products } = setup();
    const result = planChanges({
      users: [ann, bob],
      products,
      holdings: new Map(),
      assign: [],
      revoke: [],
      ...overrides,
    });
    expect(result).toEqual({ ok: false, problems });
  });

  it('refuses a change that is a no-op for everyone', () => {
    const { ann, products } = setup();
    const result = planChanges({
      users: [ann],
      products,
      holdings: new Map(),
      assign: [],
      revoke: ['visio'],
    });
    expect(result).toEqual({ ok: false, problems: [{ kind: 'empty' }] });
  });

  it('plans every new assignee of a product whose seats cannot cover them: the run refuses the users beyond, one by one', () => {
    const { ann, bob, products } = setup();
    // Visio has no seat left: both are planned, as the manage step predicts "2 cannot: 2 no seats".
    const result = planChanges({
      users: [ann, bob],
      products,
      holdings: new Map(),
      assign: [{ skuId: 'visio', disabledPlans: null }],
      revoke: [],
    });
    expect(result).toMatchObject({ ok: true, assignments: 2 });
    if (!result.ok) return;
    expect(result.items.map((item) => item.change.assign)).toEqual([
      [{ skuId: 'visio', disabledPlans: [] }],
      [{ skuId: 'visio', disabledPlans: [] }],
    ]);
  });

  it('counts a user selected twice once', () => {
    const { ann, products } = setup();
    const result = planChanges({
      users: [ann, ann],
      products,
      holdings: new Map(),
      assign: [{ skuId: 'e3', disabledPlans: null }],
      revoke: [],
    });
    expect(result).toMatchObject({ ok: true, assignments: 1 });
  });
});

describe('planChanges properties', () => {
  const skus = ['s1', 's2', 's3', 's4'];
  const plans = ['pa', 'pb', 'pc'];
  const planList = fc.uniqueArray(fc.constantFrom(...plans), { maxLength: 3 });
  const license = (skuId: string) =>
    fc.record({ disabledPlans: planList, direct: fc.boolean(), group: fc.boolean() }).map(
      ({ disabledPlans, direct, group }): UserLicense => ({
        skuId,
        disabledPlans,
        direct: direct || !group,
        viaGroups: group ? ['g1'] : [],
      }),
    );
  const scenario = fc
    .record({
      userCount: fc.integer({ min: 0, max: 8 }),
      available: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: skus.length, maxLength: skus.length }),
      held: fc.array(fc.subarray(skus), { minLength: 8, maxLength: 8 }),
      assign: fc.uniqueArray(
        fc.record({ skuId: fc.constantFrom(...skus), disabledPlans: fc.option(planList, { nil: null }) }),
        { selector: (choice) => choice.skuId, maxLength: 3 },
      ),
      revoke: fc.uniqueArray(fc.constantFrom(...skus), { maxLength: 3 }),
      seed: fc.integer(),
    })
    .chain((base) =>
      fc
        .tuple(...base.held.map((owned) => fc.tuple(...owned.map((skuId) => license(skuId)))))
        .map((licenses) => ({ ...base, licenses })),
    );

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
  function build(s: Scenario) {
    const users: TenantUser[] = Array.from({ length: s.userCount }, (_, i) =>
      makeUser({ id: `u${i}`, displayName: `U${i}` }),
    );
    const products: Product[] = skus.map((skuId, i) =>
      makeProduct({ skuId, total: 20, consumed: 20 - (s.available[i] ?? 0) }),
    );
    const holdings = new Map<string, UserLicense[]>(
      users.map((user, i) => [user.id, [...(s.licenses[i] ?? [])]]),
    );
    const assign: AssignChoice[] = s.assign;
    return { users, products, holdings, assign, revoke: s.revoke };
  }

  it('never has a user both gain and lose one product', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const result = planChanges(build(s));
        if (!result.ok) return;
        for (const item of result.items) {
          const assigned = new Set(item.change.assign.map((part) => part.skuId));
          for (const skuId of item.change.revoke) expect(assigned.has(skuId)).toBe(false);
        }
      }),
    );
  });

  it('plans a new assignment for every selected user who lacks an assigned product, whatever its seats', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const result = planChanges(input);
        if (!result.ok) return;
        for (const choice of input.assign) {
          const lacking = result.items.filter(
            (item) => !(input.holdings.get(item.userId) ?? []).some((l) => l.skuId === choice.skuId),
          );
          for (const item of lacking) {
            expect(item.change.assign.map((part) => part.skuId)).toContain(choice.skuId);
          }
        }
      }),
    );
  });

  it('skips no-ops: nothing assigned that is already held as asked, nothing revoked that is not held', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const result = planChanges(input);
        if (!result.ok) return;
        let parts = 0;
        for (const item of result.items) {
          const held = new Map((input.holdings.get(item.userId) ?? []).map((l) => [l.skuId, l]));
          for (const part of item.change.assign) {
            const license = held.get(part.skuId);
            if (license) {
              expect(license.direct).toBe(true);
              expect([...license.disabledPlans].sort()).not.toEqual([...part.disabledPlans].sort());
            }
          }
          for (const skuId of item.change.revoke) expect(held.has(skuId)).toBe(true);
          parts += item.change.assign.length + item.change.revoke.length + item.noops.length;
        }
        // Every user × chosen product is either a change or a recorded no-op.
        expect(parts).toBe(input.users.length * (input.assign.length + input.revoke.length));
        expect(result.assignments + result.revocations).toBeGreaterThan(0);
      }),
    );
  });

  it('counts a plan removal for each holder re-assigned with a plan off that was on', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const result = planChanges(input);
        if (!result.ok) return;
        let expected = 0;
        for (const item of result.items) {
          const held = new Map((input.holdings.get(item.userId) ?? []).map((l) => [l.skuId, l]));
          for (const part of item.change.assign) {
            const before = held.get(part.skuId);
            if (before && part.disabledPlans.some((plan) => !before.disabledPlans.includes(plan))) expected++;
          }
        }
        expect(result.planRemovals).toBe(expected);
        expect(result.planRemovals).toBeLessThanOrEqual(result.assignments);
      }),
    );
  });

  it('keeps existing disabled plans when the operator did not change them', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const result = planChanges(input);
        if (!result.ok) return;
        const unchanged = new Set(input.assign.filter((c) => c.disabledPlans === null).map((c) => c.skuId));
        for (const item of result.items) {
          const held = new Set((input.holdings.get(item.userId) ?? []).map((l) => l.skuId));
          for (const part of item.change.assign) {
            if (unchanged.has(part.skuId)) {
              // Only new holders are touched, and they get every plan.
              expect(held.has(part.skuId)).toBe(false);
              expect(part.disabledPlans).toEqual([]);
            }
          }
        }
      }),
    );
  });
});
