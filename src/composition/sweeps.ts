/**
 * One process (lowdb): approval expiry every minute and retention every hour (and once now), on
 * timers of this process. With several replicas these are pg-boss schedules instead (jobs.ts).
 */
import type { Config } from '../config.js';
import type { AppLogger } from '../logger.js';
import type { SlackApp } from '../slack/app.js';
import type { Store } from '../store/store.js';

const APPROVAL_SWEEP_MS = 60_000;
const RETENTION_SWEEP_MS = 3_600_000;

/** Starts the timers; returns what stops them. */
export function startSweeps(config: Config, slack: SlackApp, store: Store, logger: AppLogger): () => void {
  const sweep = setInterval(() => {
    slack.expireApprovals().catch((error: unknown) => logger.error('expiring approvals failed', error));
  }, APPROVAL_SWEEP_MS);
  const archive = () =>
    store
      .archiveOld()
      .then((moved) => {
        if (moved.requests + moved.drafts + moved.audit > 0) {
          const where = config.STORE === 'lowdb' ? ` to ${config.DATA_DIR}/archive` : '';
          logger.info(
            `archived ${moved.requests} request(s), ${moved.drafts} draft(s), ${moved.audit} audit row(s)${where}`,
          );
        }
      })
      .catch((error: unknown) => logger.error('archiving old records failed', error));
  void archive();
  const retention = setInterval(archive, RETENTION_SWEEP_MS);
  sweep.unref();
  retention.unref();
  return () => {
    clearInterval(sweep);
    clearInterval(retention);
  };
}
