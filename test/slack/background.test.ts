/** What the app does without a click: resuming interrupted runs and expiring approvals. */
import { assert, describe, expect, it } from 'vitest';
import { LicensingService } from '../../src/licensing/licensing-service.js';
import type { SubmitInput } from '../../src/licensing/service-types.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { textOf } from '../e2e/flow.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { expectValidMessageBlocks } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';

async function postedSummary(h: AppHarness, requestId: string) {
  const posted = await h.slack.app.client.chat.postMessage({
    channel: CHANNEL,
    text: `summary of ${requestId}`,
  });
  assert.exists(posted.ts);
  await h.service.setReportTarget(requestId, { channel: CHANNEL, ts: posted.ts });
  return posted.ts;
}

function contosoOf(harness: AppHarness) {
  const contoso = harness.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id);
  assert.exists(contoso);
  return contoso;
}

/** The process before a restart: a service of its own on the harness's provider and store. */
function serviceBeforeRestart(harness: AppHarness, approvalRevokeThreshold: number) {
  return new LicensingService({
    provider: harness.provider,
    store: harness.store,
    approvalRevokeThreshold,
    approvalTtlHours: 24,
    logger: { warn: () => {} },
  });
}

/** `service` submits a change to one Contoso user by OPERATOR: SKUs assigned with every plan, revoked. */
function submitFor(
  service: LicensingService,
  userId: string,
  change: { assign?: string[]; revoke?: string[] } & Pick<SubmitInput, 'reason' | 'report'>,
) {
  const { assign = [], revoke = [], ...details } = change;
  return service.submit({
    customerId: TEST_CUSTOMERS.contoso.id,
    userIds: [userId],
    assign: assign.map((skuId) => ({ skuId, disabledPlans: null })),
    revoke,
    requestedBy: OPERATOR,
    ...details,
  });
}

describe('background work', () => {
  it('resumes a run a stopped process left running, reporting in its thread', async () => {
    const h = closedAfterTest(await startAppHarness());
    const contoso = contosoOf(h);
    const { unlicensed } = demoCases(contoso);
    const submitted = await submitFor(h.service, unlicensed.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    if (!submitted.ok) throw new Error('submit failed');
    const ts = await postedSummary(h, submitted.request.id);
    await h.store.transitionRequest(submitted.request.id, ['approved'], 'running');

    expect(await h.slack.resumeInterrupted()).toBe(1);
    await h.idle();
    const summary = h.fake.message(CHANNEL, ts);
    assert.exists(summary);
    expect(textOf([summary])).toContain('Completed');
    const thread = h.fake.thread(CHANNEL, ts);
    for (const message of thread) expectValidMessageBlocks(message.blocks);
    expect(textOf(thread)).toContain('Office 365 E3');
    expect(h.provider.holdingsOf(contoso.customer.id, unlicensed.id).map((l) => l.skuId)).toContain(
      DEMO_SKUS.ENTERPRISEPACK,
    );
  });

  it('runs requests approved before a stop that never started, each with a new summary', async () => {
    const h = closedAfterTest(await startAppHarness({ env: { APPROVAL_REVOKE_THRESHOLD: '1' } }));
    const contoso = contosoOf(h);
    const { unlicensed, baseWithAddOn } = demoCases(contoso);
    // The process before the restart: it stored both as approved and stopped before running them.
    const before = serviceBeforeRestart(h, 1);
    const report = { channel: CHANNEL };
    const immediate = await submitFor(before, unlicensed.id, { assign: [DEMO_SKUS.ENTERPRISEPACK], report });
    const approved = await submitFor(before, baseWithAddOn.id, {
      revoke: [DEMO_SKUS.MCOMEETADV],
      reason: 'Leaver',
      report,
    });
    if (!immediate.ok || !approved.ok) throw new Error('submit failed');
    expect(await before.approve(approved.request.id, 'U0APPROVER')).toMatchObject({ ok: true });

    expect(await h.slack.resumeInterrupted()).toBe(2);
    await h.idle();
    const summaries = h.fake.messages(CHANNEL).filter((m) => m.threadTs === undefined);
    expect(summaries).toHaveLength(2);
    for (const summary of summaries) {
      expectValidMessageBlocks(summary.blocks);
      expect(textOf([summary])).toContain('Completed');
    }
    expect(textOf(summaries)).toContain('approved by <@U0APPROVER>');
    expect((await h.store.getRequest(approved.request.id))?.status).toBe('completed');
    expect(h.provider.holdingsOf(contoso.customer.id, unlicensed.id).map((l) => l.skuId)).toContain(
      DEMO_SKUS.ENTERPRISEPACK,
    );
    expect(h.provider.holdingsOf(contoso.customer.id, baseWithAddOn.id).map((l) => l.skuId)).not.toContain(
      DEMO_SKUS.MCOMEETADV,
    );
    expect(await h.slack.resumeInterrupted()).toBe(0);
  });

  it('resumes every interrupted run even when Slack refuses one summary, without failing start-up', async () => {
    const h = closedAfterTest(await startAppHarness());
    const contoso = contosoOf(h);
    const { unlicensed, baseWithAddOn } = demoCases(contoso);
    const before = serviceBeforeRestart(h, 100);
    const report = { channel: CHANNEL };
    const first = await submitFor(before, unlicensed.id, { assign: [DEMO_SKUS.ENTERPRISEPACK], report });
    const second = await submitFor(before, baseWithAddOn.id, { revoke: [DEMO_SKUS.MCOMEETADV], report });
    if (!first.ok || !second.ok) throw new Error('submit failed');
    // The first summary to post (the older request's) is refused for a reason the DM fallback does not cover.
    h.fake.failNext('chat.postMessage', 'fatal_error');

    expect(await h.slack.resumeInterrupted()).toBe(2);
    await h.idle();
    for (const request of [first.request, second.request]) {
      expect((await h.store.getRequest(request.id))?.status).toBe('completed');
    }
    expect(h.provider.holdingsOf(contoso.customer.id, unlicensed.id).map((l) => l.skuId)).toContain(
      DEMO_SKUS.ENTERPRISEPACK,
    );
    expect(h.logger.errors()).toHaveLength(1);
    expect(h.logger.errors()[0]).toContain('resumes without one');
  });

  it('expires approvals past their time and tells the operator in the thread', async () => {
    let now = new Date('2025-03-01T09:00:00Z');
    const h = closedAfterTest(
      await startAppHarness({ env: { APPROVAL_REVOKE_THRESHOLD: '1' }, service: { now: () => now } }),
    );
    const contoso = contosoOf(h);
    const { baseWithAddOn } = demoCases(contoso);
    const submitted = await submitFor(h.service, baseWithAddOn.id, {
      revoke: [DEMO_SKUS.MCOMEETADV],
      reason: 'Leaver',
    });
    if (!submitted.ok) throw new Error('submit failed');
    expect(submitted.needsApproval).toBe(true);
    const ts = await postedSummary(h, submitted.request.id);

    expect(await h.slack.expireApprovals()).toBe(0);
    now = new Date('2025-03-02T10:00:00Z');
    expect(await h.slack.expireApprovals()).toBe(1);
    const summary = h.fake.message(CHANNEL, ts);
    assert.exists(summary);
    expect(textOf([summary])).toContain('Expired');
    expect(textOf(h.fake.thread(CHANNEL, ts))).toContain('Nothing was changed');
  });
});
