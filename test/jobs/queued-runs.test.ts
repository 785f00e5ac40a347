/**
 * Runs through pg-boss jobs on replicas sharing one database: a submitted request runs to a
 * completed summary and thread; two replicas share its chunks; a replica that dies mid-chunk has
 * its chunk finished by the other once the job expires, with every part applied once and the
 * thread posted once; a run-finish sent twice posts one thread.
 */
import { expect, it } from 'vitest';
import { RUN_CHUNK } from '../../src/jobs/run-queue.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { countResults } from '../../src/licensing/run-counts.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';
import type { SlackFake } from '../support/slack-fake.js';
import { type Applied, CHANNEL, type QueueHarness, submitAssign, withQueueHarness } from './queue-harness.js';

const schema = useFreshSchema();

/** The summary message and its thread, as Slack shows them. */
function posted(fake: SlackFake, request: ChangeRequest) {
  const ts = request.report?.ts;
  if (ts === undefined) throw new Error(`no summary for ${request.id}`);
  const summaries = fake.messages(CHANNEL).filter((message) => message.threadTs === undefined);
  return {
    summaries: summaries.filter((message) => (message.text ?? '').includes(request.id) || message.ts === ts),
    summary: fake.message(CHANNEL, ts),
    thread: fake.thread(CHANNEL, ts),
  };
}

/** The CSVs of all results uploaded to the request's thread. */
function csvsOf(fake: SlackFake, request: ChangeRequest) {
  return fake.files().filter((file) => file.threadTs === request.report?.ts);
}

/** Parts applied more than once, across replicas. */
function twice(applied: readonly Applied[]): string[] {
  const seen = new Set<string>();
  return applied.filter(({ key }) => seen.has(key) || !seen.add(key)).map(({ key }) => key);
}

