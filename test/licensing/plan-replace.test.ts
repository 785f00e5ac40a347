import { describe, expect, it } from 'vitest';
import { NO_RULES } from '../../src/licensing/eligibility.js';
import { planChanges } from '../../src/licensing/plan.js';
import type { ReplaceChoice } from '../../src/licensing/plan-replace.js';
import { planChange, revocationOutlook } from '../../src/licensing/service-plan.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';
import { FakeLicenseProvider } from './fake-license-provider.js';

function setup() {
  const e3 = makeProduct({ skuId: 'e3' });
  const e5 = makeProduct({ skuId: 'e5' });
  const visio = makeProduct({ skuId: 'visio' });
  const users = ['ann', 'bob', 'cid', 'dee'].map((id) => makeUser({ id, displayName: id }));
  return { products: [e3, e5, visio], users };
}

const replaceE3 = [{ from: 'e3', to: { skuId: 'e5', disabledPlans: ['p1'] } }];

describe('planChanges with "replace A with B"', () => {
  it('pairs B and A for holders of A, only revokes A from holders of B, and leaves users without A alone', () => {
    const { products, users } = setup();
    const result = planChanges({
      users,
      products,
      holdings: new Map([
        ['ann', [makeLicense('e3')]],
        ['bob', [makeLicense('e3'), makeLicense('e5')]],
        ['cid', [makeLicense('visio')]],
        ['dee', [makeLicense('e3', { direct: false, viaGroups: ['g1'] })]],
      ]),
      assign: [],
      revoke: [],
      replace: replaceE3,
    });
    expect(result).toMatchObject({ ok: true, assignments: 2, revocations: 3, noops: 2 });
    if (!result.ok) return;
    const [ann, bob, cid, dee] = result.items;
    expect(ann).toMatchObject({
      change: { assign: [{ skuId: 'e5', disabledPlans: ['p1'] }], revoke: ['e3'] },
      replaces: [{ from: 'e3', to: 'e5' }],
      noops: [],
    });
    expect(bob).toMatchObject({
      change: { assign: [], revoke: ['e3'] },
      noops: [{ skuId: 'e5', op: 'assign' }],
    });
    expect(bob?.replaces).toBeUndefined();
    expect(cid).toMatchObject({ change: { assign: [], revoke: [] }, noops: [{ skuId: 'e3', op: 'revoke' }] });
    expect(cid?.replaces).toBeUndefined();
    // Held only through a group: planned as a pair, so the run reports inherited_from_group.
    expect(dee).toMatchObject({ change: { revoke: ['e3'] }, replaces: [{ from: 'e3', to: 'e5' }] });
  });

  it('counts A revoked from N users as N revocations for the approval rule', () => {
    const { products, users } = setup();
    const result = planChanges({
      users,
      products,
      holdings: new Map(users.map((u) => [u.id, [makeLicense('e3')]])),
      assign: [],
      revoke: [],
      replace: replaceE3,
    });
    expect(result).toMatchObject({ ok: true, revocations: 4, assignments: 4, planRemovals: 0 });
  });

  it('is empty when no selected user has A and nothing else is asked', () => {
    const { products, users } = setup();
    const result = planChanges({
      users,
      products,
      holdings: new Map(),
      assign: [],
      revoke: [],
      replace: replaceE3,
    });
    expect(result).toEqual({ ok: false, problems: [{ kind: 'empty' }] });
  });

  it('refuses a product replaced by itself, a product with two roles, and unknown products', () => {
    const { products, users } = setup();
    const refusedFor = (input: Parameters<typeof planChanges>[0]) => {
      const result = planChanges(input);
      return result.ok ? [] : result.problems;
    };
    const base = { users, products, holdings: new Map(), assign: [], revoke: [] };
    expect(
      refusedFor({ ...base, replace: [{ from: 'e3', to: { skuId: 'e3', disabledPlans: null } }] }),
    ).toEqual([{ kind: 'replace_same', skuId: 'e3' }]);
    expect(
      refusedFor({
        ...base,
        assign: [{ skuId: 'e5', disabledPlans: null }],
        revoke: ['e3'],
        replace: replaceE3,
      }),
    ).toEqual([
      { kind: 'replace_overlap', skuId: 'e3' },
      { kind: 'replace_overlap', skuId: 'e5' },
    ]);
    expect(
      refusedFor({
        ...base,
        replace: [...replaceE3, { from: 'visio', to: { skuId: 'e5', disabledPlans: null } }],
      }),
    ).toEqual([{ kind: 'replace_overlap', skuId: 'e5' }]);
    expect(
      refusedFor({ ...base, replace: [{ from: 'gone', to: { skuId: 'e5', disabledPlans: null } }] }),
    ).toEqual([{ kind: 'unknown_product', skuId: 'gone' }]);
  });
});

describe('revocationOutlook of a replacement', () => {
  it('judges the revoke of A with B already in (B brings what a kept product needs)', async () => {
    const teams = { id: 'teams', name: 'TEAMS1' };
    const e1 = makeProduct({ skuId: 'e1', servicePlans: [teams] });
    const e3 = makeProduct({ skuId: 'e3', servicePlans: [teams] });
    const audio = makeProduct({ skuId: 'audio', servicePlans: [{ id: 'meet', name: 'MCOMEETADV' }] });
    const ann = makeUser({ id: 'ann' });
    const provider = new FakeLicenseProvider(makeCustomer({ id: 'c1' }), [ann], [e1, e3, audio]).hold('ann', [
      makeLicense('e1'),
      makeLicense('audio'),
    ]);
    const rules = { ...NO_RULES, dependencies: [{ plan: 'meet', requiresAnyOf: ['teams'] }] };
    Object.assign(provider, { licensingRules: async () => rules });
    const outlook = async (choice: { revoke?: string[]; replace?: ReplaceChoice[] }) => {
      const { plan } = await planChange(provider, {
        customerId: 'c1',
        userIds: ['ann'],
        assign: [],
        revoke: choice.revoke ?? [],
        ...(choice.replace ? { replace: choice.replace } : {}),
      });
      if (!plan.ok) throw new Error('plan refused');
      return revocationOutlook(provider, { customerId: 'c1', items: plan.items });
    };
    expect(await outlook({ revoke: ['e1'] })).toEqual([
      { userId: 'ann', skuId: 'e1', reason: 'missing_prerequisite' },
    ]);
    expect(await outlook({ replace: [{ from: 'e1', to: { skuId: 'e3', disabledPlans: null } }] })).toEqual(
      [],
    );
  });
});
