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

/**
 * "Replace A with B": A (plans "core", "mail1") gives way to B (plans "mail3", "voice"); the two
 * clash ("mail1" ⟂ "mail3"), as do a kiosk plan and B; "voice" is sold in the US and GB only; an
 * add-on needs "core", which only A has, and B's "mail3" needs "dir", which only A and a
 * directory product have; a meeting add-on needs "core" or B's "voice".
 */
const A = makeProduct({ skuId: 'A', servicePlans: plans('core', 'mail1', 'dir') });
const B = makeProduct({ skuId: 'B', servicePlans: plans('mail3', 'voice') });
const kiosk = makeProduct({ skuId: 'KIOSK', servicePlans: plans('mailk') });
const needsCore = makeProduct({ skuId: 'NEEDS_CORE', servicePlans: plans('conf') });
const directory = makeProduct({ skuId: 'DIR', servicePlans: plans('dir') });
const meeting = makeProduct({ skuId: 'MEET', servicePlans: plans('meet') });
const REPLACE_RULES: LicensingRules = {
  dependencies: [
    { plan: 'conf', requiresAnyOf: ['core'] },
    { plan: 'mail3', requiresAnyOf: ['dir'] },
    { plan: 'meet', requiresAnyOf: ['core', 'voice'] },
  ],
  exclusions: [
    { plans: ['mail1', 'mail3'], exemptSkus: [] },
    { plans: ['mailk', 'mail3'], exemptSkus: [] },
  ],
  countryLimits: [{ plan: 'voice', countries: ['US', 'GB'] }],
};

/** Plans "replace A with B" as submit does, then previews it with the pair the change names. */
function previewReplace(users: TenantUser[], holdings: Record<string, UserLicense[]>, seatsOfB = 100) {
  const products = [A, { ...B, available: seatsOfB }, kiosk, needsCore, directory, meeting];
  const held = new Map(Object.entries(holdings));
  const plan = planChanges({
    users,
    products,
    holdings: held,
    assign: [],
    revoke: [],
    replace: [{ from: 'A', to: { skuId: 'B', disabledPlans: null } }],
  });
  if (!plan.ok) throw new Error(`plan refused: ${JSON.stringify(plan.problems)}`);
  return previewChange({
    items: plan.items,
    users,
    products,
    holdings: held,
    rules: REPLACE_RULES,
    replace: [{ from: 'A', to: 'B' }],
  });
}

