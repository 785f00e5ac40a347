/**
 * The demo tenant's rules as the port serves them predict what the tenant does: for every user
 * and product of a generated customer, the prediction equals the answer of applyUserChange.
 */
import { describe, expect, it } from 'vitest';
import { PREDICTED_REASONS, predictAssignment } from '../../../src/licensing/eligibility.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import { generateCustomer } from '../../../src/providers/demo/generator.js';
import {
  DEMO_RULES,
  PLAN_COUNTRY_LIMITS,
  PLAN_DEPENDENCIES,
  PLAN_EXCLUSIONS,
} from '../../../src/providers/demo/rules.js';
import { isLicenseProviderError } from '../../../src/providers/license-provider.js';

const C = 'contoso';

function tenant(seed: number) {
  const data = generateCustomer({ seed, users: 80, id: C, name: 'Contoso', spareSeats: 3 });
  return { data, provider: new DemoProvider({ data: { version: 1, customers: [structuredClone(data)] } }) };
}

/** "gets", or the failure reason, of assigning `skuId` to each user in turn. */
async function outcomes(provider: DemoProvider, userIds: readonly string[], skuId: string) {
  const answers = new Map<string, string>();
  for (const userId of userIds) {
    try {
      await provider.applyUserChange(C, userId, { assign: [{ skuId, disabledPlans: [] }], revoke: [] });
      answers.set(userId, 'gets');
    } catch (error) {
      answers.set(userId, isLicenseProviderError(error) ? error.reason : String(error));
    }
  }
  return answers;
}

describe('DemoProvider.licensingRules', () => {
  it('serves the rules the tenant enforces, for a customer it knows', async () => {
    const { provider } = tenant(5);
    expect(await provider.licensingRules(C)).toEqual({
      dependencies: PLAN_DEPENDENCIES,
      exclusions: PLAN_EXCLUSIONS,
      countryLimits: PLAN_COUNTRY_LIMITS,
    });
    expect(DEMO_RULES.dependencies.length).toBeGreaterThan(0);
    await expect(provider.licensingRules('nobody')).rejects.toThrow();
  });

  it('predicts every user × product of a generated customer as applyUserChange answers it', async () => {
    const reasons = new Set<string>();
    for (const seed of [11, 12]) {
      const { data, provider } = tenant(seed);
      const users = await provider.getUsers(
        C,
        data.users.map((u) => u.id),
      );
      const products = await provider.listProducts(C);
      const holdings = await provider.getHoldings(
        C,
        users.map((u) => u.id),
      );
      const rules = await provider.licensingRules(C);
      for (const product of products) {
        const choice = { skuId: product.skuId, disabledPlans: null };
        const prediction = predictAssignment({ users, products, holdings, rules, choice });
        const predicted = new Map<string, string>([
          ...prediction.gets.map((id): [string, string] => [id, 'gets']),
          ...prediction.cannot.map((r): [string, string] => [r.userId, r.reason]),
        ]);
        // In the users' order (the run's), which decides who takes the last seats.
        const inRunOrder = users.map((u) => u.id).filter((id) => predicted.has(id));
        // On a fresh copy of the tenant: the products assigned before would change the holdings.
        const actual = await outcomes(tenant(seed).provider, inRunOrder, product.skuId);
        expect(Object.fromEntries(predicted), product.name).toEqual(Object.fromEntries(actual));
        for (const refusal of prediction.cannot) reasons.add(refusal.reason);
      }
    }
    // The comparison covers every reason predicted, not only successes.
    expect([...reasons].sort()).toEqual([...PREDICTED_REASONS].sort());
  });
});
