import { afterEach, describe, expect, it } from 'vitest';
import { BREAK_GLASS_REASON_REQUIRED, BREAK_GLASS_VALUE } from '../../blocks/break-glass.js';
import { ids, patterns } from '../../blocks/ids.js';
import { CHANNEL, OPERATOR, startAppHarness } from '../support/app-harness.js';
import {
  APPROVAL_ALLOWED,
  APPROVALS,
  APPROVER_A,
  APPROVER_B,
  type ApprovalHarness,
  auditActions,
  buttonsOf,
  directHolders,
  ephemeralTexts,
  REVOKED_SKU,
  STRANGER,
  TestClock,
  THRESHOLD,
} from '../support/approval-harness.js';
import { expectValidMessageBlocks, expectValidModal } from '../support/block-kit.js';
import type { SlackObject } from '../support/slack-fake.js';
import { andWaitForUpdate, contosoOf, current, selectUsers, submitChange, textOf, ticks } from './flow.js';

/** An operator who is not in BREAK_GLASS_USER_IDS (the demo provider lets everyone operate). */
const OTHER = 'U0OTHEROP';
const REASON = 'Compromised accounts: cut access now';

let t: ApprovalHarness;
afterEach(async () => {
  await t?.h.close();
});

/** The approval harness (threshold 3), OPERATOR may break glass; 20 Contoso users hold REVOKED_SKU directly. */
async function start(): Promise<ApprovalHarness> {
  const clock = new TestClock();
  const h = await startAppHarness({
    env: {
      APPROVER_USER_IDS: [APPROVER_A, APPROVER_B, OPERATOR].join(','),
      APPROVAL_CHANNEL_ID: APPROVALS,
      APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
      BREAK_GLASS_USER_IDS: OPERATOR,
    },
    service: { now: clock.now },
    tenant: (data) => {
      const contoso = contosoOf(data);
      const plain = contoso.users.filter((u) =>
        (contoso.holdings[u.id] ?? []).every((l) => l.viaGroups.length === 0),
      );
      for (const user of plain.slice(0, 20)) {
        const held = contoso.holdings[user.id] ?? [];
        if (held.some((l) => l.skuId === REVOKED_SKU)) continue;
        contoso.holdings[user.id] = [
          ...held,
          { skuId: REVOKED_SKU, disabledPlans: [], direct: true, viaGroups: [] },
        ];
      }
      return data;
    },
  });
  return { h, clock, contoso: contosoOf(h.data) };
}

const holds = (userId: string) =>
  t.h.provider.holdingsOf(t.contoso.customer.id, userId).some((l) => l.skuId === REVOKED_SKU);

/** `user` opens the manage step for `count` Contoso holders and ticks revoke (the approval notice follows). */
async function manageStep(user: string, count: number) {
  const { h, contoso } = t;
  const holders = directHolders(contoso, REVOKED_SKU, count);
  const root = await selectUsers(h, contoso.customer, holders, user);
  const offers = (b: SlackObject) =>
    patterns.revoke.test(String(b.block_id)) &&
    ((b.element as { options?: SlackObject[] } | undefined)?.options ?? []).some(
      (o) => o.value === REVOKED_SKU,
    );
  const block = current(h, root.id).blocks.find(offers);
  if (!block) throw new Error(`no revoke group offers ${REVOKED_SKU}`);
  const option = (block.element as { options: SlackObject[] }).options.find((o) => o.value === REVOKED_SKU);
  const blockId = String(block.block_id);
  await andWaitForUpdate(h, root.id, () =>
    h.driver.blockActions({
      userId: user,
      viewId: root.id,
      actions: [{ actionId: blockId, blockId, select: [option as SlackObject] }],
    }),
  );
  const view = current(h, root.id);
  expectValidModal(view.definition);
  return { viewId: root.id, view, userIds: holders.map((u) => u.id) };
}

const breakGlassTicked = {
  [ids.blocks.breakGlass]: { [ids.actions.breakGlass]: { selected_options: [{ value: BREAK_GLASS_VALUE }] } },
};

/** The manage step submitted with the revocations (and break-glass ticked), then its preview confirmed. */
function submit(user: string, viewId: string, reason: string, breakGlass: boolean) {
  return submitChange(
    t.h,
    viewId,
    { revoke: [REVOKED_SKU], reason, ...(breakGlass ? { values: breakGlassTicked as never } : {}) },
    user,
  );
}

/** The break-glass operator runs a 20-revocation request at once; returns its request id and notice. */
async function brokenGlass() {
  const { h } = t;
  const step = await manageStep(OPERATOR, 20);
  expect(step.view.blocks.some((b) => b.block_id === ids.blocks.breakGlass)).toBe(true);
  const answer = await submit(OPERATOR, step.viewId, REASON, true);
  expect(answer.responseAction).toBe('update');
  await h.idle();
  const [request] = await h.service.recentRequests(OPERATOR, 1);
  if (!request) throw new Error('no request stored');
  const notice = h.fake.messages(APPROVALS).find((m) => m.threadTs === undefined);
  if (!notice) throw new Error('no notice in the approvals channel');
  expectValidMessageBlocks(notice.blocks);
  return { request, notice, userIds: step.userIds };
}

