/**
 * Approval expiry (every minute) and retention (every hour) as pg-boss schedules: pg-boss's cron
 * sends each due job once across all replicas (one instance claims the minute's cron round, and
 * the job is sent with a 60-second singleton), and whichever replica's worker fetches it runs it.
 * With lowdb the timers of src/composition/sweeps.ts do the same in one process.
 */
import type { QueueLogger, RunQueue } from './run-queue.js';

export const APPROVAL_EXPIRY = 'approval-expiry';
export const RETENTION = 'retention';

export interface ScheduledWork {
  /** The Slack app's expireApprovals(): expires what is due and tells the operators; returns how many. */
  expireApprovals: () => Promise<number>;
  /** The store's archiveOld(). */
  archiveOld: () => Promise<{ requests: number; drafts: number; audit: number }>;
  logger: QueueLogger;
}

/** Cron expressions (UTC). */
export const SCHEDULES = {
  [APPROVAL_EXPIRY]: '* * * * *',
  [RETENTION]: '0 * * * *',
} as const;

/** Creates the queues, (re)writes both schedules and starts this replica's workers for them. */
export async function startSchedules(queue: RunQueue, work: ScheduledWork): Promise<void> {
  const { boss } = queue;
  const handlers: Record<keyof typeof SCHEDULES, () => Promise<void>> = {
    [APPROVAL_EXPIRY]: () => expireApprovals(work),
    [RETENTION]: () => archiveOld(work),
  };
  for (const [name, cron] of Object.entries(SCHEDULES) as [keyof typeof SCHEDULES, string][]) {
    await queue.createQueue(name);
    await boss.schedule(name, cron, {}, { tz: 'UTC' });
    await boss.work(name, async () => handlers[name]());
  }
}

export async function expireApprovals(work: ScheduledWork): Promise<void> {
  const expired = await work.expireApprovals();
  if (expired > 0) work.logger.info(`expired ${expired} approval(s)`);
}

export async function archiveOld(work: ScheduledWork): Promise<void> {
  const moved = await work.archiveOld();
  if (moved.requests + moved.drafts + moved.audit > 0) {
    work.logger.info(
      `archived ${moved.requests} request(s), ${moved.drafts} draft(s), ${moved.audit} audit row(s)`,
    );
  }
}
