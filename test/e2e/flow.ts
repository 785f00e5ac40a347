/**
 * The operator's steps through /licenses, as Slack would send them, for the e2e tests. Each step
 * waits until the app has put its answer on screen (the fake's view changed) before returning.
 */
import { expect } from 'vitest';
import { filterValue } from '../../blocks/holdings-filter.js';
import { ids, patterns } from '../../blocks/ids.js';
import type { DemoCustomerData, DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, demoCases, generateCustomer } from '../../src/providers/demo/generator.js';
import { CALLING_PLAN_COUNTRIES } from '../../src/providers/demo/rules.js';
import type { UserFilter } from '../../src/providers/license-provider.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { expectValidMessageBlocks, expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { findAction, optionsOf } from '../support/slack-driver.js';
import {
  CSV_UPLOAD_CALLS,
  type FakeMessage,
  type FakeView,
  type SlackObject,
} from '../support/slack-fake.js';

/** The Web API methods the operator's flow calls, up to the results CSV uploaded to the run's thread. */
export const FLOW_CALLS = [
  'auth.test',
  'views.open',
  'views.update',
  'views.push',
  'chat.postMessage',
  'chat.update',
  ...CSV_UPLOAD_CALLS,
];

/** `value`, or a failed test saying what was missing (where a non-null assertion would hide it). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** Contoso's part of the demo tenant the harness runs on (its users, products and holdings). */
export function contosoOf<C extends { customer: { id: string } }>(data: { customers: readonly C[] }): C {
  return present(
    data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id),
    'Contoso in the demo tenant',
  );
}

/** What the operator types to find a user: the first word of their name. */
export function firstName(user: { displayName: string }): string {
  return user.displayName.split(' ')[0] ?? user.displayName;
}

export interface Actor {
  user?: string;
}

/** The view as it is now (after the app's updates). */
export function current(h: AppHarness, viewId: string): FakeView {
  const view = h.fake.view(viewId);
  if (!view) throw new Error(`no view ${viewId}`);
  return view;
}

/** Runs `act` and waits until the view was replaced by the app (views.update after an ack). */
export async function andWaitForUpdate(
  h: AppHarness,
  viewId: string,
  act: () => Promise<unknown>,
): Promise<FakeView> {
  const before = current(h, viewId).updates;
  await act();
  await h.fake.waitFor(() => current(h, viewId).updates > before, 5000);
  const view = current(h, viewId);
  expectValidModal(view.definition);
  return view;
}

/** `/licenses [text]` → the modal's root view id once it shows `callbackId`. */
export async function openLicenses(
  h: AppHarness,
  { user = OPERATOR, channel = CHANNEL, text = '' }: { user?: string; channel?: string; text?: string } = {},
): Promise<FakeView> {
  const response = await h.driver.command({ userId: user, channelId: channel, text });
  expect(response.status).toBe(200);
  expect(response.body ?? '').toBe('');
  const view = await h.fake.waitFor(() => h.fake.openModalOf(user), 5000);
  expectValidModal(view.definition);
  return view;
}

/** Types in the customer typeahead and submits the step with the customer. */
export async function chooseCustomer(
  h: AppHarness,
  viewId: string,
  query: string,
  customerId: string,
  user = OPERATOR,
) {
  const suggestion = await h.driver.blockSuggestion({
    userId: user,
    viewId,
    blockId: ids.blocks.customer,
    actionId: ids.actions.customer,
    value: query,
  });
  const option = suggestion.options.find((o) => o.value === customerId);
  expect(option, `customer ${customerId} offered for "${query}"`).toBeDefined();
  const submitted = await h.driver.viewSubmission({
    userId: user,
    viewId,
    values: { [ids.blocks.customer]: { [ids.actions.customer]: { selected_option: option } } },
  });
  expect(submitted.responseAction).toBe('update');
  const view = current(h, viewId);
  expect(view.callbackId).toBe(ids.views.users);
  return view;
}

function blockIdOf(view: FakeView, pattern: RegExp): string {
  const block = view.blocks.find((b) => typeof b.block_id === 'string' && pattern.test(b.block_id));
  if (!block) throw new Error(`no block ${pattern} in view ${view.id}`);
  return block.block_id as string;
}

