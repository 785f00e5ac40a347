/**
 * Issue 13 item 6 over signed HTTP on the demo tenant: the customer typeahead counts each
 * customer's users, a product in warning says when it expires, and a revoke that leaves a user
 * holding the product through a group says so on the manage step and in "Who has it".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdersActionId, ids, patterns } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { type AppHarness, OPERATOR, startAppHarness, TEST_CUSTOMERS } from '../support/app-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { optionsOf } from '../support/slack-driver.js';
import type { FakeView, SlackObject } from '../support/slack-fake.js';
import { blocksText, contosoOf, current, openLicenses, present, selectUsers } from './flow.js';

let h: AppHarness;
let contoso: DemoCustomerData;
beforeEach(async () => {
  h = await startAppHarness();
  contoso = contosoOf(h.data);
});
afterEach(async () => {
  await h.close();
});

/** The option offering to revoke `skuId` on the manage step. */
function revokeOption(view: FakeView, skuId: string): SlackObject {
  const options = view.blocks
    .filter((b) => b.type === 'input' && patterns.revoke.test(String(b.block_id)))
    .flatMap((b) => optionsOf(b.element as SlackObject));
  return present(
    options.find((o) => o.value === skuId),
    `a revoke option for ${skuId}`,
  );
}

/** The index of the product whose "Who has it" button carries `skuId`. */
function holdersIndex(view: FakeView, skuId: string): number {
  for (const block of view.blocks) {
    const elements = [
      ...((block.elements as SlackObject[] | undefined) ?? []),
      ...(block.accessory ? [block.accessory as SlackObject] : []),
    ];
    for (const element of elements) {
      const index = holdersActionId.parse(String(element.action_id ?? ''));
      if (index !== null && element.value === skuId) return index;
    }
  }
  throw new Error(`no Who has it button for ${skuId}`);
}

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

  it('a revoke that leaves users holding the product through a group says so, and "Who has it" names them', async () => {
    const { groupInherited, directAndGroup, e1Holder } = demoCases(contoso);
    const manage = await selectUsers(h, TEST_CUSTOMERS.contoso, [groupInherited, directAndGroup, e1Holder]);
    const ems = revokeOption(manage, DEMO_SKUS.EMS);
    expect((ems.description as { text: string }).text).toBe('The 1 who has it keeps it through a group');
    const e1 = revokeOption(manage, DEMO_SKUS.STANDARDPACK);
    expect((e1.description as { text: string }).text).toBe('1 of 3 selected has it');

    await h.driver.blockActions({
      userId: OPERATOR,
      viewId: manage.id,
      actions: [{ actionId: holdersActionId(holdersIndex(manage, DEMO_SKUS.EMS)) }],
    });
    const view = await h.fake.waitFor(() => {
      const [, top] = h.fake.stackOf(manage.id);
      return top === undefined ? undefined : h.fake.view(top);
    });
    expectValidModal(view.definition);
    expect(view.callbackId).toBe(ids.views.holders);
    const text = blocksText(view.blocks);
    expect(text).toContain('2 of 3 selected have it (1 through a group)');
    expect(text).toContain(
      'Assigned directly (1)*: 1 of them also gets it through a group and would keep it if revoked',
    );
    const line = present(
      text.split('\n').find((l) => l.includes(directAndGroup.email)),
      'the line of the user holding EMS both ways',
    );
    expect(line).toContain('also through a group: keeps it if revoked');
    expect(text).toContain('Through a group only (1)');
    expect(current(h, manage.id).callbackId).toBe(ids.views.manage);
  });
});
