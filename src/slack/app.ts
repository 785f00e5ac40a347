/**
 * Builds the Bolt app (not started): our HTTP receiver (http-receiver.ts: POST /slack/events,
 * GET /healthz, GET /readyz), or Socket Mode when SLACK_APP_TOKEN is set. Tests build it against
 * a local Slack fake through `clientOptions.slackApiUrl` and start it on port 0.
 */

import { App, type Logger, LogLevel } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { RunQueue } from '../jobs/run-queue.js';
import type { LicensingService } from '../licensing/licensing-service.js';
import type { Store } from '../store/store.js';
import { createAccess } from './access.js';
import { ApprovalNotifier } from './approval/approval-notifier.js';
import { recoverBreakGlass } from './approval/break-glass.js';
import { type Readiness, SlackHttpReceiver } from './http-receiver.js';
import type { ListenerDeps } from './listeners/deps.js';
import { registerListeners } from './listeners/index.js';
import { RunTracker } from './run-tracker.js';
import { RunOrchestrator, type RunOrchestratorOptions } from './runs/run-orchestrator.js';
import type { BotIdentity } from './verify-token.js';

export interface SlackAppDeps {
  service: LicensingService;
  store: Store;
  logger?: Logger;
  clientOptions?: WebClientOptions;
  /** Pause between thread messages of one run (Slack allows about one message a second a channel). */
  messageIntervalMs?: number;
  /** Minimum time between two in-place updates of a run's summary. */
  progressIntervalMs?: number;
  /**
   * GET /readyz (HTTP mode) answers ready while the store can write and this check (the license
   * backend's: can it save, can it authenticate) says ready.
   */
  readiness?: () => Promise<Readiness> | Readiness;
  /** The bot's ids when start-up already verified the token (Bolt then skips its own auth.test). */
  botIdentity?: BotIdentity;
  /**
   * STORE=postgres: runs go through these pg-boss jobs, on any replica (src/jobs/run-queue.ts);
   * resumeInterrupted() then starts this replica's workers. Without it runs stay in this process.
   */
  runQueue?: RunQueue;
  /** Seconds of the tenant's writes per run-chunk job (default 3). */
  runChunkSeconds?: number;
}

export interface SlackApp {
  app: App;
  /** Background runs started by this app; `idle()` resolves when none is left. */
  runs: RunTracker;
  /** Verifies the token (one auth.test) and starts listening. */
  start(): Promise<void>;
  /** Stops listening. Runs under way are not awaited: their results are stored as they land and an
   * interrupted run resumes at the next start (see main.ts). */
  stop(): Promise<void>;
  /** The HTTP port listened on (HTTP mode, once started). */
  port(): number | undefined;
  /** True when everyone may operate (demo provider and no operator configured). */
  openToEveryone: boolean;
  /**
   * Continues runs a stopped process left `running`, reporting in their summaries' threads, and
   * posts the break-glass notices a stop cut off.
   */
  resumeInterrupted(): Promise<number>;
  /** Expires pending approvals past their time and tells their operators. */
  expireApprovals(): Promise<number>;
}

const logLevels: Record<Config['LOG_LEVEL'], LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** Ready while the store can write: a bot that cannot save must not be sent traffic it would refuse. */
function storeReadiness(store: Store): () => Readiness {
  return () => {
    const health = store.health();
    return health.writable
      ? { ready: true }
      : { ready: false, reason: `store cannot write: ${health.error ?? 'unknown error'}` };
  };
}