/** Searches the typeahead and picks the users with these ids from the suggestions. */
export async function pickUsers(
  h: AppHarness,
  viewId: string,
  query: string,
  userIds: readonly string[],
  user = OPERATOR,
) {
  const blockId = blockIdOf(current(h, viewId), patterns.userSearchBlock);
  const suggestion = await h.driver.blockSuggestion({
    userId: user,
    viewId,
    blockId,
    actionId: ids.actions.userSearch,
    value: query,
  });
  const picked = userIds.map((id) => {
    const option = suggestion.options.find((o) => o.value === id);
    if (!option) throw new Error(`user ${id} not suggested for "${query}"`);
    return option;
  });
  return andWaitForUpdate(h, viewId, () =>
    h.driver.blockActions({
      userId: user,
      viewId,
      actions: [{ actionId: ids.actions.userSearch, blockId, select: picked }],
    }),
  );
}

/** Clicks a button of the view (by action id) and waits for the app's update. */
export function click(h: AppHarness, viewId: string, actionId: string, user = OPERATOR) {
  return andWaitForUpdate(h, viewId, () =>
    h.driver.blockActions({ userId: user, viewId, actions: [{ actionId }] }),
  );
}

/** Ticks exactly `userIds` among the browser page's checkboxes. */
export function tickPage(h: AppHarness, viewId: string, userIds: readonly string[], user = OPERATOR) {
  const blockId = blockIdOf(current(h, viewId), patterns.browseBlock);
  return andWaitForUpdate(h, viewId, () =>
    h.driver.blockActions({
      userId: user,
      viewId,
      actions: [{ actionId: ids.actions.browsePick, blockId, select: [...userIds] }],
    }),
  );
}

/** Chooses `filter` in "Add every user who…" and waits for the view the app puts back. */
export async function selectBy(h: AppHarness, viewId: string, filter: UserFilter) {
  const block = present(
    current(h, viewId).blocks.find((b) => patterns.selectBy.test(String(b.block_id))),
    'the "Add every user who…" select',
  );
  // Opening the select loads its options (block_suggestion), as Slack does; the pick is one of them.
  const suggestion = await h.driver.blockSuggestion({
    userId: OPERATOR,
    viewId,
    blockId: String(block.block_id),
    actionId: ids.actions.selectBy,
    value: '',
  });
  const picked = present(
    suggestion.options.find((o) => o.value === filterValue(filter)),
    `the option ${filterValue(filter)}`,
  );
  return andWaitForUpdate(h, viewId, () =>
    h.driver.blockActions({
      userId: OPERATOR,
      viewId,
      actions: [{ actionId: ids.actions.selectBy, blockId: String(block.block_id), select: [picked] }],
    }),
  );
}

/** The users selected on the view, sorted: kept in its draft (the view carries only the draft id). */
export async function draftSelection(h: AppHarness, viewId: string): Promise<string[]> {
  const metadata = JSON.parse(current(h, viewId).privateMetadata) as { draftId: string };
  return [...((await h.store.getDraft(metadata.draftId))?.selectedUserIds ?? [])].sort();
}

/** The paste box of the users step as it is on screen. */
export function pasteBox(h: AppHarness, viewId: string): SlackObject {
  return present(
    current(h, viewId).blocks.find((b) => patterns.pasteBlock.test(String(b.block_id))),
    'the paste box',
  );
}

/** Pastes `emails` into the users step's paste box, as many at a time as it holds, each followed by "Add". */
export async function pasteEmails(h: AppHarness, viewId: string, emails: readonly string[]) {
  for (const text of pastes(emails)) {
    h.fake.enterValues(viewId, {
      [String(pasteBox(h, viewId).block_id)]: { [ids.actions.pasteEmails]: { value: text } },
    });
    await click(h, viewId, ids.actions.addEmails);
  }
}

/** The user ids offered on the browser's current page. */
export function pageUserIds(view: FakeView): string[] {
  const blockId = blockIdOf(view, patterns.browseBlock);
  return optionsOf(findAction(view, ids.actions.browsePick, blockId).element).map((o) => String(o.value));
}

/** "Next" on the users step → the manage-licenses step. */
export async function toLicenses(h: AppHarness, viewId: string, user = OPERATOR): Promise<FakeView> {
  const submitted = await h.driver.viewSubmission({ userId: user, viewId });
  expect(submitted.responseAction).toBe('update');
  const view = current(h, viewId);
  expect(view.callbackId).toBe(ids.views.manage);
  expectValidModal(view.definition);
  return view;
}

