import { describe, expect, it } from 'vitest';
import type { FailureReason, UserChange } from '../../../src/licensing/model.js';
import { DemoProvider, type DemoProviderOptions } from '../../../src/providers/demo/demo-provider.js';
import { DEMO_PLANS, DEMO_SKUS, demoCases, generateCustomer } from '../../../src/providers/demo/generator.js';
import { isLicenseProviderError } from '../../../src/providers/license-provider.js';
import { refusal } from '../../support/provider-refusal.js';
import { contoso, present, seatsOf } from './tenant-files.js';

const C = 'contoso';

function setup(options: Partial<DemoProviderOptions> = {}) {
  const data = generateCustomer({ seed: 7, users: 60, id: C, name: 'Contoso', spareSeats: 0 });
  const provider = new DemoProvider({ data: { version: 1, customers: [data] }, ...options });
  return { provider, data, cases: demoCases(data) };
}

const assign = (...skuIds: string[]): UserChange => ({
  assign: skuIds.map((skuId) => ({ skuId, disabledPlans: [] })),
  revoke: [],
});
const revoke = (...skuIds: string[]): UserChange => ({ assign: [], revoke: skuIds });

/** Assigning each product alone is refused for `reason`, naming that product, in words containing `words`. */
async function expectEachRefused(
  provider: DemoProvider,
  userId: string,
  skuIds: readonly string[],
  expected: { reason: FailureReason; words: string },
): Promise<void> {
  for (const skuId of skuIds) {
    const error = await refusal(provider.applyUserChange(C, userId, assign(skuId)));
    expect(error).toMatchObject({ reason: expected.reason, skuId });
    expect(error.message).toContain(expected.words);
  }
}

