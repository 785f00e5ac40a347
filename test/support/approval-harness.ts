/**
 * The approval step end to end: the app harness with approvers, an approvals channel, a low
 * threshold and a clock the service reads, plus the steps people take (submit a large revocation,
 * click a button of the approval message or of App Home, give a reject reason).
 */
import { expect } from 'vitest';
import { ids } from '../../blocks/ids.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import type { Approval } from '../../src/store/store.js';
import {
  chooseCustomer,
  FLOW_CALLS,
  openLicenses,
  pickUsers,
  submitChange,
  toLicenses,
} from '../e2e/flow.js';
import { type AppHarness, CHANNEL, OPERATOR, startAppHarness, TEST_CUSTOMERS } from './app-harness.js';
import { expectValidMessageBlocks, expectValidModal } from './block-kit.js';
import type { BlockActionsResponse } from './slack-driver.js';
import type { FakeMessage, FakeView } from './slack-fake.js';

export const APPROVALS = 'C0APPROVALS';
export const APPROVER_A = 'U0APPROVERA';
export const APPROVER_B = 'U0APPROVERB';
export const STRANGER = 'U0STRANGER';
/** Requests at or above this many revocations need approval in these tests. */
export const THRESHOLD = 3;
export const TTL_HOURS = 24;
/** Power Automate Free: held directly by many Contoso users, needed by no other product. */
export const REVOKED_SKU = DEMO_SKUS.FLOW_FREE;

/** Web API methods the approval step may call. */
export const APPROVAL_ALLOWED = [...FLOW_CALLS, 'chat.postEphemeral', 'chat.getPermalink'];

/** The time the service sees; tests move it forward. */
export class TestClock {
  #ms = Date.now();
  now = (): Date => new Date(this.#ms);
  advanceHours(hours: number): void {
    this.#ms += hours * 3_600_000;
  }
}

export interface ApprovalHarness {
  h: AppHarness;
  clock: TestClock;
  contoso: DemoCustomerData;
}

/**
 * OPERATOR is an approver too, so self-approval is refused for being the requester, not for the role.
 * `close()` closes `h`.
 */
export async function startApprovalHarness(
  env: Record<string, string> = {},
): Promise<ApprovalHarness & { close(): Promise<void> }> {
  const clock = new TestClock();
  const h = await startAppHarness({
    env: {
      APPROVER_USER_IDS: [APPROVER_A, APPROVER_B, OPERATOR].join(','),
      APPROVAL_CHANNEL_ID: APPROVALS,
      APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
      APPROVAL_TTL_HOURS: String(TTL_HOURS),
      ...env,
    },
    service: { now: clock.now },
  });
  const contoso = h.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id);
  if (!contoso) throw new Error('no Contoso in the test tenant');
  return { h, clock, contoso, close: () => h.close() };
}

/** Contoso users holding `skuId` directly (not through a group), whose first name finds them. */
export function directHolders(contoso: DemoCustomerData, skuId: string, count: number) {
  const holders = contoso.users.filter((user) =>
    (contoso.holdings[user.id] ?? []).some((l) => l.skuId === skuId && l.direct && l.viaGroups.length === 0),
  );
  if (holders.length < count) throw new Error(`only ${holders.length} direct holders of ${skuId}`);
  return holders.slice(0, count);
}

export interface Submitted {
  request: ChangeRequest;
  approval: Approval;
  userIds: string[];
  /** The operator's summary message in CHANNEL. */
  summary: FakeMessage;
  /** The approval message in APPROVALS. */
  message: FakeMessage;
  /** The operator's modal after Apply ("Sent for approval"). */
  modal: FakeView;
}

/**
 * The operator revokes REVOKED_SKU from `users` Contoso users with a reason, through the modal;
 * returns what was stored and the operator's summary (the approval message may be missing).
 */
export async function submitRevocation(
  { h, contoso }: ApprovalHarness,
  { users = THRESHOLD, reason = 'Leavers of March' }: { users?: number; reason?: string } = {},
): Promise<Omit<Submitted, 'message'>> {
  const holders = directHolders(contoso, REVOKED_SKU, users);
  const root = await openLicenses(h);
  await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
  for (const user of holders) {
    await pickUsers(h, root.id, user.displayName.split(' ')[0] ?? user.displayName, [user.id]);
  }
  await toLicenses(h, root.id);
  const submitted = await submitChange(h, root.id, { revoke: [REVOKED_SKU], reason });
  expect(submitted.responseAction).toBe('update');
  await h.idle();
  const [request] = await h.service.recentRequests(OPERATOR, 1);
  if (!request) throw new Error('no request was stored');
  const approval = await h.store.getApproval(request.id);
  if (!approval) throw new Error(`request ${request.id} has no approval`);
  const summary = request.report?.ts === undefined ? undefined : h.fake.message(CHANNEL, request.report.ts);
  if (!summary) throw new Error('the summary is missing');
  expectValidMessageBlocks(summary.blocks);
  const modal = h.fake.view(root.id);
  if (!modal) throw new Error('the modal is gone');
  return { request, approval, userIds: holders.map((u) => u.id), summary, modal };
}

