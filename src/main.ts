/**
 * Composition root: configuration → (STORE=postgres: the pool, migrated) → store → provider →
 * licensing service → Slack app → start. Everything is built here once, from the small modules of
 * src/composition/; nothing else chooses an adapter.
 */
import { createAppLogger, readConfig } from './composition/config.js';
import { orFail } from './composition/fail.js';
import { createPacer } from './composition/pacer.js';
import { startBackend } from './composition/provider.js';
import { installShutdown, shutdownSteps } from './composition/shutdown.js';
import { openState } from './composition/state.js';
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
  const { store, pool, queue } = await openState(config, logger);
  // Checked before anything else talks to Slack: a wrong token or no network ends here, in seconds.
  const botIdentity = await orFail(verifySlackToken(config.SLACK_BOT_TOKEN, config.SLACK_API_URL));
  const backend = await startBackend(config, logger, pool);
  const pacer = await createPacer(config, pool, logger);
  const service = new LicensingService({
    provider: backend.provider,
    store,
    approvalRevokeThreshold: config.APPROVAL_REVOKE_THRESHOLD,
    approvalTtlHours: config.APPROVAL_TTL_HOURS,
    approvalWindowHours: config.APPROVAL_WINDOW_HOURS,
    undoDays: config.UNDO_DAYS,
    concurrency: config.RUN_CONCURRENCY,
    pacer,
    logger: logger.child({ component: 'licensing' }),
    verification: { delayMs: config.VERIFY_DELAY_MS, attempts: config.VERIFY_ATTEMPTS },
  });
  const slack = createSlackApp(config, {
    service,
    store,
    logger,
    botIdentity,
    readiness: () => backend.readiness(),
    // STORE=postgres: runs are pg-boss jobs any replica executes (resumeInterrupted starts the workers).
    ...(queue === undefined ? {} : { runQueue: queue }),
  });
  warnAboutAccess(config, slack, logger);

  // Installed before the app listens: a SIGTERM as soon as /healthz answers still stops cleanly.
  let stopSweeps = () => {};
  let started = () => {};
  const startedUp = new Promise<void>((resolve) => {
    started = resolve;
  });
  const steps = shutdownSteps({ slack, service, queue, backend, store, pool }, RUNS_STOP_MS);
  installShutdown(logger, () => stopSweeps(), steps, startedUp);

  await slack.start();
  logger.info(
    config.SLACK_APP_TOKEN === undefined
      ? `LicenseDesk listening on port ${slack.port()} (POST /slack/events, GET /healthz), provider ${config.LICENSE_PROVIDER}, store ${config.STORE}`
      : `LicenseDesk connected in Socket Mode, provider ${config.LICENSE_PROVIDER}, store ${config.STORE}`,
  );
  const resumed = await slack.resumeInterrupted();
  if (resumed > 0) logger.info(`resumed ${resumed} interrupted run(s)`);
  // One process: timers here. Replicas: pg-boss schedules, run once across all of them.
  if (queue === undefined) stopSweeps = startSweeps(config, slack, store, logger);
  else {
    const { startJobSchedules } = await import('./composition/jobs.js');
    await startJobSchedules(queue, slack, store, logger);
  }
  started();
}

main().catch((error: unknown) => {
  // Unexpected: the stack is worth having here.
  process.stderr.write(
    `LicenseDesk failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