describe('DemoProvider.applyUserChange refusals', () => {
  it('user_not_found for an unknown user', async () => {
    const { provider } = setup();
    const error = await refusal(provider.applyUserChange(C, 'ghost', assign(DEMO_SKUS.ENTERPRISEPACK)));
    expect(error).toMatchObject({ reason: 'user_not_found', transient: false });
    expect(error.message).toContain("Resource 'ghost' does not exist");
  });

  it('usage_location_missing for a user without usage location', async () => {
    const { provider, cases } = setup();
    const error = await refusal(
      provider.applyUserChange(C, cases.noUsageLocation.id, assign(DEMO_SKUS.ENTERPRISEPACK)),
    );
    expect(error).toMatchObject({ reason: 'usage_location_missing', skuId: DEMO_SKUS.ENTERPRISEPACK });
    expect(error.message).toBe('License assignment cannot be done for user with invalid usage location.');
  });

  it('usage_location_not_allowed for a Calling Plan outside its countries, unless its plan is off', async () => {
    const { provider, cases } = setup();
    const user = cases.outsideCallingPlanCountries.id;
    const error = await refusal(provider.applyUserChange(C, user, assign(DEMO_SKUS.MCOPSTN1)));
    expect(error).toMatchObject({ reason: 'usage_location_not_allowed', skuId: DEMO_SKUS.MCOPSTN1 });
    await provider.applyUserChange(C, user, {
      assign: [{ skuId: DEMO_SKUS.MCOPSTN1, disabledPlans: [DEMO_PLANS.MCOPSTN1] }],
      revoke: [],
    });
  });

  it('insufficient_licenses when no seat is left or the product is suspended', async () => {
    const { provider, cases } = setup();
    const none = await refusal(
      provider.applyUserChange(C, cases.unlicensed.id, assign(DEMO_SKUS.POWER_BI_PRO)),
    );
    expect(none).toMatchObject({ reason: 'insufficient_licenses', skuId: DEMO_SKUS.POWER_BI_PRO });
    expect(none.message).toBe(
      `Subscription with SKU ${DEMO_SKUS.POWER_BI_PRO} does not have any available licenses.`,
    );
    const suspended = await refusal(
      provider.applyUserChange(C, cases.unlicensed.id, assign(DEMO_SKUS.EXCHANGESTANDARD)),
    );
    expect(suspended.reason).toBe('insufficient_licenses');
  });

  it('re-assigning a held product needs no seat and re-sets its disabled plans', async () => {
    const { provider, cases } = setup();
    const before = seatsOf(provider, DEMO_SKUS.POWER_BI_PRO);
    expect(before.available).toBe(0);
    await provider.applyUserChange(C, cases.powerBiHolder.id, {
      assign: [{ skuId: DEMO_SKUS.POWER_BI_PRO, disabledPlans: [DEMO_PLANS.EXCHANGE_S_FOUNDATION] }],
      revoke: [],
    });
    const held = provider
      .holdingsOf(C, cases.powerBiHolder.id)
      .find((l) => l.skuId === DEMO_SKUS.POWER_BI_PRO);
    expect(held).toEqual({
      skuId: DEMO_SKUS.POWER_BI_PRO,
      disabledPlans: [DEMO_PLANS.EXCHANGE_S_FOUNDATION],
      direct: true,
      viaGroups: [],
    });
    expect(provider.productOf(C, DEMO_SKUS.POWER_BI_PRO)).toEqual(before);
  });

  it('missing_prerequisite for an add-on without its base, unless the base comes in the same call', async () => {
    const { provider, cases } = setup();
    const user = cases.unlicensed.id;
    await expectEachRefused(provider, user, [DEMO_SKUS.MCOMEETADV, DEMO_SKUS.MCOEV], {
      reason: 'missing_prerequisite',
      words: 'depends on the service plan(s)',
    });
    await provider.applyUserChange(C, user, assign(DEMO_SKUS.MCOMEETADV, DEMO_SKUS.ENTERPRISEPACK));
    expect(provider.holdingsOf(C, user).map((l) => l.skuId)).toEqual([
      DEMO_SKUS.MCOMEETADV,
      DEMO_SKUS.ENTERPRISEPACK,
    ]);
    const calling = await refusal(provider.applyUserChange(C, user, assign(DEMO_SKUS.MCOPSTN1)));
    expect(calling).toMatchObject({ reason: 'missing_prerequisite', skuId: DEMO_SKUS.MCOPSTN1 });
  });

  it('missing_prerequisite when Project Plan 3 loses the SharePoint plan it depends on', async () => {
    const { provider, cases } = setup();
    const error = await refusal(
      provider.applyUserChange(C, cases.unlicensed.id, {
        assign: [{ skuId: DEMO_SKUS.PROJECTPROFESSIONAL, disabledPlans: [DEMO_PLANS.SHAREPOINTENTERPRISE] }],
        revoke: [],
      }),
    );
    expect(error).toMatchObject({ reason: 'missing_prerequisite', skuId: DEMO_SKUS.PROJECTPROFESSIONAL });
  });

  it('missing_prerequisite when removing a base while its add-on stays, naming the base', async () => {
    const { provider, cases } = setup();
    const user = cases.baseWithAddOn.id;
    const error = await refusal(provider.applyUserChange(C, user, revoke(DEMO_SKUS.ENTERPRISEPACK)));
    expect(error).toMatchObject({ reason: 'missing_prerequisite', skuId: DEMO_SKUS.ENTERPRISEPACK });
    const phone = await refusal(
      provider.applyUserChange(C, cases.callingPlanHolder.id, revoke(DEMO_SKUS.MCOEV)),
    );
    expect(phone).toMatchObject({ reason: 'missing_prerequisite', skuId: DEMO_SKUS.MCOEV });
    const plansOff = await refusal(
      provider.applyUserChange(C, user, {
        assign: [
          { skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [DEMO_PLANS.TEAMS1, DEMO_PLANS.MCOSTANDARD] },
        ],
        revoke: [],
      }),
    );
    expect(plansOff.reason).toBe('missing_prerequisite');
    await provider.applyUserChange(C, user, revoke(DEMO_SKUS.ENTERPRISEPACK, DEMO_SKUS.MCOMEETADV));
    expect(provider.holdingsOf(C, user)).toEqual([]);
  });

  it('mutually_exclusive for E1 with E3/E5, unless the clashing plan is off; Project is exempt', async () => {
    const { provider, cases } = setup();
    const user = cases.e1Holder.id;
    await expectEachRefused(provider, user, [DEMO_SKUS.ENTERPRISEPACK, DEMO_SKUS.SPE_E5], {
      reason: 'mutually_exclusive',
      words: 'are mutually exclusive',
    });
    await provider.applyUserChange(C, user, assign(DEMO_SKUS.PROJECTPROFESSIONAL));
    await provider.applyUserChange(C, user, {
      assign: [{ skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [DEMO_PLANS.SHAREPOINTENTERPRISE] }],
      revoke: [],
    });
  });

  it('swapping E1 for E3 in one call is allowed', async () => {
    const { provider, cases } = setup();
    const user = cases.e1Holder.id;
    const e1 = seatsOf(provider, DEMO_SKUS.STANDARDPACK);
    await provider.applyUserChange(C, user, {
      assign: [{ skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [] }],
      revoke: [DEMO_SKUS.STANDARDPACK],
    });
    expect(provider.holdingsOf(C, user).map((l) => l.skuId)).toEqual([DEMO_SKUS.ENTERPRISEPACK]);
    expect(seatsOf(provider, DEMO_SKUS.STANDARDPACK).consumed).toBe(e1.consumed - 1);
  });

  it('inherited_from_group for a license held only through a group', async () => {
    const { provider, cases } = setup();
    const error = await refusal(provider.applyUserChange(C, cases.groupInherited.id, revoke(DEMO_SKUS.EMS)));
    expect(error).toMatchObject({ reason: 'inherited_from_group', skuId: DEMO_SKUS.EMS });
    expect(error.message).toContain('inherited from a group membership');
  });

  it('revoking a license held directly and through a group keeps the group one and its seat', async () => {
    const { provider, cases, data } = setup();
    const ems = seatsOf(provider, DEMO_SKUS.EMS);
    await provider.applyUserChange(C, cases.directAndGroup.id, revoke(DEMO_SKUS.EMS));
    expect(provider.holdingsOf(C, cases.directAndGroup.id).find((l) => l.skuId === DEMO_SKUS.EMS)).toEqual({
      skuId: DEMO_SKUS.EMS,
      disabledPlans: [],
      direct: false,
      viaGroups: [present(data.groups[0], 'the EMS group').id],
    });
    expect(provider.productOf(C, DEMO_SKUS.EMS)).toEqual(ems);
  });

  it('provider_error for revoking a product the user does not hold, or one the tenant does not own', async () => {
    const { provider, cases } = setup();
    const error = await refusal(
      provider.applyUserChange(C, cases.unlicensed.id, revoke(DEMO_SKUS.ENTERPRISEPACK)),
    );
    expect(error).toMatchObject({
      reason: 'provider_error',
      transient: false,
      skuId: DEMO_SKUS.ENTERPRISEPACK,
    });
    expect(error.message).toBe('User does not have a corresponding license.');
    const unknown = await refusal(provider.applyUserChange(C, cases.unlicensed.id, assign('not-a-sku')));
    expect(unknown.message).toBe('License not-a-sku does not correspond to a valid company License.');
  });
});