describe('previewChange of "replace A with B"', () => {
  it('is one line: holders of A change (also those holding B, whose A only goes), users without A are no-ops', () => {
    const holder = makeUser();
    const holdsBoth = makeUser();
    const without = makeUser();
    const keepsMeeting = makeUser();
    const result = previewReplace([holder, holdsBoth, without, keepsMeeting], {
      // A and B clash: only the one call taking A away lets B in.
      [holder.id]: [makeLicense('A'), makeLicense('DIR')],
      [holdsBoth.id]: [makeLicense('A'), makeLicense('B', { disabledPlans: ['mail3'] })],
      [without.id]: [makeLicense('KIOSK')],
      // The meeting add-on kept needs "core" (going with A) or "voice" (coming with B): judged with B in.
      [keepsMeeting.id]: [makeLicense('A'), makeLicense('DIR'), makeLicense('MEET')],
    });
    expect(result.lines).toEqual([
      {
        skuId: 'A',
        to: 'B',
        op: 'replace',
        changes: [holder.id, holdsBoth.id, keepsMeeting.id],
        noops: [without.id],
        failures: [],
      },
    ]);
    expect(result).toMatchObject({ users: 4, changes: 3, noops: 1, failures: 0, allFail: false });
  });

  it('predicts each failure of the pair: A through a group, then B refused with A gone, then A needed by a product kept', () => {
    const viaGroup = makeUser();
    const nowhere = makeUser({ usageLocation: null });
    const abroad = makeUser({ usageLocation: 'FR' });
    const kioskHolder = makeUser();
    const keepsAddOn = makeUser();
    const loses = makeUser();
    const withDirectory = makeUser();
    const result = previewReplace(
      [viaGroup, nowhere, abroad, kioskHolder, keepsAddOn, loses, withDirectory],
      {
        [viaGroup.id]: [makeLicense('A', { direct: false, viaGroups: ['g1'] }), makeLicense('DIR')],
        [nowhere.id]: [makeLicense('A'), makeLicense('DIR')],
        [abroad.id]: [makeLicense('A'), makeLicense('DIR')],
        [kioskHolder.id]: [makeLicense('A'), makeLicense('DIR'), makeLicense('KIOSK')],
        [keepsAddOn.id]: [makeLicense('A'), makeLicense('DIR'), makeLicense('NEEDS_CORE')],
        // B's "mail3" needs "dir", which goes with A.
        [loses.id]: [makeLicense('A')],
        [withDirectory.id]: [makeLicense('A'), makeLicense('DIR')],
      },
    );
    expect(result.lines).toEqual([
      {
        skuId: 'A',
        to: 'B',
        op: 'replace',
        changes: [withDirectory.id],
        noops: [],
        failures: [
          { userId: viaGroup.id, reason: 'inherited_from_group' },
          { userId: nowhere.id, reason: 'usage_location_missing' },
          { userId: abroad.id, reason: 'usage_location_not_allowed' },
          { userId: kioskHolder.id, reason: 'mutually_exclusive', blockingSkuId: 'KIOSK' },
          { userId: loses.id, reason: 'missing_prerequisite', blockingSkuId: 'A' },
          { userId: keepsAddOn.id, reason: 'missing_prerequisite' },
        ],
      },
    ]);
    expect(failuresByReason(result.lines[0] ?? { failures: [] }).map(([reason]) => reason)).toEqual([
      'usage_location_missing',
      'usage_location_not_allowed',
      'missing_prerequisite',
      'mutually_exclusive',
      'inherited_from_group',
    ]);
  });

  it('counts seats of B only for the pairs that land: not a holder of B, a group holder, nor a refused pair', () => {
    const first = makeUser();
    const holdsBoth = makeUser();
    const viaGroup = makeUser();
    const keepsAddOn = makeUser();
    const second = makeUser();
    const third = makeUser();
    const lateAddOn = makeUser();
    const withDir = (...more: UserLicense[]) => [makeLicense('A'), makeLicense('DIR'), ...more];
    const result = previewReplace(
      [first, holdsBoth, viaGroup, keepsAddOn, second, third, lateAddOn],
      {
        [first.id]: withDir(),
        [holdsBoth.id]: withDir(makeLicense('B', { disabledPlans: ['mail3'] })),
        [viaGroup.id]: [makeLicense('A', { direct: false, viaGroups: ['g1'] }), makeLicense('DIR')],
        // Its call is refused as a whole (the add-on needs A's "core"): it takes no seat of B.
        [keepsAddOn.id]: withDir(makeLicense('NEEDS_CORE')),
        [second.id]: withDir(),
        [third.id]: withDir(),
        // Refused as a whole too, but the seats are gone by its turn: Graph checks seats first.
        [lateAddOn.id]: withDir(makeLicense('NEEDS_CORE')),
      },
      2,
    );
    expect(result.lines[0]).toMatchObject({
      changes: [first.id, holdsBoth.id, second.id],
      failures: [
        { userId: viaGroup.id, reason: 'inherited_from_group' },
        { userId: third.id, reason: 'insufficient_licenses' },
        { userId: lateAddOn.id, reason: 'insufficient_licenses' },
        { userId: keepsAddOn.id, reason: 'missing_prerequisite' },
      ],
    });
  });

  it('leaves out a replacement no selected user is concerned by', () => {
    const user = makeUser();
    const plan = planChanges({
      users: [user],
      products: [A, B],
      holdings: new Map(),
      assign: [assign('A')],
      revoke: [],
    });
    if (!plan.ok) throw new Error('plan refused');
    const result = previewChange({
      items: plan.items,
      users: [user],
      products: [A, B],
      holdings: new Map(),
      rules: REPLACE_RULES,
      replace: [{ from: 'B', to: 'A' }],
    });
    expect(result.lines).toEqual([]);
  });
});
