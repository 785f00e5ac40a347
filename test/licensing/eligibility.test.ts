import { describe, expect, it } from 'vitest';
import {
  type EligibilityInput,
  type LicensingRules,
  NO_RULES,
  predictAssignment,
  predictRevocations,
  refusalCounts,
} from '../../src/licensing/eligibility.js';
import type { Product, TenantUser, UserLicense } from '../../src/licensing/model.js';
import { MICROSOFT_PLAN_RULES } from '../../src/providers/microsoft-plan-rules.js';
import { makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';

const plans = (...ids: string[]) => ids.map((id) => ({ id, name: id.toUpperCase() }));

/** A small catalogue: a base (plan "base"), a suite clashing with it ("site1" ⟂ "site2"), an add-on needing "base". */
const base = makeProduct({ skuId: 'BASE', servicePlans: plans('base', 'site1') });
const suite = makeProduct({ skuId: 'SUITE', servicePlans: plans('site2', 'mail') });
const addOn = makeProduct({ skuId: 'ADDON', servicePlans: plans('conf') });
const calling = makeProduct({ skuId: 'CALLING', servicePlans: plans('pstn') });
const exempt = makeProduct({ skuId: 'PROJECT', servicePlans: plans('site2', 'project') });

const RULES: LicensingRules = {
  dependencies: [
    { plan: 'conf', requiresAnyOf: ['base'] },
    { plan: 'pstn', requiresAnyOf: ['base'] },
  ],
  exclusions: [{ plans: ['site1', 'site2'], exemptSkus: ['PROJECT'] }],
  countryLimits: [{ plan: 'pstn', countries: ['US', 'GB'] }],
};

function predict(
  users: TenantUser[],
  skuId: string,
  options: {
    holdings?: Record<string, UserLicense[]>;
    products?: Product[];
    rules?: LicensingRules;
    disabledPlans?: string[];
  } = {},
) {
  const input: EligibilityInput = {
    users,
    products: options.products ?? [base, suite, addOn, calling, exempt],
    holdings: new Map(Object.entries(options.holdings ?? {})),
    rules: options.rules ?? RULES,
    choice: { skuId, disabledPlans: options.disabledPlans ?? null },
  };
  return predictAssignment(input);
}

describe('predictAssignment', () => {
  it('refuses users without a usage location, whatever the rules', () => {
    const nowhere = makeUser({ usageLocation: null });
    const here = makeUser();
    const prediction = predict([nowhere, here], 'BASE', { rules: NO_RULES });
    expect(prediction.gets).toEqual([here.id]);
    expect(prediction.cannot).toEqual([{ userId: nowhere.id, reason: 'usage_location_missing' }]);
  });

  it('refuses a plan limited to countries the user is not in', () => {
    const french = makeUser({ usageLocation: 'FR' });
    const american = makeUser({ usageLocation: 'US' });
    const holdings = { [french.id]: [makeLicense('BASE')], [american.id]: [makeLicense('BASE')] };
    const prediction = predict([french, american], 'CALLING', { holdings });
    expect(prediction.cannot).toEqual([{ userId: french.id, reason: 'usage_location_not_allowed' }]);
    expect(prediction.gets).toEqual([american.id]);
  });

  it('names the product that would bring a missing prerequisite', () => {
    const bare = makeUser();
    const prediction = predict([bare], 'ADDON');
    expect(prediction.cannot).toEqual([
      { userId: bare.id, reason: 'missing_prerequisite', blockingSkuId: 'BASE' },
    ]);
    const withBase = predict([bare], 'ADDON', { holdings: { [bare.id]: [makeLicense('BASE')] } });
    expect(withBase.gets).toEqual([bare.id]);
  });

  it('names the held product a clash is with, unless the clashing plan is off or the product exempt', () => {
    const holder = makeUser();
    const holdings = { [holder.id]: [makeLicense('BASE')] };
    expect(predict([holder], 'SUITE', { holdings }).cannot).toEqual([
      { userId: holder.id, reason: 'mutually_exclusive', blockingSkuId: 'BASE' },
    ]);
    expect(predict([holder], 'SUITE', { holdings, disabledPlans: ['site2'] }).gets).toEqual([holder.id]);
    expect(predict([holder], 'PROJECT', { holdings }).gets).toEqual([holder.id]);
    const offAlready = { [holder.id]: [makeLicense('BASE', { disabledPlans: ['site1'] })] };
    expect(predict([holder], 'SUITE', { holdings: offAlready }).gets).toEqual([holder.id]);
  });

  it('counts holders apart, directly or through a group, and gives seats in the run order', () => {
    const [a, b, c, d] = [makeUser(), makeUser(), makeUser(), makeUser()];
    const scarce = makeProduct({ skuId: 'SCARCE', total: 3, consumed: 1 });
    const holdings = { [a.id]: [makeLicense('SCARCE', { direct: false, viaGroups: ['g'] })] };
    const prediction = predict([a, b, c, d], 'SCARCE', { holdings, products: [scarce] });
    expect(prediction.holds).toEqual([a.id]);
    expect(prediction.gets).toEqual([b.id, c.id]);
    expect(prediction.cannot).toEqual([{ userId: d.id, reason: 'insufficient_licenses' }]);
  });

  it('checks in Graph order: a user refused for a clash takes no seat, seats go before the plan rules', () => {
    const clashing = makeUser();
    const [first, second] = [makeUser(), makeUser()];
    const oneSeat = { ...suite, total: 1, consumed: 0, available: 1 };
    const products = [base, oneSeat];
    const holdings = { [clashing.id]: [makeLicense('BASE')] };
    const early = predict([clashing, first, second], 'SUITE', { holdings, products });
    expect(early.gets).toEqual([first.id]);
    expect(early.cannot.map((r) => r.reason)).toEqual(['mutually_exclusive', 'insufficient_licenses']);
    const late = predict([first, clashing], 'SUITE', { holdings, products });
    expect(late.cannot).toEqual([{ userId: clashing.id, reason: 'insufficient_licenses' }]);
  });

  it('gives nothing of a suspended product and nothing of a product the customer lacks', () => {
    const user = makeUser();
    const suspended = { ...base, status: 'suspended' as const, available: 5 };
    expect(predict([user], 'BASE', { products: [suspended] }).cannot).toEqual([
      { userId: user.id, reason: 'insufficient_licenses' },
    ]);
    expect(predict([user], 'NOPE')).toEqual({ skuId: 'NOPE', gets: [], holds: [], cannot: [] });
  });

  it('counts refusals by reason in the order of the checks', () => {
    const users = [
      makeUser({ usageLocation: null }),
      makeUser(),
      makeUser(),
      makeUser({ usageLocation: null }),
    ];
    const holdings = {
      [users[1]?.id ?? '']: [makeLicense('BASE')],
      [users[2]?.id ?? '']: [makeLicense('BASE')],
    };
    expect(refusalCounts(predict(users, 'SUITE', { holdings }))).toEqual([
      ['usage_location_missing', 2],
      ['mutually_exclusive', 2],
    ]);
  });
});

describe("Microsoft's documented plan rules (Graph, Partner Center)", () => {
  const plan = (id: string) => ({ id, name: id });
  const e1 = makeProduct({
    skuId: '18181a46-0d4e-45cd-891e-60aabd171b4e',
    servicePlans: [
      plan('c7699d2e-19aa-44de-8edf-1736da088ca1'),
      plan('57ff2da0-773e-42df-b2af-ffb7a2317929'),
    ],
  });
  const e3 = makeProduct({
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    servicePlans: [
      plan('5dbe027f-2339-4123-9542-606e4d348a72'),
      plan('0feaeb32-d00e-4d66-bd5a-43b5b83db82c'),
    ],
  });
  const audio = makeProduct({
    skuId: '0c266dff-15dd-4b49-8397-2bb16070ed52',
    servicePlans: [plan('3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40')],
  });
  const project = makeProduct({
    skuId: '53818b1b-4a27-454b-8896-0dba576410e6',
    servicePlans: [
      plan('5dbe027f-2339-4123-9542-606e4d348a72'),
      plan('fe71d6c3-a2ea-4499-9778-da042bf08063'),
    ],
  });
  const products = [e1, e3, audio, project];
  const rules = MICROSOFT_PLAN_RULES;

  it('predicts the E1 + E3 clash, naming E1, and an add-on without its base, naming a product that brings it', () => {
    const e1Holder = makeUser();
    const bare = makeUser({ usageLocation: 'NZ' });
    const holdings = { [e1Holder.id]: [makeLicense(e1.skuId)] };
    expect(predict([e1Holder, bare], e3.skuId, { holdings, products, rules }).cannot).toEqual([
      { userId: e1Holder.id, reason: 'mutually_exclusive', blockingSkuId: e1.skuId },
    ]);
    expect(predict([e1Holder, bare], audio.skuId, { holdings, products, rules })).toMatchObject({
      gets: [e1Holder.id],
      cannot: [{ userId: bare.id, reason: 'missing_prerequisite', blockingSkuId: e1.skuId }],
    });
    expect(predict([e1Holder], project.skuId, { holdings, products, rules }).gets).toEqual([e1Holder.id]);
  });
});

describe('predictRevocations', () => {
  const products = [base, suite, addOn, calling, exempt];
  const predictRevoke = (holdings: Record<string, UserLicense[]>, revokes: Record<string, string[]>) =>
    predictRevocations({
      revokes: Object.entries(revokes).map(([userId, skuIds]) => ({ userId, skuIds })),
      products,
      holdings: new Map(Object.entries(holdings)),
      rules: RULES,
    });

  it('refuses a license held only through a group, and the base an add-on the user keeps needs', () => {
    const group = [makeLicense('SUITE', { direct: false, viaGroups: ['g1'] })];
    const withAddOn = [makeLicense('BASE'), makeLicense('ADDON')];
    expect(predictRevoke({ u1: group, u2: withAddOn }, { u1: ['SUITE'], u2: ['BASE'] })).toEqual([
      { userId: 'u1', skuId: 'SUITE', reason: 'inherited_from_group' },
      { userId: 'u2', skuId: 'BASE', reason: 'missing_prerequisite' },
    ]);
  });

  it('lets the base go with its add-on, or when a group keeps it; plain holders are not refused', () => {
    const withAddOn = [makeLicense('BASE'), makeLicense('ADDON')];
    const alsoGroup = [makeLicense('BASE', { viaGroups: ['g1'] }), makeLicense('ADDON')];
    expect(
      predictRevoke(
        { u1: withAddOn, u2: alsoGroup, u3: [makeLicense('SUITE')] },
        { u1: ['BASE', 'ADDON'], u2: ['BASE'], u3: ['SUITE'] },
      ),
    ).toEqual([]);
  });
});
