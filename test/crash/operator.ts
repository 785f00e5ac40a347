/**
 * What people do in Slack during the crash tests, against a child process (test/support/child-app.ts):
 * the operator's /licenses flow up to Apply, a manager's Approve, and reading back what they were
 * shown. Every step waits for the child's answer to be on screen in the Slack fake.
 */
import { BREAK_GLASS_VALUE } from '../../blocks/break-glass.js';
import { ids, patterns } from '../../blocks/ids.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { SeededRandom } from '../../src/providers/demo/seeded-random.js';
import { blocksText, ticks } from '../e2e/flow.js';
import type { ChildApp, ChildSignal } from '../support/child-app.js';
import type { FakeMessage, FakeView, SlackFake } from '../support/slack-fake.js';

export const OPERATOR = 'U0OPERATOR';
export const CHANNEL = 'C0LICENSES';
export const APPROVALS = 'C0APPROVALS';
export const APPROVER = 'U0APPROVERA';
export const SECOND_APPROVER = 'U0APPROVERB';

/** What a plain_text_input holds (Slack's max_length is 3,000). */
const PASTE_LIMIT = 3000;
const STEP_TIMEOUT_MS = 10_000;

/** The seed of a crash test: CRASH_SEED when given (to replay a failure), else a fresh one. */
export function crashSeed(): number {
  const given = Number(process.env.CRASH_SEED);
  return Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2 ** 31);
}

/** A seeded random source with the helpers the tests need. */
export class Dice {
  readonly #random: SeededRandom;
  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }
  /** An integer in [min, max). */
  between(min: number, max: number): number {
    return min + this.#random.int(max - min);
  }
  /**
   * An integer in [0, max], skewed toward 0 (cube of a uniform draw: half the draws fall in the
   * first eighth): the windows a crash can fall into are short and come first.
   */
  earlyIn(max: number): number {
    return Math.round(max * this.#random.next() ** 3);
  }
  /** The signal of each of `rounds` rounds (0-based): `sigterms` of them, at random, SIGTERM; the others kill -9. */
  signals(rounds: number, sigterms: number): (round: number) => ChildSignal {
    const terminated = new Set(this.shuffle([...Array(rounds).keys()]).slice(0, sigterms));
    return (round) => (terminated.has(round) ? 'SIGTERM' : 'SIGKILL');
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#random.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function messageText(message: FakeMessage): string {
  return `${message.text ?? ''}\n${blocksText(message.blocks)}`;
}

/** Request ids (`req_…`) named in a text. */
export function requestIdsIn(text: string): string[] {
  return [...new Set(text.match(/\breq_[a-z2-7]{10}\b/g) ?? [])];
}

function view(child: ChildApp, viewId: string): FakeView {
  const found = child.fake.view(viewId);
  if (!found) throw new Error(`the Slack fake has no view ${viewId}`);
  return found;
}

/** Waits until the view satisfies `ready` (the child may answer with a placeholder and update later). */
async function viewWhen(child: ChildApp, viewId: string, ready: (view: FakeView) => boolean, what: string) {
  try {
    return await child.fake.waitFor(() => {
      const current = view(child, viewId);
      return ready(current) ? current : undefined;
    }, STEP_TIMEOUT_MS);
  } catch {
    const current = view(child, viewId);
    throw new Error(
      `${what}: the view stayed ${current.callbackId} "${blocksText(current.blocks).slice(0, 300)}"\n${child.output(3000)}`,
    );
  }
}

const hasBlock = (pattern: RegExp) => (v: FakeView) =>
  v.blocks.some((block) => typeof block.block_id === 'string' && pattern.test(block.block_id));

/** E-mails packed into pastes that each fit the paste box. */
function pastes(emails: readonly string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const email of emails) {
    const next = current === '' ? email : `${current}\n${email}`;
    if (next.length > PASTE_LIMIT && current !== '') {
      out.push(current);
      current = email;
    } else current = next;
  }
  if (current !== '') out.push(current);
  return out;
}

/**
 * /licenses → the customer → the users (pasted e-mails) → Next: the manage step, ready to tick.
 * Returns the modal's root view id.
 */
