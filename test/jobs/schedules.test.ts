/**
 * Approval expiry and retention as pg-boss schedules: written once however many replicas start
 * them, and each due job is run by one replica's worker.
 */
import { expect, it } from 'vitest';
import { RunQueue } from '../../src/jobs/run-queue.js';
import { APPROVAL_EXPIRY, RETENTION, SCHEDULES, startSchedules } from '../../src/jobs/schedules.js';
import { RecordingLogger } from '../support/app-harness.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';
import { TEST_QUEUE } from './queue-harness.js';

const schema = useFreshSchema();

describePostgres('schedules on pg-boss', () => {
  it('two replicas write each schedule once, and a due job runs on one of them', async () => {
    const calls = { expire: 0, archive: 0 };
    const logger = new RecordingLogger();
    const queues = [0, 1].map(
      () => new RunQueue({ pool: schema.pool, schema: `${schema.schema}_jobs`, logger, ...TEST_QUEUE }),
    );
    try {
      for (const queue of queues) {
        await queue.start();
        await startSchedules(queue, {
          expireApprovals: async () => {
            calls.expire++;
            return 1;
          },
          archiveOld: async () => {
            calls.archive++;
            return { requests: 0, drafts: 0, audit: 0 };
          },
          logger,
        });
      }
      const [first] = queues;
      if (first === undefined) throw new Error('no queue');
      const schedules = await first.boss.getSchedules();
      expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual(
        [
          [APPROVAL_EXPIRY, SCHEDULES[APPROVAL_EXPIRY]],
          [RETENTION, SCHEDULES[RETENTION]],
        ].sort(),
      );

      // What pg-boss's cron sends when the minute comes.
      const jobId = await first.boss.send(APPROVAL_EXPIRY, {});
      if (jobId === null) throw new Error('the job was not sent');
      for (
        let waited = 0;
        (await first.boss.getJobById(APPROVAL_EXPIRY, jobId))?.state !== 'completed';
        waited++
      ) {
        if (waited > 300) throw new Error('the approval-expiry job did not complete');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(calls.expire).toBe(1);
      expect(logger.lines.some((line) => line.text === 'expired 1 approval(s)')).toBe(true);
    } finally {
      for (const queue of queues) await queue.boss.stop({ graceful: false, close: false });
    }
  });
});