/** The checkbox state values that tick `skuIds` in the assign (or revoke) groups of the view. */
export function ticks(
  view: FakeView,
  kind: 'assign' | 'revoke',
  skuIds: readonly string[],
): Record<string, Record<string, SlackObject>> {
  const pattern = kind === 'assign' ? patterns.assign : patterns.revoke;
  const values: Record<string, Record<string, SlackObject>> = {};
  const wanted = new Set(skuIds);
  for (const block of view.blocks) {
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    if (block.type !== 'input' || !pattern.test(blockId)) continue;
    const element = block.element as SlackObject;
    const chosen = optionsOf(element).filter((o) => wanted.has(String(o.value)));
    values[blockId] = { [String(element.action_id)]: { selected_options: chosen } };
    for (const o of chosen) wanted.delete(String(o.value));
  }
  if (wanted.size > 0) throw new Error(`products not offered to ${kind}: ${[...wanted].join(', ')}`);
  return values;
}

export interface Change {
  assign?: readonly string[];
  revoke?: readonly string[];
  reason?: string;
  /** Other state values of the manage step (e.g. the break-glass box). */
  values?: Record<string, Record<string, SlackObject>>;
}

/** The state values of the manage step that tick `change` (and type its reason). */
export function changeValues(view: FakeView, change: Change): Record<string, Record<string, SlackObject>> {
  return {
    ...ticks(view, 'assign', change.assign ?? []),
    ...ticks(view, 'revoke', change.revoke ?? []),
    ...(change.reason === undefined
      ? {}
      : { [ids.blocks.reason]: { [ids.actions.reason]: { value: change.reason } } }),
    ...change.values,
  };
}

/** True once the preview is on screen (not its loading view). */
export function showsPreview(view: FakeView): boolean {
  return (
    view.callbackId === ids.views.preview && view.blocks.some((b) => b.block_id === ids.blocks.previewActions)
  );
}

/**
 * Submits the manage step with the given ticks: the refusal (errors), or the preview once it is on
 * screen (a late check answers with a loading view first). From the preview, "‹ Back" first.
 */
export async function toPreview(h: AppHarness, viewId: string, change: Change, user = OPERATOR) {
  if (current(h, viewId).callbackId === ids.views.preview)
    await click(h, viewId, ids.actions.previewBack, user);
  const values = changeValues(current(h, viewId), change);
  const answer = await h.driver.viewSubmission({ userId: user, viewId, values });
  if (answer.responseAction === 'update' && current(h, viewId).callbackId === ids.views.preview) {
    await h.fake.waitFor(
      () => showsPreview(current(h, viewId)) || current(h, viewId).callbackId !== ids.views.preview,
      5000,
    );
    expectValidModal(current(h, viewId).definition);
  }
  return answer;
}

/** Submits the preview on screen (Apply / Request approval / Run now). */
export function confirm(h: AppHarness, viewId: string, user = OPERATOR) {
  expect(current(h, viewId).callbackId).toBe(ids.views.preview);
  return h.driver.viewSubmission({ userId: user, viewId });
}

/**
 * Submits the manage-licenses step with the given ticks and confirms its preview: the answer to
 * the confirm, or the manage step's when it was refused there (or answered as already submitted).
 */
export async function submitChange(h: AppHarness, viewId: string, change: Change, user = OPERATOR) {
  const answer = await toPreview(h, viewId, change, user);
  if (answer.responseAction !== 'update' || !showsPreview(current(h, viewId))) return answer;
  return confirm(h, viewId, user);
}

/** The full operator flow up to the manage step: /licenses, customer, users picked by typeahead. */
export async function selectUsers(
  h: AppHarness,
  customer: { id: string; name: string },
  users: readonly { id: string; displayName: string }[],
  operator = OPERATOR,
): Promise<FakeView> {
  const root = await openLicenses(h, { user: operator });
  expect(root.callbackId).toBe(ids.views.customer);
  await chooseCustomer(h, root.id, customer.name.slice(0, 3), customer.id, operator);
  for (const user of users) await pickUsers(h, root.id, firstName(user), [user.id], operator);
  return toLicenses(h, root.id, operator);
}

/** Waits for the background run; returns the summary message and its thread, all validated. */
export async function finishedRun(
  h: AppHarness,
  channel = CHANNEL,
): Promise<{ summary: FakeMessage; thread: FakeMessage[] }> {
  await h.idle();
  const summary = h.fake.messages(channel).find((m) => m.threadTs === undefined);
  if (!summary) throw new Error(`no summary in ${channel}`);
  const thread = h.fake.thread(channel, summary.ts);
  for (const message of [summary, ...thread]) {
    if (message.blocks) expectValidMessageBlocks(message.blocks);
  }
  return { summary, thread };
}