export async function openManageStep(
  child: ChildApp,
  customer: DemoCustomerData,
  emails: readonly string[],
): Promise<string> {
  const { driver, fake } = child;
  const before = fake.openModalOf(OPERATOR)?.id;
  if (before !== undefined) fake.clearModal(before);
  const command = await driver.command({ userId: OPERATOR, channelId: CHANNEL });
  if (command.status !== 200) throw new Error(`/licenses answered ${command.status}`);
  const root = await fake.waitFor(() => fake.openModalOf(OPERATOR), STEP_TIMEOUT_MS);
  const viewId = root.id;
  await viewWhen(child, viewId, hasBlock(new RegExp(`^${ids.blocks.customer}$`)), 'the customer step');

  const query = customer.customer.name.split(' ')[0] ?? customer.customer.name;
  const suggestion = await driver.blockSuggestion({
    userId: OPERATOR,
    viewId,
    blockId: ids.blocks.customer,
    actionId: ids.actions.customer,
    value: query,
  });
  const option = suggestion.options.find((o) => o.value === customer.customer.id);
  if (!option) throw new Error(`customer ${customer.customer.name} not offered for "${query}"`);
  await driver.viewSubmission({
    userId: OPERATOR,
    viewId,
    values: { [ids.blocks.customer]: { [ids.actions.customer]: { selected_option: option } } },
  });
  await viewWhen(child, viewId, hasBlock(patterns.pasteBlock), 'the users step');

  for (const text of pastes(emails)) {
    const current = view(child, viewId);
    const block = current.blocks.find((b) => patterns.pasteBlock.test(String(b.block_id)));
    if (!block) throw new Error('no paste box on the users step');
    fake.enterValues(viewId, { [String(block.block_id)]: { [ids.actions.pasteEmails]: { value: text } } });
    const updates = current.updates;
    await driver.blockActions({ userId: OPERATOR, viewId, actions: [{ actionId: ids.actions.addEmails }] });
    await viewWhen(
      child,
      viewId,
      (v) => v.updates > updates && hasBlock(patterns.pasteBlock)(v),
      'adding pasted e-mails',
    );
  }
  const selected = blocksText(view(child, viewId).blocks);
  const count = emails.length === 1 ? '1 user' : `${emails.length} users`;
  if (!selected.includes(`Selected: ${count}`)) {
    throw new Error(`after pasting ${emails.length} e-mails the users step says: ${selected.slice(0, 500)}`);
  }

  await driver.viewSubmission({ userId: OPERATOR, viewId });
  await viewWhen(child, viewId, hasBlock(patterns.assign), 'the manage step');
  return viewId;
}

/**
 * Ticks `skuId` to revoke on the manage step as a click does (the revoke group dispatches its
 * action), and waits for the view to ask for approval: its break-glass option shows then.
 */
export async function tickRevokeNeedingApproval(
  child: ChildApp,
  viewId: string,
  skuId: string,
): Promise<void> {
  const current = view(child, viewId);
  const block = current.blocks.find(
    (b) =>
      patterns.revoke.test(String(b.block_id)) &&
      ((b.element as { options?: { value?: string }[] } | undefined)?.options ?? []).some(
        (o) => o.value === skuId,
      ),
  );
  const option = (block?.element as { options?: { value?: string }[] } | undefined)?.options?.find(
    (o) => o.value === skuId,
  );
  if (!block || !option) throw new Error(`no revoke group offers ${skuId}`);
  const blockId = String(block.block_id);
  await child.driver.blockActions({
    userId: OPERATOR,
    viewId,
    actions: [{ actionId: blockId, blockId, select: [option as never] }],
  });
  await viewWhen(child, viewId, hasBlock(new RegExp(`^${ids.blocks.breakGlass}$`)), 'the break-glass option');
}

export interface Told {
  /** The request id the operator was shown. */
  requestId: string;
  /** "running" (Request sent) or "pending_approval" (Sent for approval). */
  status: 'running' | 'pending_approval';
  /** performance.now() when the operator saw it. */
  at: number;
}

/**
 * Next on the manage step, then Apply / Request approval on its preview; resolves once the operator
 * is shown the submitted view with its request id (in the ack, or by the views.update that follows
 * a placeholder ack).
 */
