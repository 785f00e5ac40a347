/**
 * The one run orchestrator: a run that fails unexpectedly is handled the same way whichever path
 * started it (submit, approve): logged, audited as run_stopped, and told in the summary's thread,
 * or in a DM when there is no summary.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChangeRequest } from '../../../src/licensing/model.js';
import { DEMO_SKUS, demoCases } from '../../../src/providers/demo/generator.js';
import { ApprovalNotifier } from '../../../src/slack/approval/approval-notifier.js';
import { RunTracker } from '../../../src/slack/run-tracker.js';
import { RUN_STOPPED_TEXT, summaryNotPostedText } from '../../../src/slack/runs/run-messages.js';
import { RunOrchestrator } from '../../../src/slack/runs/run-orchestrator.js';
import { textOf } from '../../e2e/flow.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../../support/app-harness.js';

/** The app on the Slack fake, and an orchestrator of the test's own over its service, store and client. */
async function harness(env: Record<string, string> = {}) {
  const h = await startAppHarness({ env });
  onTestFinished(() => h.close());
  return { h, ...orchestratorOf(h) };
}

function orchestratorOf(harness: AppHarness) {
  const { app } = harness.slack;
  const tracker = new RunTracker(harness.logger);
  const approvals = new ApprovalNotifier({
    client: app.client,
    service: harness.service,
    store: harness.store,
    logger: harness.logger,
    channelId: undefined,
    approverIds: [],
    approverGroupId: undefined,
  });
  const orchestrator = new RunOrchestrator({
    client: app.client,
    logger: harness.logger,
    service: harness.service,
    store: harness.store,
    tracker,
    approvals,
    progressIntervalMs: 0,
    messageIntervalMs: 0,
  });
  return { orchestrator, tracker };
}

/** A request of the operator on Contoso, saved with its report channel; approval needed when `reason` is given. */
async function submitted(harness: AppHarness, reason?: string): Promise<ChangeRequest> {
  const contoso = harness.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id);
  if (contoso === undefined) throw new Error('no Contoso in the test tenant');
  // One add-on taken away: under the default threshold, over a threshold of 1.
  const change = {
    assign: [],
    revoke: [DEMO_SKUS.MCOMEETADV],
    userIds: [demoCases(contoso).baseWithAddOn.id],
  };
  const result = await harness.service.submit({
    ...change,
    customerId: contoso.customer.id,
    requestedBy: OPERATOR,
    ...(reason === undefined ? {} : { reason }),
    report: { channel: CHANNEL },
  });
  if (!result.ok) throw new Error('submit failed');
  return result.request;
}

async function stoppedAudits(harness: AppHarness, requestId: string) {
  const audit = await harness.store.listAudit({ requestId, limit: 100 });
  return audit.filter((entry) => entry.action === 'run_stopped');
}

describe('RunOrchestrator', () => {
  it('a submitted run that fails is audited and told in its summary thread', async () => {
    const { h, orchestrator, tracker } = await harness();
    const request = await submitted(h);
    // Something else closed the request between its save and its run: the run cannot start.
    await h.store.transitionRequest(request.id, ['approved'], 'rejected');

    orchestrator.submitted(request, false, async () => {});
    await tracker.idle();
    const summary = h.fake.messages(CHANNEL).find((message) => message.threadTs === undefined);
    if (summary === undefined) throw new Error('no summary posted');
    expect(textOf(h.fake.thread(CHANNEL, summary.ts))).toContain(RUN_STOPPED_TEXT);
    expect(await stoppedAudits(h, request.id)).toHaveLength(1);
    expect(h.logger.errors().some((line) => line.includes(`run of ${request.id} stopped`))).toBe(true);
  });

  it('without a summary, the operator hears of the summary and of the stop in a DM', async () => {
    const { h, orchestrator, tracker } = await harness();
    const request = await submitted(h);
    await h.store.transitionRequest(request.id, ['approved'], 'rejected');
    h.fake.failNext('chat.postMessage', 'fatal_error');

    orchestrator.submitted(request, false, async () => {});
    await tracker.idle();
    const dm = textOf(h.fake.messages(h.fake.dmChannelOf(OPERATOR)));
    expect(dm).toContain(summaryNotPostedText(request.id));
    expect(dm).toContain(RUN_STOPPED_TEXT);
    expect(await stoppedAudits(h, request.id)).toHaveLength(1);
  });

  it('an approved run that fails goes through the same path', async () => {
    const { h, orchestrator, tracker } = await harness({ APPROVAL_REVOKE_THRESHOLD: '1' });
    const request = await submitted(h, 'Leaver');
    expect(await h.service.approve(request.id, 'U0APPROVER')).toMatchObject({ ok: true });
    await h.store.transitionRequest(request.id, ['approved'], 'expired');

    orchestrator.approved(request.id);
    await tracker.idle();
    const summary = (await h.store.getRequest(request.id))?.report;
    if (summary?.ts === undefined) throw new Error('no summary posted');
    expect(textOf(h.fake.thread(summary.channel, summary.ts))).toContain(RUN_STOPPED_TEXT);
    expect(await stoppedAudits(h, request.id)).toHaveLength(1);
  });
});
