/**
 * Composition root: configuration → store → provider → licensing service → Slack app → start.
 * Everything is built here once; nothing else chooses an adapter.
 */
import { existsSync } from 'node:fs';
import { type Config, loadConfig } from './config.js';
import { isCodedError } from './errors.js';
import { LicensingService } from './licensing/licensing-service.js';
import { type AppLogger, createLogger } from './logger.js';
import { installProcessGuards } from './process-guards.js';
import { createProvider, type ProviderHandle } from './providers/create-provider.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { verifySlackToken } from './slack/verify-token.js';
import { LowdbStore } from './store/lowdb-store.js';

const APPROVAL_SWEEP_MS = 60_000;
const RETENTION_SWEEP_MS = 3_600_000;
/** How long runs get to record the provider calls in flight when the bot stops. */
const RUNS_STOP_MS = 10_000;
/** After this, a stop that hangs ends with a forced exit. */
const SHUTDOWN_LIMIT_MS = 25_000;

/** Expected start-up failures: one line naming the cause and its code, never a stack. */
function fail(code: string, line: string): never {
  process.stderr.write(`${line} [${code}]\n`);
  process.exit(1);
}

/** A coded error is an expected failure (one line); anything else is a bug and keeps its stack. */
function failOnCoded(error: unknown, context = ''): void {
  if (isCodedError(error)) fail(error.code, `${context}${error.message}`);
}

function readConfig(): Config {
  // A local .env is a convenience for `npm start`; variables already in the environment win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    failOnCoded(error);
    throw error;
  }
}

function createAppLogger(config: Config): AppLogger {
  return createLogger({
    level: config.LOG_LEVEL,
    secrets: [
      config.SLACK_BOT_TOKEN,
      config.SLACK_SIGNING_SECRET,
      config.SLACK_APP_TOKEN,
      config.GRAPH_CLIENT_SECRET,
      config.PARTNER_CENTER_CLIENT_SECRET,
      config.PARTNER_CENTER_REFRESH_TOKEN,
    ],
  });
}

async function openStore(config: Config, logger: AppLogger): Promise<LowdbStore> {
  const store = new LowdbStore({
    dataDir: config.DATA_DIR,
    retentionDays: config.RETENTION_DAYS,
    logger: logger.child({ component: 'store' }),
  });
  try {
    await store.open();
  } catch (error) {
    failOnCoded(error, `Cannot open the store in ${config.DATA_DIR}: `);
    throw error;
  }
  return store;
}

async function startBackend(config: Config, logger: AppLogger): Promise<ProviderHandle> {
  return createProvider(config, { logger: logger.child({ component: 'provider' }) }).catch(
    (error: unknown) => {
      failOnCoded(error);
      // A corrupt demo tenant file and the like: the message names the file and what to do.
      fail(
        'provider_start_failed',
        `Cannot start the ${config.LICENSE_PROVIDER} backend: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
}

function warnAboutAccess(config: Config, slack: SlackApp, logger: AppLogger): void {
  if (slack.openToEveryone) {
    logger.warn(
      'No OPERATOR_USER_IDS or OPERATOR_USERGROUP_ID with the demo provider: everyone may use /licenses.',
    );
  } else if (config.OPERATOR_USER_IDS.length === 0 && config.OPERATOR_USERGROUP_ID === undefined) {
    logger.warn('No OPERATOR_USER_IDS or OPERATOR_USERGROUP_ID: nobody may use /licenses until one is set.');
  }
}

/** Approval expiry every minute, retention every hour (and once now); returns what stops them. */
function startSweeps(config: Config, slack: SlackApp, store: LowdbStore, logger: AppLogger): () => void {
  const sweep = setInterval(() => {
    slack.expireApprovals().catch((error: unknown) => logger.error('expiring approvals failed', error));
  }, APPROVAL_SWEEP_MS);
  const archive = () =>
    store
      .archiveOld()
      .then((moved) => {
        if (moved.requests + moved.drafts + moved.audit > 0) {
          logger.info(
            `archived ${moved.requests} request(s), ${moved.drafts} draft(s), ${moved.audit} audit row(s) to ${config.DATA_DIR}/archive`,
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

interface Running {
  slack: SlackApp;
  service: LicensingService;
  backend: ProviderHandle;
  store: LowdbStore;
  stopSweeps: () => void;
  logger: AppLogger;
}

/** On SIGINT / SIGTERM: each step runs even if an earlier one failed; a hang ends in a forced exit. */
function installShutdown({ slack, service, backend, store, stopSweeps, logger }: Running): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping (runs under way resume at the next start)`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting now`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    stopSweeps();
    let failed = false;
    const step = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        failed = true;
        logger.error(`shutdown: ${what} failed`, error);
      }
    };
    // No new work, then the runs stop taking items and record what is in flight, then the tenant
    // and the store are saved: the store even when the tenant could not be.
    await step('stopping the Slack listener', () => slack.stop());
    await step('stopping the runs', () => service.stop(RUNS_STOP_MS));
    await step('saving the license backend', () => backend.close());
    await step('saving the store', () => store.close());
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createAppLogger(config);
  installProcessGuards(logger);
  const store = await openStore(config, logger);
  // Checked before anything else talks to Slack: a wrong token or no network ends here, in seconds.
  const botIdentity = await verifySlackToken(config.SLACK_BOT_TOKEN, config.SLACK_API_URL).catch(
    (error: unknown) => {
      failOnCoded(error);
      throw error;
    },
  );
  const backend = await startBackend(config, logger);
  const service = new LicensingService({
    provider: backend.provider,
    store,
    approvalRevokeThreshold: config.APPROVAL_REVOKE_THRESHOLD,
    approvalTtlHours: config.APPROVAL_TTL_HOURS,
    approvalWindowHours: config.APPROVAL_WINDOW_HOURS,
    concurrency: config.RUN_CONCURRENCY,
    tenantWritesPerSecond: config.TENANT_WRITES_PER_SECOND,
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
      ? `LicenseDesk listening on port ${slack.port()} (POST /slack/events, GET /healthz), provider ${config.LICENSE_PROVIDER}`
      : `LicenseDesk connected in Socket Mode, provider ${config.LICENSE_PROVIDER}`,
  );
  const resumed = await slack.resumeInterrupted();
  if (resumed > 0) logger.info(`resumed ${resumed} interrupted run(s)`);
  const stopSweeps = startSweeps(config, slack, store, logger);
  installShutdown({ slack, service, backend, store, stopSweeps, logger });
}

main().catch((error: unknown) => {
  // Unexpected: the stack is worth having here.
  process.stderr.write(
    `LicenseDesk failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
