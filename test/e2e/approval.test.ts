import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { CHANNEL, OPERATOR, reportAckLatencies } from '../support/app-harness.js';
import {
  APPROVAL_ALLOWED,
  APPROVALS,
  APPROVER_A,
  APPROVER_B,
  type ApprovalHarness,
  approvalClickBody,
  approvalMessage,
  auditActions,
  buttonsOf,
  clickApproval,
  ephemeralTexts,
  REVOKED_SKU,
  rejectWithReason,
  STRANGER,
  staleClick,
  startApprovalHarness,
  submitForApproval,
  submitRevocation,
  TTL_HOURS,
} from '../support/approval-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeMessage } from '../support/slack-fake.js';
import { blocksText, present, textOf } from './flow.js';

afterAll(() => reportAckLatencies('approval.test.ts'));

const holds = (t: ApprovalHarness, userId: string) =>
  t.h.provider.holdingsOf(t.contoso.customer.id, userId).some((l) => l.skuId === REVOKED_SKU);

describe('approval of large revocations', () => {
  it('posts the request for approval, runs it once approved and reports in both threads', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);

    // Pending: stored, nothing revoked, the approval message has the decision buttons.
    expect(submitted.request.status).toBe('pending_approval');
    expect(submitted.approval.status).toBe('pending');
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(true);
    expect(submitted.message.channel).toBe(APPROVALS);
    const pendingText = textOf([submitted.message]);
    expect(pendingText).toContain(`<@${OPERATOR}>`);
    expect(pendingText).toContain('Contoso');
    expect(pendingText).toContain('3 users');
    expect(pendingText).toContain('Leavers of March');
    expect(pendingText).toContain('Expires');
    expect(buttonsOf(submitted.message)).toEqual([
      ids.actions.approve,
      ids.actions.reject,
      ids.actions.viewRevokeList,
    ]);
    // The operator's summary says it waits, and for whom.
    const waiting = textOf([submitted.summary]);
    expect(waiting).toContain('Waiting for approval');
    expect(waiting).toContain(`<@${APPROVER_A}>`);
    expect(waiting).toContain(`<#${APPROVALS}>`);

    const click = await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    expect(click.status).toBe(200);
    await h.idle();

    // Approved: in place, who and when, no buttons; the run happened and reported.
    const decided = approvalMessage(h, submitted);
    expect(decided.edits).toBeGreaterThan(0);
    expect(buttonsOf(decided)).toEqual([]);
    expect(textOf([decided])).toContain(`Approved* by <@${APPROVER_A}>`);
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(false);
    const request = await h.store.getRequest(submitted.request.id);
    expect(request?.status).toBe('completed');

    const summary = present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message');
    expect(textOf([summary])).toContain('Completed');
    expect(textOf([summary])).toContain(`approved by <@${APPROVER_A}>`);
    const operatorThread = h.fake.thread(CHANNEL, submitted.summary.ts);
    expect(textOf(operatorThread)).toContain(`Approved by <@${APPROVER_A}>`);
    expect(textOf(operatorThread)).toContain('Power Automate Free');

    const approvalThread = h.fake.thread(APPROVALS, submitted.message.ts);
    expect(approvalThread).toHaveLength(1);
    expect(textOf(approvalThread)).toContain('Run finished');
    expect(textOf(approvalThread)).toContain('3 succeeded');

    expect(await auditActions(h, submitted.request.id)).toEqual([
      'submitted:pending_approval',
      'approved:approved',
      'run_completed:ok',
    ]);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });
});

