/**
 * Replicas started together create pg-boss's queues and write its schedules at the same moment.
 * Unserialized, PostgreSQL answered two of three `startSchedules` with "deadlock detected" in
 * every trial, and main() then ended those replicas after /healthz had already answered.
 */
import { expect, it } from 'vitest';
import { startJobSchedules, startRunQueue } from '../../src/composition/jobs.js';
import type { Config } from '../../src/config.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import type { RunQueue } from '../../src/jobs/run-queue.js';
import { createLogger } from '../../src/logger.js';
import type { SlackApp } from '../../src/slack/app.js';
import type { Store } from '../../src/store/store.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';

const schema = useFreshSchema();

describePostgres('replicas starting together', () => {
  it('three replicas write the job schedules at the same moment, and every one of them starts', async () => {
    const logger = createLogger({ level: 'error' });
    const config = { DATABASE_SCHEMA: schema.schema } as Config;
    const slack = { expireApprovals: async () => 0 } as unknown as SlackApp;
    const store = { archiveOld: async () => ({ requests: 0, drafts: 0, audit: 0 }) } as unknown as Store;
    const pools: Pool[] = [0, 1, 2].map(() =>
      createPool({ connectionString: schema.url, max: 4, schema: schema.schema }),
    );
    const queues: RunQueue[] = [];
    try {
      for (const pool of pools) queues.push(await startRunQueue(config, pool, logger));
      // As in main(): each replica writes the schedules once it serves, here all at the same moment.
      const started = await Promise.allSettled(
        queues.map((queue) => startJobSchedules(queue, slack, store, logger)),
      );
      expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual([
        'ok',
        'ok',
        'ok',
      ]);
    } finally {
      for (const queue of queues) await queue.stop(1000).catch(() => {});
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
