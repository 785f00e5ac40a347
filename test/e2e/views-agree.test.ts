/**
 * Issue 13 item 6 over signed HTTP on the demo tenant: the customer typeahead counts each
 * customer's users, and a product in warning says when it expires.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { type AppHarness, OPERATOR, startAppHarness, TEST_CUSTOMERS } from '../support/app-harness.js';
import { blocksText, contosoOf, openLicenses, present, selectUsers } from './flow.js';

let h: AppHarness;
let contoso: DemoCustomerData;
beforeEach(async () => {
  h = await startAppHarness();
  contoso = contosoOf(h.data);
});
afterEach(async () => {
  await h.close();
});

describe('views that agree', () => {
  it("the customer typeahead shows each customer's user count", async () => {
    const root = await openLicenses(h);
    const suggestion = await h.driver.blockSuggestion({
      userId: OPERATOR,
      viewId: root.id,
      blockId: ids.blocks.customer,
      actionId: ids.actions.customer,
      value: '',
    });
    const texts = new Map(
      suggestion.options.map((o) => [String(o.value), (o.text as { text: string }).text]),
    );
    expect(texts.size).toBe(h.data.customers.length);
    for (const { customer, users } of h.data.customers) {
      const text = present(texts.get(customer.id), `an option for ${customer.name}`);
      expect(text).toBe(`${customer.name} (${customer.domain}) · ${users.length} users`);
      expect(text.length).toBeLessThanOrEqual(limits.optionText);
    }
    expect(texts.get(TEST_CUSTOMERS.contoso.id)).toBe('Contoso (contoso.com) · 40 users');
  });

  it('a product in warning says on which day its subscription expires', async () => {
    const visio = present(
      contoso.products.find((p) => p.skuId === DEMO_SKUS.VISIOCLIENT),
      'Visio in the demo tenant',
    );
    expect(visio.status).toBe('warning');
    const date = present(visio.nextLifecycleDate, "Visio's expiry date");
    const seconds = Date.parse(date) / 1000;
    const users = contoso.users.slice(3, 5);
    const view = await selectUsers(h, TEST_CUSTOMERS.contoso, users);
    const text = blocksText(view.blocks);
    expect(text).toContain(
      `*Visio Plan 2* :warning: _subscription expiring on <!date^${seconds}^{date_short}|`,
    );
    expect(text).not.toMatch(/subscription expiring_/);
  });
});