/** The Bolt app over our HTTP receiver, or over Socket Mode when SLACK_APP_TOKEN is set. */
function boltApp(config: Config, deps: SlackAppDeps): { app: App; receiver: SlackHttpReceiver | undefined } {
  const socketMode = config.SLACK_APP_TOKEN !== undefined;
  const receiver = socketMode
    ? undefined
    : new SlackHttpReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET ?? '',
        port: config.PORT,
        readiness: async () => {
          const store = storeReadiness(deps.store)();
          return store.ready ? ((await deps.readiness?.()) ?? store) : store;
        },
        ...(deps.logger === undefined ? {} : { logger: deps.logger }),
      });
  const clientOptions: WebClientOptions = {
    ...(config.SLACK_API_URL === undefined ? {} : { slackApiUrl: config.SLACK_API_URL }),
    ...deps.clientOptions,
  };
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    ...(receiver === undefined ? { socketMode: true, appToken: config.SLACK_APP_TOKEN } : { receiver }),
    clientOptions,
    // auth.test runs once in start() instead of in the constructor, so building the app does no I/O.
    deferInitialization: true,
    ...(deps.botIdentity?.botId && deps.botIdentity.botUserId
      ? { ...deps.botIdentity, tokenVerificationEnabled: false }
      : {}),
    extendedErrorHandler: true,
    // LOG_LEVEL governs the given logger too (Bolt hands the level to its WebClient, which sets it).
    logLevel: logLevels[config.LOG_LEVEL],
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  return { app, receiver };
}

/** Queue mode for the orchestrator when a run queue is given (STORE=postgres). */
function runQueueOf(config: Config, deps: SlackAppDeps): Pick<RunOrchestratorOptions, 'queue'> {
  if (deps.runQueue === undefined) return {};
  const chunkSeconds = deps.runChunkSeconds === undefined ? {} : { chunkSeconds: deps.runChunkSeconds };
  return {
    queue: {
      jobs: deps.runQueue,
      chunks: { writesPerSecond: config.TENANT_WRITES_PER_SECOND, ...chunkSeconds },
    },
  };
}

/** Runs a stop left unfinished, then the break-glass notices it cut off (they link the runs' summaries). */
async function resumeAfterStop(orchestrator: RunOrchestrator, deps: ListenerDeps, app: App): Promise<number> {
  const resumed = await orchestrator.resumeInterrupted();
  const recovered = await recoverBreakGlass(deps, app.client, app.logger).catch((error: unknown) => {
    app.logger.error('looking for break-glass notices a stop cut off failed', error);
    return 0;
  });
  if (recovered > 0) app.logger.info(`recovered ${recovered} break-glass request(s) cut off by a stop`);
  return resumed;
}

export function createSlackApp(config: Config, deps: SlackAppDeps): SlackApp {
  const { app, receiver } = boltApp(config, deps);
  const runs = new RunTracker(app.logger);
  const access = createAccess(config, app.client, app.logger);
  const approvals = new ApprovalNotifier({
    client: app.client,
    service: deps.service,
    store: deps.store,
    logger: app.logger,
    channelId: config.APPROVAL_CHANNEL_ID,
    approverIds: config.APPROVER_USER_IDS,
    approverGroupId: config.APPROVER_USERGROUP_ID,
  });
  const orchestrator = new RunOrchestrator({
    client: app.client,
    logger: app.logger,
    service: deps.service,
    store: deps.store,
    tracker: runs,
    approvals,
    messageIntervalMs: deps.messageIntervalMs ?? 1000,
    progressIntervalMs: deps.progressIntervalMs ?? 2000,
    purchaseUrl: config.PURCHASE_URL ?? null,
    undoDays: config.UNDO_DAYS,
    ...runQueueOf(config, deps),
  });
  const listenerDeps: ListenerDeps = {
    config,
    service: deps.service,
    store: deps.store,
    access,
    runs,
    approvals,
    orchestrator,
  };
  registerListeners(app, listenerDeps);

  return {
    app,
    runs,
    async start() {
      await app.init();
      await app.start(config.PORT);
    },
    async stop() {
      await app.stop();
    },
    openToEveryone: access.operators.openToAll,
    resumeInterrupted: () => resumeAfterStop(orchestrator, listenerDeps, app),
    expireApprovals: async () => (await approvals.expireDue()).length,
    port: () => receiver?.port(),
  };
}