describe("the requester's thread", () => {
  it('is linked from the approval message (chat.getPermalink of the summary), pending and decided', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const linkOf = (message: FakeMessage) =>
      /<(https:[^|>]+)\|The requester's thread>/.exec(textOf([message]))?.[1];
    const link = present(linkOf(submitted.message), "the link to the requester's thread");
    // The link is Slack's permalink of the operator's summary message, the thread's root.
    const asked = h.fake.callsTo('chat.getPermalink').filter((call) => call.ok);
    expect(asked[0]?.args).toMatchObject({ channel: CHANNEL, message_ts: submitted.summary.ts });
    expect(link).toBe(asked[0]?.response.permalink);
    expect(link).toContain(`/archives/${CHANNEL}/p${submitted.summary.ts.replace('.', '')}`);

    await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    await h.idle();
    expect(linkOf(approvalMessage(h, submitted))).toBe(link);
    // Asked once per request: the link of a message never changes.
    expect(h.fake.callsTo('chat.getPermalink')).toHaveLength(1);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });
});

describe('who may decide', () => {
  it('refuses the requester, even an approver, with an ephemeral; nothing changes', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const editsBefore = approvalMessage(h, submitted).edits;

    await clickApproval(h, OPERATOR, submitted.message, 'approve');
    await clickApproval(h, OPERATOR, submitted.message, 'reject');
    await h.idle();

    const told = ephemeralTexts(h, OPERATOR);
    expect(told).toHaveLength(2);
    for (const text of told) expect(text).toContain('someone else must decide');
    expect(h.fake.callsTo('views.open').filter((c) => c.ok)).toHaveLength(1); // only the operator's /licenses
    expect((await h.store.getApproval(submitted.request.id))?.status).toBe('pending');
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('pending_approval');
    expect(approvalMessage(h, submitted).edits).toBe(editsBefore);
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(true);
    expect(await auditActions(h, submitted.request.id)).toEqual([
      'submitted:pending_approval',
      'approve_refused:self_decision',
      'reject_refused:self_decision',
    ]);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('never names the requester as one who can decide: approval message, summary, refusal, App Home', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const requester = `<@${OPERATOR}>`;
    const lineWith = (text: string, marker: string) =>
      present(
        text.split('\n').find((line) => line.includes(marker)),
        `a line with "${marker}"`,
      );

    // OPERATOR is an approver too (the harness's APPROVER_USER_IDS), yet only the others are named.
    const canDecide = lineWith(textOf([submitted.message]), 'Can decide:');
    expect(canDecide).toContain(
      `Can decide: <@${APPROVER_A}> or <@${APPROVER_B}>. ${requester} cannot approve their own request.`,
    );
    const modalText = blocksText(submitted.modal.blocks);
    expect(modalText).toContain(`by <@${APPROVER_A}>, <@${APPROVER_B}> in <#${APPROVALS}>`);
    expect(modalText).toContain('You cannot approve your own request.');
    expect(modalText).not.toContain(requester);
    const waiting = lineWith(textOf([submitted.summary]), 'Waiting for approval');
    expect(waiting).toContain(`by <@${APPROVER_A}>, <@${APPROVER_B}> in <#${APPROVALS}>`);
    expect(waiting.replace(`${requester} cannot approve their own request.`, '')).not.toContain(requester);
    expect(waiting).toContain(`${requester} cannot approve their own request.`);

    await clickApproval(h, OPERATOR, submitted.message, 'approve');
    await h.idle();
    const [refusal] = ephemeralTexts(h, OPERATOR);
    expect(refusal).toContain(`someone else must decide on it: <@${APPROVER_A}> or <@${APPROVER_B}>.`);
    expect(refusal).not.toContain(requester);

    // On the requester's own App Home it is one of their requests, not one waiting for them.
    await h.driver.appHomeOpened(OPERATOR);
    const home = await h.fake.waitFor(() => h.fake.home(OPERATOR), 5000);
    const homeText = textOf([{ channel: '', ts: '', edits: 0, blocks: home.blocks }]);
    expect(homeText).toContain('Nothing is waiting for approval.');
    expect(homeText).toContain(`Request ${submitted.request.id}`);
    // No Approve / Reject: the only actions are the list's filters.
    expect(home.blocks.filter((b) => b.type === 'actions').map((b) => b.block_id)).toEqual([
      ids.blocks.homeFilter,
    ]);
    expect(h.fake.unexpectedCalls([...APPROVAL_ALLOWED, 'views.publish'])).toEqual([]);
  });

  it('refuses someone who is no approver on every button; nothing changes', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const editsBefore = approvalMessage(h, submitted).edits;

    for (const button of ['approve', 'reject', 'view'] as const) {
      const click = await clickApproval(h, STRANGER, submitted.message, button);
      expect(click.status).toBe(200);
    }
    await h.idle();

    const told = ephemeralTexts(h, STRANGER);
    expect(told).toHaveLength(3);
    for (const text of told) expect(text).toContain('Only approvers');
    expect(h.fake.ephemerals().every((e) => e.channel === APPROVALS)).toBe(true);
    expect((await h.store.getApproval(submitted.request.id))?.status).toBe('pending');
    expect(approvalMessage(h, submitted).edits).toBe(editsBefore);
    expect(h.fake.callsTo('views.open').filter((c) => c.ok)).toHaveLength(1);
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(true);
    expect(await auditActions(h, submitted.request.id)).toEqual([
      'submitted:pending_approval',
      'approve_refused:not_approver',
      'reject_refused:not_approver',
    ]);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('lets members of the approver user group decide, checked at click time with a short cache', async () => {
    const groupMember = 'U0GROUPMEMBER';
    const t = closedAfterTest(
      await startApprovalHarness({ APPROVER_USER_IDS: OPERATOR, APPROVER_USERGROUP_ID: 'S0MANAGERS' }),
    );
    const { h } = t;
    h.fake.setUsergroup('S0MANAGERS', [groupMember]);
    const submitted = await submitForApproval(t);

    await clickApproval(h, STRANGER, submitted.message, 'approve');
    await clickApproval(h, groupMember, submitted.message, 'approve');
    await h.idle();

    expect(ephemeralTexts(h, STRANGER)[0]).toContain('<!subteam^S0MANAGERS>');
    expect((await h.store.getApproval(submitted.request.id))?.decidedBy).toBe(groupMember);
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    // The operator is told the group in the thread, since the summary names user ids only.
    expect(textOf(h.fake.thread(CHANNEL, submitted.summary.ts))).toContain('<!subteam^S0MANAGERS>');
    // Both clicks were answered from one usergroups.users.list call.
    expect(h.fake.callsTo('usergroups.users.list')).toHaveLength(1);
    expect(h.fake.unexpectedCalls([...APPROVAL_ALLOWED, 'usergroups.users.list'])).toEqual([]);
  });
});

describe('decided once', () => {
  it('runs once when two approvers click Approve at the same moment', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const applyCallsBefore = h.provider.stats.applyCalls;

    const clicks = await Promise.all([
      clickApproval(h, APPROVER_A, submitted.message, 'approve'),
      clickApproval(h, APPROVER_B, submitted.message, 'approve'),
    ]);
    for (const click of clicks) expect(click.status).toBe(200);
    await h.idle();

    const approval = await h.store.getApproval(submitted.request.id);
    expect([APPROVER_A, APPROVER_B]).toContain(approval?.decidedBy);
    const loser = approval?.decidedBy === APPROVER_A ? APPROVER_B : APPROVER_A;
    expect(ephemeralTexts(h, loser)).toEqual([expect.stringContaining('already approved')]);
    expect(ephemeralTexts(h, approval?.decidedBy ?? '')).toEqual([]);
    expect(h.provider.stats.applyCalls - applyCallsBefore).toBe(submitted.userIds.length);
    expect(h.fake.thread(APPROVALS, submitted.message.ts)).toHaveLength(1);
    const actions = await auditActions(h, submitted.request.id);
    expect(actions.filter((a) => a.startsWith('approved'))).toHaveLength(1);
    expect(actions.filter((a) => a.startsWith('run_completed'))).toHaveLength(1);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('runs once when the same click is delivered twice (a double click, or a retried delivery)', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const applyCallsBefore = h.provider.stats.applyCalls;

    // The very same signed body, twice at once.
    const { body, headers } = approvalClickBody(h, APPROVER_A, submitted, 'approve');
    const answers = await Promise.all([h.driver.raw(body, headers), h.driver.raw(body, headers)]);
    for (const answer of answers) expect(answer.status).toBe(200);
    await h.idle();

    expect((await h.store.getApproval(submitted.request.id))?.decidedBy).toBe(APPROVER_A);
    // The second delivery finds the decision taken by the same approver: nothing is said to them.
    expect(ephemeralTexts(h, APPROVER_A)).toEqual([]);
    expect(h.provider.stats.applyCalls - applyCallsBefore).toBe(submitted.userIds.length);
    const actions = await auditActions(h, submitted.request.id);
    expect(actions.filter((a) => a.startsWith('run_completed'))).toHaveLength(1);
    expect(h.fake.thread(APPROVALS, submitted.message.ts)).toHaveLength(1);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('refuses an approval after expiry, shows the request as expired and tells the operator once', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h, clock } = t;
    const submitted = await submitForApproval(t);
    clock.advanceHours(TTL_HOURS + 1);

    await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    await h.idle();
    await staleClick(h, APPROVER_B, submitted, 'approve');
    await h.idle();
    expect(await h.slack.expireApprovals()).toBe(0);

    expect(ephemeralTexts(h, APPROVER_A)).toEqual([expect.stringContaining('expired')]);
    expect(ephemeralTexts(h, APPROVER_B)).toEqual([expect.stringContaining('expired')]);
    const shown = approvalMessage(h, submitted);
    expect(buttonsOf(shown)).toEqual([]);
    expect(textOf([shown])).toContain('Expired');
    expect(textOf([present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message')])).toContain(
      'Expired',
    );
    const told = h.fake
      .thread(CHANNEL, submitted.summary.ts)
      .filter((m) => (m.text ?? '').includes('expired'));
    expect(told).toHaveLength(1);
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(true);
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('expired');
    const actions = await auditActions(h, submitted.request.id);
    expect(actions).toContain('approval_expired:expired');
    expect(actions.filter((a) => a.startsWith('approval_expiry_announced'))).toHaveLength(1);
    expect(actions.some((a) => a.startsWith('approved') || a.startsWith('run_completed'))).toBe(false);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('expires requests nobody decided in the periodic sweep', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h, clock } = t;
    const submitted = await submitForApproval(t);
    expect(await h.slack.expireApprovals()).toBe(0);
    clock.advanceHours(TTL_HOURS);
    expect(await h.slack.expireApprovals()).toBe(1);
    await h.idle();

    const shown = approvalMessage(h, submitted);
    expect(buttonsOf(shown)).toEqual([]);
    expect(textOf([shown])).toContain('Expired');
    expect(textOf(h.fake.thread(CHANNEL, submitted.summary.ts))).toContain('without a decision');
    // A late Reject click is refused without opening the reason modal.
    await staleClick(h, APPROVER_A, submitted, 'reject');
    await h.idle();
    expect(ephemeralTexts(h, APPROVER_A)).toEqual([expect.stringContaining('expired')]);
    expect(h.fake.callsTo('views.open').filter((c) => c.ok)).toHaveLength(1);
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });
});

describe('reject and approve outcomes', () => {
  it('asks for a reason on Reject and tells the operator with it in the thread', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);

    const answer = await rejectWithReason(h, APPROVER_A, submitted, 'Not before the audit <!channel>');
    expect(answer.responseAction).toBe('close');
    await h.idle();

    const shown = approvalMessage(h, submitted);
    expect(buttonsOf(shown)).toEqual([]);
    expect(textOf([shown])).toContain(`Rejected* by <@${APPROVER_A}>`);
    expect(textOf([shown])).toContain('Not before the audit &lt;!channel&gt;');
    const thread = textOf(h.fake.thread(CHANNEL, submitted.summary.ts));
    expect(thread).toContain(`Rejected by <@${APPROVER_A}>`);
    expect(thread).toContain('Not before the audit &lt;!channel&gt;');
    expect(textOf([present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message')])).toContain(
      'Rejected',
    );
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('rejected');
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(true);

    // Too late for another approver whose client still shows the buttons.
    await staleClick(h, APPROVER_B, submitted, 'approve');
    await h.idle();
    expect(ephemeralTexts(h, APPROVER_B)).toEqual([expect.stringContaining('already rejected')]);
    expect(await auditActions(h, submitted.request.id)).toEqual([
      'submitted:pending_approval',
      'rejected:rejected',
      'approve_refused:already_decided',
    ]);
    const [rejected] = await h.store
      .listAudit({ requestId: submitted.request.id, limit: 10 })
      .then((all) => all.filter((e) => e.action === 'rejected'));
    expect(rejected?.actor).toBe(APPROVER_A);
    expect(rejected?.details).toEqual({ reason: 'Not before the audit <!channel>' });
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('keeps the reject modal open with an error when the request was approved meanwhile', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    await clickApproval(h, APPROVER_A, submitted.message, 'reject');
    const modal = await h.fake.waitFor(() => h.fake.openModalOf(APPROVER_A), 5000);
    await clickApproval(h, APPROVER_B, submitted.message, 'approve');
    await h.idle();

    const answer = await h.driver.viewSubmission({
      userId: APPROVER_A,
      viewId: modal.id,
      values: { [ids.blocks.rejectReason]: { [ids.actions.rejectReason]: { value: 'Too late' } } },
    });
    expect(answer.responseAction).toBe('errors');
    expect(answer.errors?.[ids.blocks.rejectReason]).toContain('already approved');
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('runs an approved request even when Slack fails to show the decision', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    // The first update after the click (the approval message, showing who approved) fails.
    h.fake.failNext('chat.update', 'fatal_error');

    await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    await h.idle();

    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    for (const userId of submitted.userIds) expect(holds(t, userId)).toBe(false);
    const summary = present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message');
    expect(textOf([summary])).toContain('Completed');
    expect(h.logger.errors()).toHaveLength(1);
    expect(h.logger.errors()[0]).toContain(`announcing the approval of ${submitted.request.id} failed`);
  });

  it('runs against the tenant as it is at approval: what changed meanwhile is a no-op', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    const [gone, ...kept] = submitted.userIds;
    // Someone revokes it from one user in the admin center while the request waits.
    await h.provider.applyUserChange(t.contoso.customer.id, present(gone, 'a revoked user'), {
      assign: [],
      revoke: [REVOKED_SKU],
    });

    await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    await h.idle();

    const request = await h.store.getRequest(submitted.request.id);
    expect(request?.status).toBe('completed');
    const outcomes = Object.values(request?.results ?? {}).map((r) => [r.userId, r.outcome]);
    expect(outcomes).toEqual(expect.arrayContaining([[gone, 'noop'], ...kept.map((id) => [id, 'success'])]));
    expect(textOf(h.fake.thread(APPROVALS, submitted.message.ts))).toContain(
      '2 succeeded · 1 no change · :x: 0 failed',
    );
    expect(textOf([present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message')])).toContain(
      '1 no change',
    );
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });

  it('shows the users to be revoked to approvers', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);

    await clickApproval(h, APPROVER_A, submitted.message, 'view');
    const modal = await h.fake.waitFor(() => h.fake.openModalOf(APPROVER_A), 5000);
    expect(modal.callbackId).toBe(ids.views.revokeList);
    expectValidModal(modal.definition);
    const text = textOf([{ channel: '', ts: '', edits: 0, blocks: modal.blocks }]);
    for (const userId of submitted.userIds) {
      const user = present(
        t.contoso.users.find((u) => u.id === userId),
        `user ${userId}`,
      );
      expect(text).toContain(user.email);
    }
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });
});

describe('a second click by the approver who decided', () => {
  it('changes nothing and sends nothing; another decision by them is still explained', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);
    await clickApproval(h, APPROVER_A, submitted.message, 'approve');
    await h.idle();
    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    const edits = approvalMessage(h, submitted).edits;
    h.fake.resetCalls();

    // A double click, or a client still showing the buttons: the same decision again.
    const again = await staleClick(h, APPROVER_A, submitted, 'approve');
    expect(again.status).toBe(200);
    await h.idle();
    expect(h.fake.calls.map((c) => c.method)).toEqual([]);
    expect(ephemeralTexts(h, APPROVER_A)).toEqual([]);
    expect(approvalMessage(h, submitted).edits).toBe(edits);
    expect((await h.store.getApproval(submitted.request.id))?.decidedBy).toBe(APPROVER_A);

    // Reject after having approved is not the same decision: they are told it was approved.
    await staleClick(h, APPROVER_A, submitted, 'reject');
    await h.idle();
    expect(ephemeralTexts(h, APPROVER_A)).toEqual([expect.stringContaining('already approved')]);
    expect(await auditActions(h, submitted.request.id)).toContain('approve_refused:already_decided');
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });
});

describe('App Home', () => {
  it('lists pending approvals for approvers, who can decide there', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    const submitted = await submitForApproval(t);

    await h.driver.appHomeOpened(STRANGER);
    await h.driver.appHomeOpened(APPROVER_A);
    const strangerHome = await h.fake.waitFor(() => h.fake.home(STRANGER), 5000);
    const home = await h.fake.waitFor(() => h.fake.home(APPROVER_A), 5000);
    const homeText = (view: { blocks: unknown[] }) =>
      textOf([{ channel: '', ts: '', edits: 0, blocks: view.blocks as never }]);
    expect(homeText(strangerHome)).not.toContain(submitted.request.id);
    expect(homeText(home)).toContain(submitted.request.id);

    const updatesBefore = home.updates;
    const click = await h.driver.blockActions({
      userId: APPROVER_A,
      viewId: home.id,
      actions: [{ actionId: `${ids.actions.approve}_0` }],
    });
    expect(click.status).toBe(200);
    await h.idle();

    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    expect(buttonsOf(approvalMessage(h, submitted))).toEqual([]);
    const refreshed = present(h.fake.home(APPROVER_A), "the approver's Home");
    expect(refreshed.updates).toBeGreaterThan(updatesBefore);
    expect(homeText(refreshed)).not.toContain(submitted.request.id);
    expect(h.fake.unexpectedCalls([...APPROVAL_ALLOWED, 'views.publish'])).toEqual([]);
  });
});

describe('without a reachable approvals channel', () => {
  it('tells the operator, and approvers still decide on App Home', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h } = t;
    h.fake.setChannelError(APPROVALS, 'not_in_channel');
    const submitted = await submitRevocation(t);

    expect(submitted.approval.status).toBe('pending');
    expect(submitted.approval.message).toBeUndefined();
    const thread = textOf(h.fake.thread(CHANNEL, submitted.summary.ts));
    expect(thread).toContain('could not be posted');
    expect(thread).toContain('not_in_channel');
    expect(textOf([present(h.fake.message(CHANNEL, submitted.summary.ts), 'the summary message')])).toContain(
      'Waiting for approval',
    );

    await h.driver.appHomeOpened(APPROVER_B);
    const home = await h.fake.waitFor(() => h.fake.home(APPROVER_B), 5000);
    await h.driver.blockActions({
      userId: APPROVER_B,
      viewId: home.id,
      actions: [{ actionId: `${ids.actions.approve}_0` }],
    });
    await h.idle();

    expect((await h.store.getRequest(submitted.request.id))?.status).toBe('completed');
    expect(textOf(h.fake.thread(CHANNEL, submitted.summary.ts))).toContain(`Approved by <@${APPROVER_B}>`);
    const failed = h.fake.calls.filter((c) => !c.ok);
    expect(failed.map((c) => [c.method, c.args.channel, c.error])).toEqual([
      ['chat.postMessage', APPROVALS, 'not_in_channel'],
    ]);
    expect(h.fake.unexpectedCalls([...APPROVAL_ALLOWED, 'views.publish'], { failedAllowed: true })).toEqual(
      [],
    );
    expect(h.logger.errors()).toHaveLength(1);
  });
});
