/**
 * STORE=postgres: runs and sweeps are pg-boss jobs on the replica's pool (schema
 * `<DATABASE_SCHEMA>_jobs`). The queue is started before the store, whose transition to 'approved'
 * enqueues the run through `queue.onRunnable`; the schedules (approval expiry, retention) start
 * once the Slack app can tell operators, and run once across all replicas.
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { RunQueue, startSchedules } from '../jobs/index.js';
import type { AppLogger } from '../logger.js';
import type { SlackApp } from '../slack/app.js';
import type { Store } from '../store/store.js';
import { orFail } from './fail.js';

/** Any fixed 64-bit number shared by the replicas of this app (the migrations use another). */
const QUEUE_START_LOCK = 7_312_004_118;

export async function startRunQueue(config: Config, pool: Pool, logger: AppLogger): Promise<RunQueue> {
  const queue = new RunQueue({
    pool,
    schema: `${config.DATABASE_SCHEMA}_jobs`,
    logger: logger.child({ component: 'jobs' }),
  });
  // Three replicas starting pg-boss together deadlocked in PostgreSQL (40P01) while creating its
  // schema and queues: they take turns, as they do for the migrations.
  await orFail(
    oneAtATime(pool, () => queue.start()),
    'Cannot start the job queue: ',
  );
  return queue;
}

/** Runs `work` while holding a session advisory lock on one client of the pool. */
async function oneAtATime(pool: Pool, work: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [QUEUE_START_LOCK]);
    try {
      await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [QUEUE_START_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Approval expiry every minute and retention every hour, as schedules shared by the replicas. */
export function startJobSchedules(
  queue: RunQueue,
  slack: SlackApp,
  store: Store,
  logger: AppLogger,
): Promise<void> {
  return startSchedules(queue, {
    expireApprovals: () => slack.expireApprovals(),
    archiveOld: () => store.archiveOld(),
    logger: logger.child({ component: 'schedules' }),
  });
}
