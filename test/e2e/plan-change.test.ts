/**
 * Issue 13 item 5 over signed HTTP on the demo tenant: ticking Office 365 E3 with one service plan
 * turned off for users of whom some hold it and some do not. The holders keep the product and
 * only change plans; the manage step and "Request sent" count them apart from who gets it.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { patterns } from '../../blocks/ids.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { type AppHarness, OPERATOR, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import type { SlackObject } from '../support/slack-fake.js';
import { blocksText, contosoOf, current, selectUsers, submitChange } from './flow.js';

let h: AppHarness;
afterEach(async () => {
  await h?.close();
});
afterAll(() => reportAckLatencies('plan-change.test.ts'));

const E3 = DEMO_SKUS.ENTERPRISEPACK;

/** Opens E3's service plans from the manage step and saves them with only the first one off. */
async function turnFirstPlanOff(viewId: string): Promise<void> {
  // The step's "Service plans" button of E3 opens the plans modal on top of the step.
  const elements = current(h, viewId).blocks.flatMap(
    (b) => (b.elements as { action_id?: string; value?: string }[] | undefined) ?? [],
  );
  const actionId = elements.find((e) => e.value === E3 && patterns.plans.test(e.action_id ?? ''))?.action_id;
  if (actionId === undefined) throw new Error('no service plans button for E3');
  await h.driver.blockActions({ userId: OPERATOR, viewId, actions: [{ actionId }] });
  const plans = await h.fake.waitFor(() => h.fake.stackOf(viewId).map((id) => h.fake.view(id))[1]);
  expectValidModal(plans.definition);
  const first = plans.blocks.find((b) => b.type === 'input' && patterns.planOff.test(String(b.block_id)));
  const element = first?.element as { action_id: string; options: SlackObject[] } | undefined;
  if (!first || !element) throw new Error('no service plan to turn off');
  const values = {
    [String(first.block_id)]: { [element.action_id]: { selected_options: element.options.slice(0, 1) } },
  };
  const before = current(h, viewId).updates;
  const saved = await h.driver.viewSubmission({ userId: OPERATOR, viewId: plans.id, values });
  expect(saved.responseAction).toBe('close');
  await h.fake.waitFor(() => current(h, viewId).updates > before);
}

it('counts the E3 holders whose plans change apart from who gets E3, on the manage step and "Request sent"', async () => {
  h = await startAppHarness();
  const contoso = contosoOf(h.data);
  const e3 = (id: string) => (contoso.holdings[id] ?? []).find((l) => l.skuId === E3);
  const holders = contoso.users
    .filter((u) => {
      const license = e3(u.id);
      return license?.direct === true && license.viaGroups.length === 0 && license.disabledPlans.length === 0;
    })
    .slice(0, 2);
  const newcomers = contoso.users
    .filter((u) => (contoso.holdings[u.id] ?? []).length === 0 && u.usageLocation !== null)
    .slice(0, 3);
  expect(holders).toHaveLength(2);
  expect(newcomers).toHaveLength(3);
  const root = await selectUsers(h, contoso.customer, [...holders, ...newcomers]);
  await turnFirstPlanOff(root.id);

  const step = current(h, root.id);
  expectValidModal(step.definition);
  const option = step.blocks
    .flatMap(
      (b) => (b.element as { options?: { value: string; description?: { text: string } }[] })?.options ?? [],
    )
    .find((o) => o.value === E3);
  expect(option?.description?.text).toMatch(/ · 3 would get it · 2 who have it change plans$/);

  const sent = await submitChange(h, root.id, { assign: [E3] });
  expect(sent.responseAction).toBe('update');
  const modal = current(h, root.id);
  expectValidModal(modal.definition);
  const text = blocksText(modal.blocks);
  expect(text).toContain('3 licenses to assign');
  expect(text).toContain('plans to change for 2 users who have the product');
  await h.idle();
});