/** submitRevocation, with the approval message it posted. */
export async function submitForApproval(
  t: ApprovalHarness,
  options: { users?: number; reason?: string } = {},
): Promise<Submitted> {
  const submitted = await submitRevocation(t, options);
  const where = submitted.approval.message;
  const message = where === undefined ? undefined : t.h.fake.message(where.channel, where.ts);
  if (!message) throw new Error(`request ${submitted.request.id} has no approval message`);
  expectValidMessageBlocks(message.blocks);
  return { ...submitted, message };
}

export type ApprovalButton = 'approve' | 'reject' | 'view';

const actionIds: Record<ApprovalButton, string> = {
  approve: ids.actions.approve,
  reject: ids.actions.reject,
  view: ids.actions.viewRevokeList,
};

/** `user` clicks a button of the approval message (as it is now). */
export function clickApproval(
  h: AppHarness,
  user: string,
  message: Pick<FakeMessage, 'channel' | 'ts'>,
  button: ApprovalButton,
): Promise<BlockActionsResponse> {
  return h.driver.blockActions({
    userId: user,
    message: { channel: message.channel, ts: message.ts },
    actions: [{ actionId: actionIds[button] }],
  });
}

/**
 * A signed block_actions body for a click on the approval message as it was first posted: what a
 * client still showing the old buttons sends, and what a repeated delivery repeats byte for byte.
 */
export function approvalClickBody(h: AppHarness, user: string, submitted: Submitted, button: ApprovalButton) {
  const { message } = submitted;
  const payload = {
    type: 'block_actions',
    team: { id: h.fake.teamId, domain: 'fake' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: h.fake.teamId },
    api_app_id: h.fake.appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: h.fake.issueTriggerId(user),
    channel: { id: message.channel, name: 'approvals' },
    message: { type: 'message', ts: message.ts, text: message.text ?? '', blocks: message.blocks ?? [] },
    state: { values: {} },
    response_url: h.fake.issueResponseUrl().url,
    actions: [
      {
        type: 'button',
        action_id: actionIds[button],
        block_id: ids.blocks.approvalActions,
        text: { type: 'plain_text', text: button },
        value: submitted.request.id,
        action_ts: '1700000000.000100',
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...h.driver.sign(body) } };
}

/** `user` clicks a button the approval message no longer shows (a stale client). */
export function staleClick(h: AppHarness, user: string, submitted: Submitted, button: ApprovalButton) {
  const { body, headers } = approvalClickBody(h, user, submitted, button);
  return h.driver.raw(body, headers);
}

/** The approval message as it is now. */
export function approvalMessage(h: AppHarness, submitted: Submitted): FakeMessage {
  const message = h.fake.message(submitted.message.channel, submitted.message.ts);
  if (!message) throw new Error('the approval message is gone');
  expectValidMessageBlocks(message.blocks);
  return message;
}

/** The buttons' action ids left on a message. */
export function buttonsOf(message: FakeMessage): string[] {
  return (message.blocks ?? []).flatMap((block) =>
    block.type === 'actions' && Array.isArray(block.elements)
      ? block.elements.map((e) => String((e as { action_id?: unknown }).action_id))
      : [],
  );
}

/** Ephemeral texts `user` got. */
export function ephemeralTexts(h: AppHarness, user: string): string[] {
  return h.fake
    .ephemerals()
    .filter((e) => e.user === user)
    .map((e) => e.text ?? '');
}

/** Opens the reject modal as `user` and submits `reason`; returns the driver's answer. */
export async function rejectWithReason(h: AppHarness, user: string, submitted: Submitted, reason: string) {
  const click = await clickApproval(h, user, submitted.message, 'reject');
  expect(click.status).toBe(200);
  const modal = await h.fake.waitFor(() => h.fake.openModalOf(user), 5000);
  expect(modal.callbackId).toBe(ids.views.rejectReason);
  expectValidModal(modal.definition);
  return h.driver.viewSubmission({
    userId: user,
    viewId: modal.id,
    values: { [ids.blocks.rejectReason]: { [ids.actions.rejectReason]: { value: reason } } },
  });
}

/** Audit actions of a request, oldest first. */
export async function auditActions(h: AppHarness, requestId: string): Promise<string[]> {
  const entries = await h.store.listAudit({ requestId, limit: 1000 });
  return entries.map((e) => (e.outcome === undefined ? e.action : `${e.action}:${e.outcome}`)).reverse();
}
