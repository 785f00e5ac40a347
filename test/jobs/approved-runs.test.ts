/**
 * The approval path in queue mode: the replica that got the submission posts the summary and the
 * approval request, the one that got the approval announces the decision, and the run (enqueued
 * with the approval) is done by jobs, which end with the outcome in the approval's thread, once.
 */
import { expect, it } from 'vitest';
import { countResults } from '../../src/licensing/run-counts.js';
import { ApprovalNotifier, countsLine } from '../../src/slack/approval/approval-notifier.js';
import { RunTracker } from '../../src/slack/run-tracker.js';
import { RunOrchestrator } from '../../src/slack/runs/run-orchestrator.js';
import { OPERATOR, TEST_CUSTOMERS } from '../support/app-harness.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';
import { CHANNEL, type Replica, withQueueHarness } from './queue-harness.js';

const APPROVALS = 'C0APPROVALS';
const APPROVER = 'U0APPROVER';

const schema = useFreshSchema();

/** An orchestrator in queue mode over a replica's service, store and client (as its Slack app builds one). */
function orchestratorOf(replica: Replica) {
  const { client } = replica.slack.app;
  const tracker = new RunTracker(replica.logger);
  const approvals = new ApprovalNotifier({
    client,
    service: replica.service,
    store: replica.store,
    logger: replica.logger,
    channelId: APPROVALS,
    approverIds: [APPROVER],
    approverGroupId: undefined,
  });
  const orchestrator = new RunOrchestrator({
    client,
    logger: replica.logger,
    service: replica.service,
    store: replica.store,
    tracker,
    approvals,
    progressIntervalMs: 0,
    messageIntervalMs: 0,
    queue: { jobs: replica.queue, chunks: { writesPerSecond: 20, chunkSeconds: 0.2 } },
  });
  return { orchestrator, tracker };
}

describePostgres('approved runs as pg-boss jobs', () => {
  it('submit on one replica, approve on another, the run by jobs: one summary, one thread, one outcome in the approval thread', async () => {
    await withQueueHarness(
      schema,
      async (h) => {
        const first = await h.startReplica();
        const second = await h.startReplica();
        // Direct holders of one product, losing it: over a threshold of 1.
        const holdings = await h.demo.getHoldings(TEST_CUSTOMERS.contoso.id, h.contosoUserIds);
        const held = [...holdings.values()].flat().find((license) => license.direct);
        if (held === undefined) throw new Error('nobody in Contoso holds a product directly');
        const holders = [...holdings].filter(([, licenses]) =>
          licenses.some((license) => license.direct && license.skuId === held.skuId),
        );
        const submit = await first.service.submit({
          customerId: TEST_CUSTOMERS.contoso.id,
          userIds: holders.slice(0, 5).map(([userId]) => userId),
          assign: [],
          revoke: [held.skuId],
          requestedBy: OPERATOR,
          reason: 'Leavers',
          report: { channel: CHANNEL },
        });
        if (!submit.ok || !submit.needsApproval)
          throw new Error(`expected a request waiting for approval: ${JSON.stringify(submit)}`);
        const submitted = orchestratorOf(first);
        submitted.orchestrator.submitted(submit.request, true, async () => {});
        await submitted.tracker.idle();
        const approvalMessage = (await first.store.getApproval(submit.request.id))?.message;
        expect(approvalMessage?.channel).toBe(APPROVALS);

        expect(await second.service.approve(submit.request.id, APPROVER)).toMatchObject({ ok: true });
        const approved = orchestratorOf(second);
        approved.orchestrator.approved(submit.request.id);
        await approved.tracker.idle();

        const done = await h.completed(submit.request.id);
        const counts = countResults(done);
        expect(counts.done).toBe(counts.total);
        const summaries = h.fake.messages(CHANNEL).filter((message) => message.threadTs === undefined);
        expect(summaries).toHaveLength(1);
        expect(summaries[0]?.ts).toBe(done.report?.ts);
        expect(h.fake.thread(CHANNEL, done.report?.ts ?? '').length).toBeGreaterThan(0);
        // The run's counts in the approval's thread, said once.
        const outcome = h.fake
          .thread(APPROVALS, approvalMessage?.ts ?? '')
          .filter((message) => message.text === countsLine(counts));
        expect(outcome).toHaveLength(1);
      },
      {
        env: { APPROVAL_REVOKE_THRESHOLD: '1', APPROVAL_CHANNEL_ID: APPROVALS, APPROVER_USER_IDS: APPROVER },
      },
    );
  });
});
