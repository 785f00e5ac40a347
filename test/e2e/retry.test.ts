/**
 * Retry only the failed (issue 11, point 4), end to end over signed HTTP with the Slack fake on
 * the demo tenant: writes for some users are throttled, the summary offers "Retry failed (N)",
 * and the retry sends exactly those parts, once each; nothing that succeeded is sent again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { failureMessages, type TenantUser } from '../../src/licensing/model.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
} from '../support/app-harness.js';
import { type AppliedParts, countAppliedParts } from '../support/applied-parts.js';
import {
  APPROVAL_ALLOWED,
  APPROVALS,
  APPROVER_A,
  clickApproval,
  REVOKED_SKU,
  STRANGER,
  submitRevocation,
  TestClock,
  THRESHOLD,
} from '../support/approval-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeMessage } from '../support/slack-fake.js';
import { blocksText, contosoOf, present, selectUsers, submitChange, textOf } from './flow.js';

const VISIO = DEMO_SKUS.VISIOCLIENT;
/** The executor gives up on a throttled part after two attempts. */
const QUICK_RETRIES = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

afterAll(() => reportAckLatencies('retry.test.ts'));

interface Started {
  h: AppHarness;
  applied: AppliedParts;
  contoso: DemoCustomerData;
}

async function start(env: Record<string, string> = {}, clock?: TestClock): Promise<Started> {
  let applied: AppliedParts | undefined;
  const started = closedAfterTest(
    await startAppHarness({
      env: { OPERATOR_USER_IDS: OPERATOR, ...env },
      service: { retry: QUICK_RETRIES, ...(clock ? { now: clock.now } : {}) },
      wrapProvider: (demo) => {
        applied = countAppliedParts(demo);
        return applied.provider;
      },
    }),
  );
  return { h: started, applied: present(applied, 'the counting provider'), contoso: contosoOf(started.data) };
}

/** Contoso users with a usage location who hold no Visio: each can get it. */
function visioless(contoso: DemoCustomerData, count: number): TenantUser[] {
  const fit = contoso.users.filter(
    (u) => u.usageLocation !== null && !(contoso.holdings[u.id] ?? []).some((l) => l.skuId === VISIO),
  );
  return fit.slice(0, count);
}

/** The top-level messages (summaries) in `channel`, oldest first. */
function summaries(t: Started, channel = CHANNEL): FakeMessage[] {
  return t.h.fake.messages(channel).filter((m) => m.threadTs === undefined);
}

function retryButton(message: FakeMessage): { text: string; value: string } | undefined {
  for (const block of message.blocks ?? []) {
    const b = block as {
      type?: string;
      block_id?: string;
      elements?: { action_id?: string; text?: { text?: string }; value?: string }[];
    };
    if (b.type !== 'actions' || b.block_id !== ids.blocks.followUpActions) continue;
    const button = b.elements?.find((e) => e.action_id === ids.actions.retryFailed);
    if (button) return { text: button.text?.text ?? '', value: button.value ?? '' };
  }
  return undefined;
}

/** `user` clicks "Retry failed" on `summary`; returns the modal it opened. */
async function clickRetry(t: Started, summary: FakeMessage, user = OPERATOR) {
  const opened = t.h.fake.openModalOf(user);
  const response = await t.h.driver.blockActions({
    userId: user,
    message: { channel: summary.channel, ts: summary.ts },
    actions: [{ actionId: ids.actions.retryFailed }],
  });
  expect(response.status).toBe(200);
  const view = await t.h.fake.waitFor(() => {
    const now = t.h.fake.openModalOf(user);
    return now !== undefined &&
      now !== opened &&
      now.callbackId !== undefined &&
      !blocksText(now.blocks).includes('Planning the retry')
      ? now
      : undefined;
  }, 5000);
  expectValidModal(view.definition);
  return view;
}