export async function apply(
  child: ChildApp,
  viewId: string,
  change: { assign?: readonly string[]; revoke?: readonly string[]; reason?: string; breakGlass?: boolean },
): Promise<Told> {
  const current = view(child, viewId);
  const values = {
    ...ticks(current, 'assign', change.assign ?? []),
    ...ticks(current, 'revoke', change.revoke ?? []),
    ...(change.reason === undefined
      ? {}
      : { [ids.blocks.reason]: { [ids.actions.reason]: { value: change.reason } } }),
    ...(change.breakGlass === true
      ? {
          [ids.blocks.breakGlass]: {
            [ids.actions.breakGlass]: { selected_options: [{ value: BREAK_GLASS_VALUE }] },
          },
        }
      : {}),
  };
  const response = await child.driver.viewSubmission({ userId: OPERATOR, viewId, values });
  if (response.responseAction === 'errors') {
    throw new Error(`Apply was refused: ${JSON.stringify(response.errors)}`);
  }
  // The preview of what will happen, then its submit (Apply / Request approval).
  await viewWhen(child, viewId, hasBlock(new RegExp(`^${ids.blocks.previewActions}$`)), 'the preview');
  const confirmed = await child.driver.viewSubmission({ userId: OPERATOR, viewId });
  if (confirmed.status !== 200) throw new Error(`the preview's submit answered ${confirmed.status}`);
  const shown = await viewWhen(
    child,
    viewId,
    (v) => v.callbackId === ids.views.submitted && requestIdsIn(blocksText(v.blocks)).length > 0,
    'the submitted view',
  );
  const text = blocksText(shown.blocks);
  const [requestId] = requestIdsIn(text);
  if (requestId === undefined) throw new Error(`no request id in the submitted view: ${text}`);
  return {
    requestId,
    status: /waiting for approval/.test(text) ? 'pending_approval' : 'running',
    at: performance.now(),
  };
}

/** The operator's whole flow for `users` of `customer`: the manage step (openManageStep), then `change` applied. */
export async function submitChange(
  child: ChildApp,
  customer: DemoCustomerData,
  users: readonly { email: string }[],
  change: Parameters<typeof apply>[2],
): Promise<Told> {
  const viewId = await openManageStep(
    child,
    customer,
    users.map((user) => user.email),
  );
  return apply(child, viewId, change);
}

/** The top-level messages in `channel` that name `requestId`, oldest first. */
export function messagesAbout(fake: SlackFake, channel: string, requestId: string): FakeMessage[] {
  return fake.messages(channel).filter((m) => m.threadTs === undefined && messageText(m).includes(requestId));
}

/** True when the operator's summary of `requestId` says it completed. */
export function shownCompleted(fake: SlackFake, requestId: string): boolean {
  return messagesAbout(fake, CHANNEL, requestId).some((m) => /\bcompleted: \d+ succeeded/.test(m.text ?? ''));
}

/**
 * Waits until every request in `requestIds` shows "completed" in its summary, or none more did
 * for `quietMs` (a lost request never will), or `timeoutMs` passed; returns those that did not.
 */
export async function waitUntilShownCompleted(
  fake: SlackFake,
  requestIds: readonly string[],
  { quietMs = 10_000, timeoutMs = 30_000 }: { quietMs?: number; timeoutMs?: number } = {},
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let open = requestIds.filter((id) => !shownCompleted(fake, id));
  let changedAt = Date.now();
  while (open.length > 0 && Date.now() < deadline && Date.now() - changedAt < quietMs) {
    await sleep(50);
    const now = open.filter((id) => !shownCompleted(fake, id));
    if (now.length !== open.length) changedAt = Date.now();
    open = now;
  }
  return open;
}

/** The approval message of `requestId` in the approvals channel, once posted. */
export function approvalMessageOf(fake: SlackFake, requestId: string): FakeMessage | undefined {
  return fake.messages(APPROVALS).find((m) => m.threadTs === undefined && messageText(m).includes(requestId));
}

/** Buttons' action ids left on a message. */
export function buttonsOf(message: FakeMessage): string[] {
  return (message.blocks ?? []).flatMap((block) =>
    block.type === 'actions' && Array.isArray(block.elements)
      ? block.elements.map((e) => String((e as { action_id?: unknown }).action_id))
      : [],
  );
}

/** True once the approval message tells that `approver` approved it. */
export function shownApproved(message: FakeMessage | undefined, approver: string): boolean {
  return message !== undefined && new RegExp(`Approved\\W+by <@${approver}>`).test(messageText(message));
}
