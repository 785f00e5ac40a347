/**
 * Composition root: configuration → (STORE=postgres: the pool, migrated) → store → provider →
 * licensing service → Slack app → start. Everything is built here once, from the small modules of
 * src/composition/; nothing else chooses an adapter.
 */
import { createAppLogger, readConfig } from './composition/config.js';
import { openDatabase } from './composition/database.js';
import { orFail } from './composition/fail.js';
import { startJobSchedules, startRunQueue } from './composition/jobs.js';
import { createPacer } from './composition/pacer.js';
import { startBackend } from './composition/provider.js';
import { installShutdown } from './composition/shutdown.js';
import { openLowdbStore, openPostgresStore } from './composition/store.js';
import { startSweeps } from './composition/sweeps.js';
import type { Config } from './config.js';
import { LicensingService } from './licensing/licensing-service.js';
import type { AppLogger } from './logger.js';
import { installProcessGuards } from './process-guards.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { verifySlackToken } from './slack/verify-token.js';

/** How long runs get to record the provider calls in flight when the bot stops. */
const RUNS_STOP_MS = 10_000;

function warnAboutAccess(config: Config, slack: SlackApp, logger: AppLogger): void {
  if (slack.openToEveryone) {
    logger.warn(
      'No OPERATOR_USER_IDS or OPERATOR_USERGROUP_ID with the demo provider: everyone may use /licenses.',
    );
  } else if (config.OPERATOR_USER_IDS.length === 0 && config.OPERATOR_USERGROUP_ID === undefined) {
    logger.warn('No OPERATOR_USER_IDS or OPERATOR_USERGROUP_ID: nobody may use /licenses until one is set.');
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createAppLogger(config);
  installProcessGuards(logger);
  const pool = config.STORE === 'postgres' ? await orFail(openDatabase(config, logger)) : undefined;
  // STORE=postgres: runs are jobs, enqueued by the store in the transaction that makes one runnable.
  const queue = pool === undefined ? undefined : await startRunQueue(config, pool, logger);
  const store =
    pool === undefined
      ? await openLowdbStore(config, logger)
      : await openPostgresStore(config, logger, pool, queue?.onRunnable);
  // Checked before anything else talks to Slack: a wrong token or no network ends here, in seconds.
  const botIdentity = await orFail(verifySlackToken(config.SLACK_BOT_TOKEN, config.SLACK_API_URL));
  const backend = await startBackend(config, logger, pool);
  const pacer = createPacer(config, pool);
  const service = new LicensingService({
    provider: backend.provider,
    store,
    approvalRevokeThreshold: config.APPROVAL_REVOKE_THRESHOLD,
    approvalTtlHours: config.APPROVAL_TTL_HOURS,
    approvalWindowHours: config.APPROVAL_WINDOW_HOURS,
    concurrency: config.RUN_CONCURRENCY,
    tenantWritesPerSecond: config.TENANT_WRITES_PER_SECOND,
    ...(pacer === undefined ? {} : { pacer }),
    logger: logger.child({ component: 'licensing' }),
  });
  const slack = createSlackApp(config, {
    service,
    store,
    logger,
    botIdentity,
    readiness: () => backend.readiness(),
  });
  warnAboutAccess(config, slack, logger);

  await slack.start();
  logger.info(
    config.SLACK_APP_TOKEN === undefined
      ? `LicenseDesk listening on port ${slack.port()} (POST /slack/events, GET /healthz), provider ${config.LICENSE_PROVIDER}, store ${config.STORE}`
      : `LicenseDesk connected in Socket Mode, provider ${config.LICENSE_PROVIDER}, store ${config.STORE}`,
  );
  const resumed = await slack.resumeInterrupted();
  if (resumed > 0) logger.info(`resumed ${resumed} interrupted run(s)`);
  // One process: timers here. Replicas: pg-boss schedules, run once across all of them.
  const stopSweeps = queue === undefined ? startSweeps(config, slack, store, logger) : () => {};
  if (queue !== undefined) await startJobSchedules(queue, slack, store, logger);
  // No new work, then the runs stop taking items and record what is in flight (their jobs are
  // retried elsewhere), then the tenant and the store are saved (the store even when the tenant
  // could not be), the pool last.
  installShutdown(logger, stopSweeps, [
    { what: 'stopping the Slack listener', work: () => slack.stop() },
    { what: 'stopping the runs', work: () => service.stop(RUNS_STOP_MS) },
    ...(queue === undefined
      ? []
      : [{ what: 'stopping the job workers', work: () => queue.stop(RUNS_STOP_MS) }]),
    { what: 'saving the license backend', work: () => backend.close() },
    { what: 'saving the store', work: () => store.close() },
    ...(pool === undefined ? [] : [{ what: 'closing the database pool', work: () => pool.end() }]),
  ]);
}

main().catch((error: unknown) => {
  // Unexpected: the stack is worth having here.
  process.stderr.write(
    `LicenseDesk failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