describe('DemoProvider.applyUserChange effects', () => {
  it('is all-or-nothing: one failing product leaves the user and the counts untouched', async () => {
    const { provider, cases } = setup();
    const user = cases.unlicensed.id;
    const e3 = seatsOf(provider, DEMO_SKUS.ENTERPRISEPACK);
    const error = await refusal(
      provider.applyUserChange(C, user, assign(DEMO_SKUS.ENTERPRISEPACK, DEMO_SKUS.POWER_BI_PRO)),
    );
    expect(error).toMatchObject({ reason: 'insufficient_licenses', skuId: DEMO_SKUS.POWER_BI_PRO });
    expect(provider.holdingsOf(C, user)).toEqual([]);
    expect(provider.productOf(C, DEMO_SKUS.ENTERPRISEPACK)).toEqual(e3);
    expect(provider.stats).toMatchObject({ applyCalls: 1, appliedChanges: 0 });
  });

  it('moves seats on assign and revoke, and reports every applied change', async () => {
    let changes = 0;
    const { provider, cases } = setup({ onChange: () => changes++ });
    const user = cases.unlicensed.id;
    const before = seatsOf(provider, DEMO_SKUS.ENTERPRISEPACK);
    await provider.applyUserChange(C, user, assign(DEMO_SKUS.ENTERPRISEPACK));
    expect(provider.productOf(C, DEMO_SKUS.ENTERPRISEPACK)).toMatchObject({
      consumed: before.consumed + 1,
      available: before.available - 1,
    });
    expect((await provider.getHoldings(C, [user, 'ghost'])).get(user)).toEqual([
      { skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [], direct: true, viaGroups: [] },
    ]);
    await provider.applyUserChange(C, user, revoke(DEMO_SKUS.ENTERPRISEPACK));
    expect(provider.productOf(C, DEMO_SKUS.ENTERPRISEPACK)).toEqual(before);
    expect(changes).toBe(2);
    expect(provider.stats).toMatchObject({ applyCalls: 2, appliedChanges: 2 });
  });

  it('never oversubscribes a product under concurrent calls', async () => {
    const { provider, data } = setup({ latencyMs: 2 });
    const project = seatsOf(provider, DEMO_SKUS.PROJECTPROFESSIONAL);
    expect(project.available).toBeGreaterThan(0);
    const candidates = data.users
      .filter((u) => u.usageLocation !== null)
      .filter((u) => !(data.holdings[u.id] ?? []).some((l) => l.skuId === DEMO_SKUS.PROJECTPROFESSIONAL));
    expect(candidates.length).toBeGreaterThan(project.available + 10);
    const results = await Promise.allSettled(
      candidates.map((u) => provider.applyUserChange(C, u.id, assign(DEMO_SKUS.PROJECTPROFESSIONAL))),
    );
    const granted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(granted).toBe(project.available);
    expect(refused.every((e) => isLicenseProviderError(e) && e.reason === 'insufficient_licenses')).toBe(
      true,
    );
    expect(provider.productOf(C, DEMO_SKUS.PROJECTPROFESSIONAL)).toMatchObject({
      consumed: project.total,
      available: 0,
    });
  });

  it('lists only user-assignable products with Graph-style counts', async () => {
    const { provider, data } = setup();
    data.products[0] = { ...present(data.products[0], 'a product'), appliesTo: 'Company' };
    const fresh = new DemoProvider({ data: { version: 1, customers: [data] } });
    const products = await fresh.listProducts(C);
    expect(products).toHaveLength(17);
    const visio = present(
      products.find((p) => p.skuId === DEMO_SKUS.VISIOCLIENT),
      'Visio',
    );
    expect(visio.status).toBe('warning');
    expect(visio.available).toBe(visio.total - visio.consumed);
    const exchange = products.find((p) => p.skuId === DEMO_SKUS.EXCHANGESTANDARD);
    expect(exchange).toMatchObject({ status: 'suspended', total: 0, available: 0 });
    expect((await provider.listProducts(C)).find((p) => p.skuId === DEMO_SKUS.POWER_BI_PRO)).toMatchObject({
      available: 0,
    });
  });

  it('snapshot is a detached copy of the current truth', async () => {
    const { provider, cases } = setup();
    await provider.applyUserChange(C, cases.unlicensed.id, assign(DEMO_SKUS.ENTERPRISEPACK));
    const snapshot = provider.snapshot();
    expect(contoso(snapshot).holdings[cases.unlicensed.id]).toHaveLength(1);
    contoso(snapshot).holdings[cases.unlicensed.id] = [];
    expect(provider.holdingsOf(C, cases.unlicensed.id)).toHaveLength(1);
  });
});
