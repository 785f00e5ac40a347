import { describe, expect, it } from 'vitest';
import type { LicensingRules } from '../../src/licensing/eligibility.js';
import type { AssignChoice, Product, TenantUser, UserLicense } from '../../src/licensing/model.js';
import { planChanges } from '../../src/licensing/plan.js';
import { failuresByReason, previewChange } from '../../src/licensing/preview.js';
import { makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';

const plans = (...ids: string[]) => ids.map((id) => ({ id, name: id.toUpperCase() }));

/** A base (plan "base"), a suite clashing with it ("site1" ⟂ "site2"), an add-on needing "base", a calling plan sold in US/GB. */
const base = makeProduct({ skuId: 'BASE', servicePlans: plans('base', 'site1') });
const suite = makeProduct({ skuId: 'SUITE', servicePlans: plans('site2', 'mail') });
const addOn = makeProduct({ skuId: 'ADDON', servicePlans: plans('conf') });
const calling = makeProduct({ skuId: 'CALLING', servicePlans: plans('pstn', 'voice'), total: 2 });
const PRODUCTS = [base, suite, addOn, calling];

const RULES: LicensingRules = {
  dependencies: [
    { plan: 'conf', requiresAnyOf: ['base'] },
    { plan: 'pstn', requiresAnyOf: ['base'] },
  ],
  exclusions: [{ plans: ['site1', 'site2'], exemptSkus: [] }],
  countryLimits: [{ plan: 'pstn', countries: ['US', 'GB'] }],
};

interface Scenario {
  users: TenantUser[];
  holdings?: Record<string, UserLicense[]>;
  assign?: AssignChoice[];
  revoke?: string[];
  products?: Product[];
}

/** Plans the change as submit does (plan.ts), then previews the planned items. */
function preview(scenario: Scenario) {
  const holdings = new Map(Object.entries(scenario.holdings ?? {}));
  const products = scenario.products ?? PRODUCTS;
  const plan = planChanges({
    users: scenario.users,
    products,
    holdings,
    assign: scenario.assign ?? [],
    revoke: scenario.revoke ?? [],
  });
  if (!plan.ok) throw new Error(`plan refused: ${JSON.stringify(plan.problems)}`);
  return previewChange({ items: plan.items, users: scenario.users, products, holdings, rules: RULES });
}

const assign = (skuId: string, disabledPlans: string[] | null = null): AssignChoice => ({
  skuId,
  disabledPlans,
});

describe('previewChange', () => {
  it('counts an assignment per reason: changes, holders as no-ops, every reason the checks know', () => {
    const gets = makeUser();
    const holder = makeUser();
    const nowhere = makeUser({ usageLocation: null });
    const abroad = makeUser({ usageLocation: 'FR' });
    const noBase = makeUser();
    const alsoGets = makeUser();
    const beyondSeats = makeUser();
    const withBase = [makeLicense('BASE')];
    const result = preview({
      users: [gets, holder, nowhere, abroad, noBase, alsoGets, beyondSeats],
      holdings: {
        [gets.id]: withBase,
        [holder.id]: [makeLicense('CALLING')],
        [abroad.id]: withBase,
        [alsoGets.id]: withBase,
        [beyondSeats.id]: withBase,
      },
      assign: [assign('CALLING')],
    });
    expect(result.lines).toEqual([
      {
        skuId: 'CALLING',
        op: 'assign',
        changes: [gets.id, alsoGets.id],
        noops: [holder.id],
        failures: [
          { userId: nowhere.id, reason: 'usage_location_missing' },
          { userId: abroad.id, reason: 'usage_location_not_allowed' },
          { userId: noBase.id, reason: 'missing_prerequisite', blockingSkuId: 'BASE' },
          // Two seats, taken in the run's order by the users before.
          { userId: beyondSeats.id, reason: 'insufficient_licenses' },
        ],
      },
    ]);
    expect(failuresByReason(result.lines[0] ?? { failures: [] })).toEqual([
      ['usage_location_missing', 1],
      ['usage_location_not_allowed', 1],
      ['insufficient_licenses', 1],
      ['missing_prerequisite', 1],
    ]);
    expect(result).toMatchObject({ users: 7, changes: 2, noops: 1, failures: 4, allFail: false });
  });

  it('predicts a clash and counts holders whose plans change as changes that take no seat', () => {
    const clash = makeUser();
    const replan = makeUser();
    const fresh = makeUser();
    const result = preview({
      users: [clash, replan, fresh],
      holdings: { [clash.id]: [makeLicense('BASE')], [replan.id]: [makeLicense('SUITE')] },
      assign: [assign('SUITE', ['mail'])],
      // One seat: the holder whose plans change needs none, so the new user gets it.
      products: [base, { ...suite, available: 1 }, addOn, calling],
    });
    expect(result.lines).toEqual([
      {
        skuId: 'SUITE',
        op: 'assign',
        changes: [fresh.id, replan.id],
        noops: [],
        failures: [{ userId: clash.id, reason: 'mutually_exclusive', blockingSkuId: 'BASE' }],
      },
    ]);
  });

  it('predicts revocations: a group license and a base an add-on needs fail, holders change, others are no-ops', () => {
    const plain = makeUser();
    const viaGroup = makeUser();
    const keepsAddOn = makeUser();
    const without = makeUser();
    const result = preview({
      users: [plain, viaGroup, keepsAddOn, without],
      holdings: {
        [plain.id]: [makeLicense('BASE')],
        [viaGroup.id]: [makeLicense('BASE', { direct: false, viaGroups: ['g1'] })],
        [keepsAddOn.id]: [makeLicense('BASE'), makeLicense('ADDON')],
      },
      revoke: ['BASE'],
    });
    expect(result.lines).toEqual([
      {
        skuId: 'BASE',
        op: 'revoke',
        changes: [plain.id],
        noops: [without.id],
        failures: [
          { userId: viaGroup.id, reason: 'inherited_from_group' },
          { userId: keepsAddOn.id, reason: 'missing_prerequisite' },
        ],
      },
    ]);
    expect(result).toMatchObject({ changes: 1, noops: 1, failures: 2, allFail: false });
  });

  it('lines follow the catalogue, assign before revoke; allFail only when something fails and nothing changes', () => {
    const nowhere = makeUser({ usageLocation: null });
    const holder = makeUser();
    const mixed = preview({
      users: [nowhere, holder],
      holdings: { [holder.id]: [makeLicense('ADDON')] },
      assign: [assign('SUITE')],
      revoke: ['ADDON'],
    });
    expect(mixed.lines.map((line) => `${line.op} ${line.skuId}`)).toEqual(['assign SUITE', 'revoke ADDON']);
    expect(mixed.allFail).toBe(false);

    const allFail = preview({ users: [nowhere], assign: [assign('SUITE'), assign('BASE')] });
    expect(allFail).toMatchObject({ changes: 0, failures: 2, allFail: true });
    expect(allFail.lines.map((line) => line.skuId)).toEqual(['BASE', 'SUITE']);
  });
});