function clickAcknowledge(user: string, notice: { channel: string; ts: string }, value: string) {
  return t.h.driver.blockActions({
    userId: user,
    message: { channel: notice.channel, ts: notice.ts },
    actions: [{ actionId: ids.actions.acknowledgeBreakGlass, value }],
  });
}

describe('break-glass', () => {
  it('runs a 20-revocation request at once with its reason, posted as "run without approval" and audited', async () => {
    t = await start();
    const { request, notice, userIds } = await brokenGlass();
    const done = await t.h.store.getRequest(request.id);
    expect(done?.status).toBe('completed');
    expect(done?.approvalRequired).toBe(false);
    expect(await t.h.store.getApproval(request.id)).toBeNull();
    for (const userId of userIds) expect(holds(userId)).toBe(false);

    const text = textOf([notice]);
    expect(text.toLowerCase()).toContain('run without approval');
    expect(text).toContain(`<@${OPERATOR}>`);
    expect(text).toContain('20 users');
    expect(text).toContain(REASON);
    expect(text).toContain("The requester's thread");
    expect(buttonsOf(notice)).toEqual([ids.actions.acknowledgeBreakGlass]);

    const audit = await t.h.store.listAudit({ requestId: request.id, limit: 100 });
    const row = audit.find((entry) => entry.action === 'break_glass');
    expect(row?.actor).toBe(OPERATOR);
    expect(row?.details?.reason).toBe(REASON);
    expect(t.h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('asks for the reason inline when break-glass is ticked without one', async () => {
    t = await start();
    const step = await manageStep(OPERATOR, 3);
    const answer = await submit(OPERATOR, step.viewId, '   ', true);
    expect(answer.responseAction).toBe('errors');
    expect(answer.errors).toEqual({ [ids.blocks.reason]: BREAK_GLASS_REASON_REQUIRED });
    expect(await t.h.service.recentRequests(OPERATOR, 1)).toEqual([]);
  });

  it('never shows the option to another operator, and a forged value in the view does not bypass approval', async () => {
    t = await start();
    const step = await manageStep(OTHER, 3);
    expect(JSON.stringify(step.view.blocks)).not.toContain(ids.blocks.breakGlass);
    // Forged: the break-glass value injected into the view's state of a signed submission.
    const { h } = t;
    h.fake.enterValues(step.viewId, {
      ...ticks(step.view, 'revoke', [REVOKED_SKU]),
      [ids.blocks.reason]: { [ids.actions.reason]: { value: REASON } },
    } as never);
    const view = h.fake.viewPayload(step.viewId) as { state: { values: Record<string, unknown> } };
    view.state.values[ids.blocks.breakGlass] = {
      [ids.actions.breakGlass]: { type: 'checkboxes', selected_options: [{ value: BREAK_GLASS_VALUE }] },
    };
    const payload = {
      type: 'view_submission',
      team: { id: h.fake.teamId, domain: 'fake' },
      user: { id: OTHER, username: 'other', name: 'other', team_id: h.fake.teamId },
      api_app_id: h.fake.appId,
      token: 'legacy-verification-token',
      trigger_id: h.fake.issueTriggerId(OTHER),
      view,
      response_urls: [],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const signed = (form: string) =>
      h.driver.raw(form, { 'Content-Type': 'application/x-www-form-urlencoded', ...h.driver.sign(form) });
    const answer = await signed(body);
    expect(answer.status).toBe(200);
    // Its preview asks for approval (the forged tick is not kept), and so does its confirm.
    const preview = (answer.body as { view: { submit?: { text: string } } }).view;
    expect(preview.submit?.text).toBe('Request approval');
    const confirmed = { ...payload, view: { ...view, ...preview, state: { values: {} } } };
    const confirmBody = new URLSearchParams({ payload: JSON.stringify(confirmed) }).toString();
    expect((await signed(confirmBody)).status).toBe(200);
    await h.idle();
    const [request] = await h.service.recentRequests(OTHER, 1);
    expect(request?.status).toBe('pending_approval');
    expect((await h.store.getApproval(request?.id ?? ''))?.status).toBe('pending');
    expect(await auditActions(h, request?.id ?? '')).not.toContain('break_glass:approved');
    for (const userId of step.userIds) expect(holds(userId)).toBe(true);
    expect(textOf(h.fake.messages(APPROVALS)).toLowerCase()).not.toContain('run without approval');
  });

  it('lets approvers acknowledge once: not the requester, not a stranger, one of two at once', async () => {
    t = await start();
    const { h } = t;
    const { request, notice } = await brokenGlass();

    // OPERATOR is an approver too: refused for being the requester.
    await clickAcknowledge(OPERATOR, notice, request.id);
    await clickAcknowledge(STRANGER, notice, request.id);
    await h.idle();
    expect(ephemeralTexts(h, OPERATOR).join(' ')).toContain('You ran this request');
    expect(ephemeralTexts(h, STRANGER)).toHaveLength(1);
    expect(buttonsOf(present(h, notice))).toEqual([ids.actions.acknowledgeBreakGlass]);

    await Promise.all([
      clickAcknowledge(APPROVER_A, notice, request.id),
      clickAcknowledge(APPROVER_B, notice, request.id),
    ]);
    await h.idle();
    const audit = await auditActions(h, request.id);
    expect(audit.filter((a) => a.startsWith('break_glass_acknowledged'))).toHaveLength(1);
    expect(audit).toContain('acknowledge_refused:self_acknowledge');
    expect(audit).toContain('acknowledge_refused:not_approver');
    const after = present(h, notice);
    expect(buttonsOf(after)).toEqual([]);
    const rows = await h.store.listAudit({ requestId: request.id, limit: 100 });
    const by = rows.find((r) => r.action === 'break_glass_acknowledged')?.actor;
    expect(textOf([after])).toContain(`Acknowledged by <@${by}>`);
    const loser = by === APPROVER_A ? APPROVER_B : APPROVER_A;
    expect(ephemeralTexts(h, loser).join(' ')).toContain('already acknowledged');
  });
});

function present(h: ApprovalHarness['h'], notice: { channel: string; ts: string }) {
  const message = h.fake.message(notice.channel, notice.ts);
  if (!message) throw new Error('the notice is gone');
  expectValidMessageBlocks(message.blocks);
  return message;
}

describe('break-glass after a stop', () => {
  const notices = () => t.h.fake.messages(APPROVALS).filter((m) => m.threadTs === undefined);
  const actions = async (requestId: string) =>
    (await t.h.store.listAudit({ requestId, limit: 100 })).map((entry) => entry.action);

  it('posts a notice once: a start after it posts nothing again', async () => {
    t = await start();
    const { request } = await brokenGlass();
    expect((await actions(request.id)).filter((a) => a === 'break_glass_announced')).toHaveLength(1);
    await t.h.slack.resumeInterrupted();
    await t.h.idle();
    expect(notices()).toHaveLength(1);
  });

  it('posts at the next start the notice and the audit row a stop cut off, once', async () => {
    t = await start();
    const userIds = directHolders(t.contoso, REVOKED_SKU, 5).map((u) => u.id);
    // Saved by the service, then stopped: nothing was posted (the app never heard of it).
    const submitted = await t.h.service.submit({
      customerId: t.contoso.customer.id,
      userIds,
      assign: [],
      revoke: [REVOKED_SKU],
      requestedBy: OPERATOR,
      reason: REASON,
      report: { channel: CHANNEL },
      breakGlass: true,
    });
    if (!submitted.ok) throw new Error('break-glass submit refused');
    // The same request saved with no audit row at all: the stop came before its coalesced rows.
    const bare = { ...submitted.request, id: 'req_bare0001', draftId: undefined };
    await t.h.store.saveRequest(bare);
    expect(notices()).toEqual([]);

    await t.h.slack.resumeInterrupted();
    await t.h.idle();
    const posted = notices();
    expect(posted).toHaveLength(2);
    for (const notice of posted) expect(textOf([notice]).toLowerCase()).toContain('run without approval');
    for (const id of [submitted.request.id, bare.id]) {
      expect((await actions(id)).filter((a) => a === 'break_glass')).toHaveLength(1);
      expect((await actions(id)).filter((a) => a === 'break_glass_announced')).toHaveLength(1);
    }
    const restored = (await t.h.store.listAudit({ requestId: bare.id, limit: 100 })).find(
      (entry) => entry.action === 'break_glass',
    );
    expect(restored?.actor).toBe(OPERATOR);
    expect(restored?.details).toMatchObject({ reason: REASON, restored: true });
    // The acknowledgement works on a recovered notice as on any other.
    const notice = posted.find((m) => JSON.stringify(m.blocks).includes(`"value":"${bare.id}"`));
    if (!notice) throw new Error('no notice of the request without audit rows');
    await clickAcknowledge(APPROVER_A, notice, bare.id);
    expect(await actions(bare.id)).toContain('break_glass_acknowledged');

    // Acknowledged before notices were recorded as posted: the acknowledgement proves it was.
    const acked = { ...submitted.request, id: 'req_acked0001', draftId: undefined };
    await t.h.store.saveRequest(acked);
    await t.h.store.appendAudit({ actor: OPERATOR, action: 'break_glass', requestId: acked.id });
    await t.h.store.appendAudit({
      actor: APPROVER_A,
      action: 'break_glass_acknowledged',
      requestId: acked.id,
    });

    await t.h.slack.resumeInterrupted();
    await t.h.idle();
    expect(notices()).toHaveLength(2);
  });
});
