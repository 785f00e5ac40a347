/**
 * "Add every user who…" on the users step, over signed HTTP with the Slack fake, on the demo
 * tenant: the holders of a product (1,000+ of them), users holding nothing, users without a usage
 * location. The selection lives in the draft; private_metadata carries only the draft id.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { holdersActionId, ids, patterns, plansActionId } from '../../blocks/ids.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import {
  type AppHarness,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  andWaitForUpdate,
  blocksText,
  chooseCustomer,
  contosoOf,
  current,
  draftSelection,
  firstName,
  humongous,
  openLicenses,
  pageUserIds,
  selectBy,
  selectUsers,
  toLicenses,
} from './flow.js';

const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
/** Slack's limits for a view: private_metadata 3,000 characters; a view's JSON well under 250 kB. */
const METADATA_LIMIT = 3000;
const VIEW_BYTES = 250 * 1024;

afterAll(() => reportAckLatencies('select-by-holdings.test.ts'));

const idsWhere = (customer: DemoCustomerData, keep: (id: string, location: string | null) => boolean) =>
  customer.users
    .filter((u) => keep(u.id, u.usageLocation))
    .map((u) => u.id)
    .sort();

describe('select users by what they hold (demo tenant)', () => {
  it('adds the 1,000+ holders of a product to the selection, kept in the draft, the views within Slack limits', async () => {
    const big = humongous(3000);
    const h = closedAfterTest(
      await startAppHarness({ tenant: (data) => ({ ...data, customers: [...data.customers, big] }) }),
    );
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Hum', big.customer.id);
    const holders = idsWhere(big, (id) => (big.holdings[id] ?? []).some((l) => l.skuId === E3));
    expect(holders.length).toBeGreaterThan(1000);

    const started = performance.now();
    const view = await selectBy(h, root.id, { holds: E3 });
    console.log(
      `select by holdings: ${holders.length} holders of E3 selected in ${Math.round(performance.now() - started)} ms`,
    );
    expect(await draftSelection(h, root.id)).toEqual(holders);
    expect(blocksText(view.blocks)).toContain(
      `Added the ${holders.length.toLocaleString('en')} users who hold *Office 365 E3*`,
    );
    expect(blocksText(view.blocks)).toContain(`Selected: ${holders.length} users`);
    expect(view.privateMetadata.length).toBeLessThan(100);
    expect(JSON.parse(view.privateMetadata)).toEqual({ draftId: expect.any(String) });
    expect(Buffer.byteLength(JSON.stringify(view.definition))).toBeLessThan(VIEW_BYTES);
    // The select is reset (a new block id) so the same choice can be made again.
    expect(view.blocks.some((b) => String(b.block_id) === `${ids.blocks.selectByPrefix}0`)).toBe(false);

    const manage = await toLicenses(h, root.id);
    expect(manage.privateMetadata.length).toBeLessThan(METADATA_LIMIT);
    expect(Buffer.byteLength(JSON.stringify(manage.definition))).toBeLessThan(VIEW_BYTES);
    expect(blocksText(manage.blocks)).toContain(`${holders.length} users`);
    expect(h.logger.errors()).toEqual([]);
  });

  it('adds the users without a usage location, then those who hold nothing, to what was selected', async () => {
    const h = closedAfterTest(await startAppHarness());
    const contoso = contosoOf(h.data);
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
    const unlicensed = idsWhere(contoso, (id) => (contoso.holdings[id] ?? []).length === 0);
    const unlocated = idsWhere(contoso, (_, location) => location === null);
    expect(unlicensed.length).toBeGreaterThan(0);
    expect(unlocated.length).toBeGreaterThan(0);
    // The generator gives no license to users without a location: the second choice adds more.
    expect(unlicensed.some((id) => !unlocated.includes(id))).toBe(true);

    const first = await selectBy(h, root.id, { noUsageLocation: true });
    expect(await draftSelection(h, root.id)).toEqual(unlocated);
    expect(blocksText(first.blocks)).toContain('no usage location');
    // The browser's page shows the added users ticked.
    const onPage = pageUserIds(first);
    const browser = first.blocks.find((b) => patterns.browseBlock.test(String(b.block_id)));
    const elements = (browser?.elements ?? []) as Array<{ initial_options?: Array<{ value: string }> }>;
    const ticked = elements[0]?.initial_options?.map((o) => o.value) ?? [];
    expect(ticked.sort()).toEqual(onPage.filter((id) => unlocated.includes(id)).sort());

    const second = await selectBy(h, root.id, { holdsNothing: true });
    expect(await draftSelection(h, root.id)).toEqual([...new Set([...unlicensed, ...unlocated])].sort());
    expect(blocksText(second.blocks)).toContain(`Added the ${unlicensed.length} users who hold no license`);
    expect(h.logger.errors()).toEqual([]);
  });
});

describe('select these users, from Who has it', () => {
  it('keeps only the holders in the selection and renders the manage step beneath for them', async () => {
    const h = closedAfterTest(await startAppHarness());
    const contoso = contosoOf(h.data);
    const holds = (id: string) => (contoso.holdings[id] ?? []).some((l) => l.skuId === E3);
    const firstNames = new Map<string, number>();
    for (const u of contoso.users) firstNames.set(firstName(u), (firstNames.get(firstName(u)) ?? 0) + 1);
    const unique = contoso.users.filter((u) => firstNames.get(firstName(u)) === 1);
    const holders = unique.filter((u) => holds(u.id)).slice(0, 2);
    const others = unique.filter((u) => !holds(u.id)).slice(0, 2);
    expect(holders).toHaveLength(2);
    expect(others).toHaveLength(2);
    const manage = await selectUsers(h, contoso.customer, [...holders, ...others]);
    expect(blocksText(manage.blocks)).toContain('2 of 4 selected have it');

    await h.driver.blockActions({
      userId: OPERATOR,
      viewId: manage.id,
      actions: [{ actionId: holdersButton(h, manage.id) }],
    });
    const who = await h.fake.waitFor(() => {
      const top = h.fake.stackOf(manage.id)[1];
      return top === undefined ? undefined : h.fake.view(top);
    });
    expect(who.callbackId).toBe(ids.views.holders);
    expect(blocksText(who.blocks)).toContain('Select these 2 users');
    const rootBefore = current(h, manage.id).updates;
    await andWaitForUpdate(h, who.id, () =>
      h.driver.blockActions({
        userId: OPERATOR,
        viewId: who.id,
        actions: [{ actionId: ids.actions.selectHolders }],
      }),
    );
    await h.fake.waitFor(() => current(h, manage.id).updates > rootBefore);

    expect(await draftSelection(h, manage.id)).toEqual(holders.map((u) => u.id).sort());
    expect(blocksText(current(h, manage.id).blocks)).toContain('All 2 selected have it');
    const after = current(h, who.id);
    expect(blocksText(after.blocks)).toContain('All 2 selected have it');
    expect(blocksText(after.blocks)).not.toContain('Select these');
    expect(h.logger.errors()).toEqual([]);
  });
});

/** The action id of the Who-has-it button of E3 in the manage step (the line whose plans button names E3). */
function holdersButton(h: AppHarness, viewId: string): string {
  for (const block of current(h, viewId).blocks) {
    for (const element of (block.elements as { action_id?: string; value?: string }[] | undefined) ?? []) {
      const index = plansActionId.parse(element.action_id ?? '');
      if (index !== null && element.value === E3) return holdersActionId(index);
    }
  }
  throw new Error('no product line for E3');
}
