/**
 * STORE=postgres: runs and sweeps are pg-boss jobs on the replica's pool (schema
 * `<DATABASE_SCHEMA>_jobs`). The queue is started before the store, whose transition to 'approved'
 * enqueues the run through `queue.onRunnable`; the schedules (approval expiry, retention) start
 * once the Slack app can tell operators, and run once across all replicas.
 */
import type { Config } from '../config.js';
import { AdvisoryLocks } from '../db/advisory-lock.js';
import type { Pool } from '../db/pool.js';
import { RunQueue, startSchedules } from '../jobs/index.js';
import type { AppLogger } from '../logger.js';
import type { SlackApp } from '../slack/app.js';
import type { Store } from '../store/store.js';
import { orFail } from './fail.js';

/** The advisory lock key replicas starting the queue take turns on. */
const QUEUE_START_LOCK = 'licensedesk:job-queue-start';

export async function startRunQueue(config: Config, pool: Pool, logger: AppLogger): Promise<RunQueue> {
  const queue = new RunQueue({
    pool,
    schema: `${config.DATABASE_SCHEMA}_jobs`,
    logger: logger.child({ component: 'jobs' }),
  });
  await orFail(
    inTurn(pool, () => queue.start()),
    'Cannot start the job queue: ',
  );
  return queue;
}

/**
 * Three replicas starting pg-boss together deadlocked in PostgreSQL (40P01) while creating its
 * schema and queues, and creating the same queue twice at once fails: replicas take turns for
 * every step that creates queues or schedules, as they do for the migrations.
 */
function inTurn(pool: Pool, work: () => Promise<void>): Promise<void> {
  return new AdvisoryLocks(pool, { maxHeld: 1 }).run(QUEUE_START_LOCK, work);
}

/** Approval expiry every minute and retention every hour, as schedules shared by the replicas. */
export function startJobSchedules(
  queue: RunQueue,
  slack: SlackApp,
  store: Store,
  logger: AppLogger,
): Promise<void> {
  return inTurn(queue.pool, () =>
    startSchedules(queue, {
      expireApprovals: () => slack.expireApprovals(),
      archiveOld: () => store.archiveOld(),
      logger: logger.child({ component: 'schedules' }),
    }),
  );
}