describePostgres('runs as pg-boss jobs', () => {
  it('a submitted request runs through jobs to a completed summary and thread', async () => {
    await withQueueHarness(schema, async (h) => {
      const replica = await h.startReplica();
      const users = h.contosoUserIds.slice(0, 6);
      const request = await submitAssign(replica.service, users, await h.roomiest());

      const done = await h.completed(request.id);
      const counts = countResults(done);
      expect(counts.done).toBe(counts.total);
      expect(counts.total).toBeGreaterThan(0);
      const { summary, thread } = posted(h.fake, done);
      expect(summary?.text).toMatch(/completed/i);
      expect(thread.length).toBeGreaterThan(0);
      expect(twice(h.applied)).toEqual([]);
      const audit = await replica.store.listAudit({ requestId: request.id, limit: 50 });
      expect(audit.filter((entry) => entry.action === 'run_completed')).toHaveLength(1);
      expect(replica.logger.errors()).toEqual([]);
    });
  });

  it('two replicas share the chunks of one run', async () => {
    await withQueueHarness(schema, async (h) => {
      const first = await h.startReplica();
      await h.startReplica();
      const request = await submitAssign(first.service, h.contosoUserIds, await h.roomiest());

      const done = await h.completed(request.id);
      const counts = countResults(done);
      expect(counts.done).toBe(counts.total);
      expect(new Set(h.applied.map((part) => part.replica))).toEqual(new Set([0, 1]));
      expect(twice(h.applied)).toEqual([]);
      expect(posted(h.fake, done).summaries).toHaveLength(1);
    });
  });

  it('a replica that dies mid-chunk has its chunk finished by another after expiry: each part applied once, one thread', async () => {
    await withQueueHarness(schema, async (h) => {
      // It dies right after its third change lands, before recording it.
      const doomed = await h.startReplica({ dieAfterApplies: 3 });
      const request = await submitAssign(doomed.service, h.contosoUserIds.slice(0, 12), await h.roomiest());
      await waitFor(() => doomed.isDead(), 'the replica to die');
      const survivor = await h.startReplica();

      const done = await h.completed(request.id, 60_000);
      const counts = countResults(done);
      expect(counts.done).toBe(counts.total);
      expect(twice(h.applied)).toEqual([]);
      // The change that landed unrecorded is found applied by the survivor: a success, not a no-op.
      const lost = h.applied.filter((part) => part.replica === 0).at(-1);
      if (lost === undefined) throw new Error('the doomed replica applied nothing');
      expect(done.results[lost.key]?.outcome).toBe('success');
      const { thread } = posted(h.fake, done);
      const threadAgain = h.fake.thread(CHANNEL, done.report?.ts ?? '');
      expect(threadAgain).toHaveLength(thread.length);
      // The summary, the thread's messages and the CSV of all results, each posted once.
      expect(csvsOf(h.fake, done)).toHaveLength(1);
      expect(done.report?.posted).toBe(thread.length + 2);
      const retried = await schema.pool.query(
        `SELECT count(*)::int AS n FROM ${schema.schema}_jobs.job WHERE name = $1 AND retry_count > 0`,
        [RUN_CHUNK],
      );
      expect((retried.rows[0] as { n: number }).n).toBeGreaterThan(0);
      expect(survivor.logger.errors()).toEqual([]);
    });
  });

  it('a replica that shuts down hands its chunk on as a new job: finished by the other, nothing applied twice, no retry used', async () => {
    await withQueueHarness(
      schema,
      async (h) => {
        const leaving = await h.startReplica({ applyDelayMs: 40 });
        const request = await submitAssign(
          leaving.service,
          h.contosoUserIds.slice(0, 20),
          await h.roomiest(),
        );
        await waitFor(() => h.applied.length >= 2, 'the first changes');
        await leaving.service.stop(5_000);
        await leaving.queue.stop(5_000);
        await h.startReplica();

        const done = await h.completed(request.id);
        const counts = countResults(done);
        expect(counts.done).toBe(counts.total);
        expect(twice(h.applied)).toEqual([]);
        expect(new Set(h.applied.map((part) => part.replica))).toEqual(new Set([0, 1]));
        const retried = await schema.pool.query(
          `SELECT count(*)::int AS n FROM ${schema.schema}_jobs.job WHERE data->>'requestId' = $1 AND retry_count > 0`,
          [request.id],
        );
        expect((retried.rows[0] as { n: number }).n).toBe(0);
        expect(leaving.logger.lines.some((line) => line.text.includes('stopped for shutdown'))).toBe(true);
      },
      { chunkSeconds: 1 },
    ); // one chunk of 20 users: the stop comes while most of it has not started
  });

  it('a run-finish sent twice more posts one thread', async () => {
    await withQueueHarness(schema, async (h) => {
      const replica = await h.startReplica();
      const request = await submitAssign(replica.service, h.contosoUserIds.slice(0, 4), await h.roomiest());
      const done = await h.completed(request.id);
      const before = posted(h.fake, done).thread.length;
      // The finish of the run may still be finishing: wait for its posts to be recorded.
      await waitFor(
        async () => (await replica.store.getRequest(request.id))?.report?.posted === before + 2,
        'posts',
      );

      for (const id of [await sendFinish(h, request.id), await sendFinish(h, request.id)]) {
        if (id !== null) await h.finishDone(id);
      }
      const after = await replica.store.getRequest(request.id);
      expect(h.fake.thread(CHANNEL, done.report?.ts ?? '')).toHaveLength(before);
      expect(csvsOf(h.fake, done)).toHaveLength(1);
      expect(after?.report?.posted).toBe(before + 2);
      expect(after?.status).toBe('completed');
    });
  });
});

async function sendFinish(h: QueueHarness, requestId: string): Promise<string | null> {
  const replica = h.replicas[0];
  if (replica === undefined) throw new Error('no replica');
  return replica.queue.boss.send('run-finish', { requestId }, { singletonKey: requestId });
}

async function waitFor(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