describe('retry only the failed', () => {
  it('retries exactly the throttled parts, once each, reported as a retry of the original; successes are never resent', async () => {
    const t = await start();
    const users = visioless(t.contoso, 4);
    const throttled = users.slice(0, 2).map((u) => u.id);
    t.h.provider.setFaults({ throttleRate: 1, retryAfterMs: 1, users: throttled });
    const manage = await selectUsers(t.h, t.contoso.customer, users);
    expect((await submitChange(t.h, manage.id, { assign: [VISIO] })).responseAction).toBe('update');
    await t.h.idle();
    const [original] = summaries(t);
    const first = present(original, 'the original summary');
    expect(textOf([first])).toContain(':x: 2 failed');
    expect(retryButton(first)?.text).toBe('Retry failed (2)');
    for (const u of users) {
      expect(t.applied.counts.get(`${u.id}|${VISIO}|assign`) ?? 0, u.displayName).toBe(
        throttled.includes(u.id) ? 0 : 1,
      );
    }

    // The throttling is over; the operator retries.
    t.h.provider.setFaults(undefined);
    const modal = await clickRetry(t, first);
    expect(modal.callbackId).toBe(ids.views.followUp);
    const shown = blocksText(modal.blocks);
    expect(shown).toContain('2 changes to try again');
    expect(shown).toContain(failureMessages.throttled.replace(/\.$/, '').toLowerCase().slice(0, 20));
    expect(shown).toContain('2 licenses to assign');
    expect(modal.definition.submit).toMatchObject({ text: 'Retry' });

    // Slack delivers the submission twice: one request.
    const [a, b] = await Promise.all([
      t.h.driver.viewSubmission({ userId: OPERATOR, viewId: modal.id }),
      t.h.driver.viewSubmission({ userId: OPERATOR, viewId: modal.id }),
    ]);
    expect([a.responseAction, b.responseAction]).toEqual(['update', 'update']);
    await t.h.idle();
    const requests = await t.h.store.listRequests({ limit: 10 });
    expect(requests).toHaveLength(2);
    const retry = present(
      requests.find((r) => r.followUpOf !== undefined),
      'the retry request',
    );
    expect(retry.followUpOf).toMatchObject({ kind: 'retry', requestId: requests[1]?.id });
    expect(retry.items.map((i) => i.userId).sort()).toEqual([...throttled].sort());
    expect(present(t.h.fake.view(modal.id), 'the modal').definition.title).toMatchObject({
      text: 'Request sent',
    });

    // Its own summary in the channel, linked to the original, with its thread; every part once.
    const [, second] = summaries(t);
    const retried = present(second, 'the retry summary');
    const said = textOf([retried]);
    expect(said).toContain('Retry');
    expect(said).toContain(requests[1]?.id ?? 'the original id');
    expect(said).toContain(':white_check_mark: 2 succeeded');
    expect(retryButton(retried)).toBeUndefined();
    expect(t.h.fake.thread(CHANNEL, retried.ts).length).toBeGreaterThan(0);
    for (const u of users) expect(t.applied.counts.get(`${u.id}|${VISIO}|assign`), u.displayName).toBe(1);
    expect([...t.applied.counts.values()].every((n) => n === 1)).toBe(true);

    // A second click on the original: nothing is left.
    const again = await clickRetry(t, first);
    expect(blocksText(again.blocks)).toContain('Nothing is left to retry');
    expect(again.definition.submit).toBeUndefined();
  });

  it('refuses a non-operator: no modal, an ephemeral answer', async () => {
    const t = await start();
    const users = visioless(t.contoso, 2);
    t.h.provider.setFaults({ throttleRate: 1, retryAfterMs: 1, users: [present(users[0], 'a user').id] });
    const manage = await selectUsers(t.h, t.contoso.customer, users);
    await submitChange(t.h, manage.id, { assign: [VISIO] });
    await t.h.idle();
    const summary = present(summaries(t)[0], 'the summary');
    const opened = t.h.fake.callsTo('views.open').length;
    const response = await t.h.driver.blockActions({
      userId: STRANGER,
      message: { channel: summary.channel, ts: summary.ts },
      actions: [{ actionId: ids.actions.retryFailed }],
    });
    expect(response.status).toBe(200);
    await t.h.idle();
    expect(t.h.fake.callsTo('views.open').length).toBe(opened);
    await t.h.fake.waitForCall('chat.postEphemeral');
    const told = t.h.fake.ephemerals().filter((e) => e.user === STRANGER);
    expect(told.map((e) => e.text).join('\n')).toContain('Only LicenseDesk operators');
    expect(await t.h.store.listRequests({ limit: 10 })).toHaveLength(1);
  });

  it('puts a retry that revokes as many as the threshold through approval again', async () => {
    const clock = new TestClock();
    const t = await start(
      {
        OPERATOR_USER_IDS: OPERATOR,
        APPROVER_USER_IDS: APPROVER_A,
        APPROVAL_CHANNEL_ID: APPROVALS,
        APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
      },
      clock,
    );
    // The original revokes from THRESHOLD users: approved, then throttled for all of them.
    const submitted = await submitRevocation({ h: t.h, clock, contoso: t.contoso });
    t.h.provider.setFaults({ throttleRate: 1, retryAfterMs: 1, users: submitted.userIds });
    const where = present(submitted.approval.message, 'the approval message');
    await clickApproval(t.h, APPROVER_A, where, 'approve');
    await t.h.idle();
    const original = present(await t.h.store.getRequest(submitted.request.id), 'the original');
    expect(t.h.service.counts(original)).toMatchObject({ failed: THRESHOLD });
    t.h.provider.setFaults(undefined);

    const summary = present(t.h.fake.message(CHANNEL, submitted.summary.ts), 'the summary');
    expect(retryButton(summary)?.text).toBe(`Retry failed (${THRESHOLD})`);
    const modal = await clickRetry(t, summary);
    expect(blocksText(modal.blocks)).toContain('needs a manager');
    expect(modal.definition.submit).toMatchObject({ text: 'Request approval' });
    // Slack itself refuses to submit without the reason: the input is required.
    const reasonBlock = modal.blocks.find((b) => b.block_id === ids.blocks.reason);
    expect(reasonBlock?.optional).toBe(false);
    const sent = await t.h.driver.viewSubmission({
      userId: OPERATOR,
      viewId: modal.id,
      values: { [ids.blocks.reason]: { [ids.actions.reason]: { value: 'Throttled yesterday' } } },
    });
    expect(sent.responseAction).toBe('update');
    await t.h.idle();
    const retry = present(
      (await t.h.store.listRequests({ limit: 10 })).find((r) => r.followUpOf?.requestId === original.id),
      'the retry',
    );
    expect(retry.status).toBe('pending_approval');
    // Clicked again while the retry waits: said so, nothing submitted.
    const waiting = await clickRetry(t, summary);
    expect(blocksText(waiting.blocks)).toContain(
      `A retry of this request is already waiting for approval (request ${retry.id})`,
    );
    expect(waiting.definition.submit).toBeUndefined();
    for (const userId of submitted.userIds)
      expect(t.applied.counts.get(`${userId}|${REVOKED_SKU}|revoke`)).toBeUndefined();
    const approval = present((await t.h.store.getApproval(retry.id))?.message, 'the retry approval message');
    expect(textOf([present(t.h.fake.message(approval.channel, approval.ts), 'its message')])).toContain(
      'Throttled yesterday',
    );
    await clickApproval(t.h, APPROVER_A, approval, 'approve');
    await t.h.idle();
    expect((await t.h.store.getRequest(retry.id))?.status).toBe('completed');
    for (const userId of submitted.userIds)
      expect(t.applied.counts.get(`${userId}|${REVOKED_SKU}|revoke`)).toBe(1);
    expect(t.h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
  });
});