/**
 * No Contoso user can get a Calling Plan as generated, and a request whose every change would fail
 * cannot be submitted: one unlicensed user in a Calling Plan country is given E5 (Teams Phone).
 */
export function withCaller(data: DemoTenantData): { data: DemoTenantData; callerId: string } {
  const contoso = contosoOf(data);
  const scripted = new Set(Object.values(demoCases(contoso)).map((u) => u.id));
  const caller = present(
    contoso.users.find(
      (u) =>
        !scripted.has(u.id) &&
        u.usageLocation !== null &&
        CALLING_PLAN_COUNTRIES.includes(u.usageLocation) &&
        (contoso.holdings[u.id] ?? []).length === 0,
    ),
    'an unlicensed user in a Calling Plan country',
  );
  contoso.holdings[caller.id] = [{ skuId: DEMO_SKUS.SPE_E5, disabledPlans: [], direct: true, viaGroups: [] }];
  return { data, callerId: caller.id };
}

/** A harness for this test on the demo tenant with withCaller's caller, `then` applied to its data. */
export async function startWithCaller(
  then: (data: DemoTenantData) => DemoTenantData = (data) => data,
): Promise<{ h: AppHarness; callerId: string }> {
  let callerId = '';
  const h = closedAfterTest(
    await startAppHarness({
      tenant: (data) => {
        const given = withCaller(data);
        callerId = given.callerId;
        return then(given.data);
      },
    }),
  );
  return { h, callerId };
}

/** Contoso's `skuId` with seats for `seats` more users than hold it: the users beyond them fail "no seats". */
export function withSeatsLeft(data: DemoTenantData, skuId: string, seats: number): DemoTenantData {
  const contoso = contosoOf(data);
  const product = present(
    contoso.products.find((p) => p.skuId === skuId),
    `product ${skuId} at Contoso`,
  );
  const holders = Object.values(contoso.holdings).filter((ls) => ls.some((l) => l.skuId === skuId)).length;
  product.prepaid = { enabled: holders + seats, warning: 0, suspended: 0 };
  return data;
}

/**
 * Humongous Insurance: a customer of `users` users to add to the test tenant, for requests at
 * scale, with `spareSeats` seats free of each product (generateCustomer's default: 1,000).
 */
export function humongous(users: number, spareSeats?: number): DemoCustomerData {
  return generateCustomer({
    seed: 4242,
    users,
    name: 'Humongous Insurance',
    id: 'cust-humongous',
    spareSeats,
  });
}

/** All text of blocks (section, context, header texts), for reading what people see. */
export function blocksText(blocks: readonly unknown[] | undefined): string {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') texts.push(record.text);
      for (const value of Object.values(record)) if (typeof value === 'object') walk(value);
    }
  };
  walk(blocks ?? []);
  return texts.join('\n');
}

/** All text of messages (text + section/context texts), for assertions on what people read. */
export function textOf(messages: readonly FakeMessage[]): string {
  return messages
    .flatMap((message) => [message.text ?? '', blocksText(message.blocks)])
    .filter((text) => text !== '')
    .join('\n');
}

/**
 * Opens `skuId`'s service plans from the manage step and saves them with only the first one off;
 * that plan's id and name.
 */
export async function turnFirstPlanOff(
  h: AppHarness,
  viewId: string,
  skuId: string,
): Promise<{ id: string; name: string }> {
  // The step's "Service plans" button of the product opens the plans modal on top of the step.
  const elements = current(h, viewId).blocks.flatMap(
    (b) => (b.elements as { action_id?: string; value?: string }[] | undefined) ?? [],
  );
  const actionId = elements.find(
    (e) => e.value === skuId && patterns.plans.test(e.action_id ?? ''),
  )?.action_id;
  if (actionId === undefined) throw new Error(`no service plans button for ${skuId}`);
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
  const option = element.options[0] as { value?: string; text?: { text?: string } } | undefined;
  return { id: String(option?.value), name: String(option?.text?.text) };
}

/** Slack Web API calls counted by method. */
export function countByMethod(calls: readonly { method: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.method] = (counts[call.method] ?? 0) + 1;
  return counts;
}

/** E-mails in pastes that each fit the paste box (a plain_text_input holds 3,000 characters). */
function pastes(emails: readonly string[], limit = 3000): string[] {
  const out: string[] = [];
  let current = '';
  for (const email of emails) {
    const next = current === '' ? email : `${current}\n${email}`;
    if (next.length > limit) {
      out.push(current);
      current = email;
    } else current = next;
  }
  if (current !== '') out.push(current);
  return out;
}
