/**
 * Runs as pg-boss jobs (STORE=postgres): any replica executes any run, and a replica that dies
 * has its job taken over by another. pg-boss 10.4 (the newest line on Node 20; 12.x adds worker
 * heartbeats but needs Node ≥ 22.12) runs on the replica's one pool, in schema
 * `<DATABASE_SCHEMA>_jobs`.
 *
 * API for main.ts (STORE=postgres only; with lowdb nothing here is built):
 *
 *   const queue = new RunQueue({ pool, schema: `${config.DATABASE_SCHEMA}_jobs`, logger });
 *   await queue.start();                       // installs/migrates pg-boss's schema, creates the queues
 *   const store = new PostgresStore({ pool, onRunnable: queue.onRunnable, ... });
 *   const slack = createSlackApp(config, { ..., runQueue: queue });
 *   await slack.start();
 *   await slack.resumeInterrupted();           // queue mode: starts this replica's run workers and
 *                                              // re-enqueues runs that have no job (safety net)
 *   await startSchedules(queue, { expireApprovals: () => slack.expireApprovals(),
 *                                 archiveOld: () => store.archiveOld(), logger });  // schedules.ts
 *   // shutdown: slack.stop() → service.stop(ms) (chunks stop taking items, their jobs are retried
 *   // elsewhere) → queue.stop() → store.close() → pool.end()
 *
 * Jobs: `run-start` {requestId} → `run-chunk` {requestId, from, to} (a few seconds of writes each)
 * → `run-finish` {requestId}. All three queues are `stately` with a deterministic singletonKey, so
 * at most one job per key waits and at most one runs; a double send is dropped or waits its turn.
 *
 * Recovery: a job whose replica died stays `active` until `started_on + expireIn` has passed; the
 * expiry is found by pg-boss's maintenance (boss.js `onSupervise` → `failJobsByTimeout`), which
 * one instance runs every `maintenanceIntervalSeconds` (gated by `version.maintained_on`, so a
 * tick that comes a hair early is skipped: allow two intervals), and the job is then retried
 * (`retryDelay`) and fetched by a live replica within its polling interval. With the defaults
 * (20 s expiry, 5 s maintenance, 1 s retry delay, 2 s polling) another replica continues within
 * 20 + 10 + 1 + 2 = 33 s of the job's start. A handler gets 60 % of the expiry (12 s) and then
 * hands what is left to a new job, so a slow tenant never lets a live job expire.
 */
import PgBoss from 'pg-boss';
import type { Pool, Queryable } from '../db/pool.js';

export const RUN_START = 'run-start';
export const RUN_CHUNK = 'run-chunk';
export const RUN_FINISH = 'run-finish';

export interface RunStartJob {
  requestId: string;
}

/** Items at positions [from, to) of the request's items. */
export interface RunChunkJob {
  requestId: string;
  from: number;
  to: number;
}

export interface RunFinishJob {
  requestId: string;
}

/** What a job handler is told beyond its data. */
export interface JobContext {
  /** True when an earlier attempt of this job was started (it died, failed or expired). */
  retried: boolean;
  /** True when this is the last attempt pg-boss will make. */
  lastAttempt: boolean;
  /** When the job expires: a handler must stop well before (pg-boss then retries it elsewhere). */
  deadline: number;
}

/** What the workers of this replica do with each job (the Slack side implements it). */
export interface RunJobHandlers {
  start(job: RunStartJob, context: JobContext): Promise<void>;
  chunk(job: RunChunkJob, context: JobContext): Promise<void>;
  finish(job: RunFinishJob, context: JobContext): Promise<void>;
}

export interface QueueLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface RunQueueOptions {
  pool: Pool;
  /** pg-boss's schema: `<DATABASE_SCHEMA>_jobs`. */
  schema: string;
  logger: QueueLogger;
  /** After this long a job whose replica died is failed and retried by another (default 20). */
  expireInSeconds?: number;
  /** How often one replica looks for expired jobs (default 5). */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker looks for a job (default 2; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Pause before a failed or expired job is tried again (default 1). */
  retryDelaySeconds?: number;
  /** Chunks this replica runs at once (default 2). */
  chunkWorkers?: number;
}

const DEFAULTS = {
  expireInSeconds: 20,
  maintenanceIntervalSeconds: 5,
  pollingIntervalSeconds: 2,
  retryDelaySeconds: 1,
  chunkWorkers: 2,
} as const;

/** Attempts per job: chunks stopped by a shutdown or a deadline are retried, so leave room. */
const RETRY_LIMIT = 20;

/** pg-boss's `db` adapter over a pool or one client (a transaction). */
export function bossDb(queryable: Queryable): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await queryable.query(text, values);
      return { rows: result.rows };
    },
  };
}

export class RunQueue {
  readonly boss: PgBoss;
  /** The replica's pool the queue runs on. */
  readonly pool: Pool;
  readonly #logger: QueueLogger;
  readonly #settings: Required<Omit<RunQueueOptions, 'pool' | 'schema' | 'logger'>>;
  #working = false;

  constructor(options: RunQueueOptions) {
    this.pool = options.pool;
    this.#logger = options.logger;
    this.#settings = {
      expireInSeconds: options.expireInSeconds ?? DEFAULTS.expireInSeconds,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? DEFAULTS.maintenanceIntervalSeconds,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? DEFAULTS.pollingIntervalSeconds,
      retryDelaySeconds: options.retryDelaySeconds ?? DEFAULTS.retryDelaySeconds,
      chunkWorkers: options.chunkWorkers ?? DEFAULTS.chunkWorkers,
    };
    this.boss = new PgBoss({
      db: bossDb(options.pool),
      schema: options.schema,
      supervise: true,
      schedule: true,
      migrate: true,
      maintenanceIntervalSeconds: this.#settings.maintenanceIntervalSeconds,
      expireInSeconds: this.#settings.expireInSeconds,
      pollingIntervalSeconds: this.#settings.pollingIntervalSeconds,
    });
    this.boss.on('error', (error) => options.logger.error('pg-boss:', error));
  }

  /** Installs or migrates pg-boss's schema (replicas starting together are fine) and creates the queues. */
  async start(): Promise<void> {
    await this.boss.start();
    for (const name of [RUN_START, RUN_CHUNK, RUN_FINISH]) await this.createQueue(name);
  }

  /** A stately queue with this replica's expiry and retry settings (created once across replicas). */
  async createQueue(name: string): Promise<void> {
    const { expireInSeconds, retryDelaySeconds } = this.#settings;
    // create_queue inserts ON CONFLICT DO NOTHING: replicas starting together are fine.
    await this.boss
      .createQueue(name, {
        name,
        policy: 'stately',
        expireInSeconds,
        retryLimit: RETRY_LIMIT,
        retryDelay: retryDelaySeconds,
      })
      .catch(async (error: unknown) => {
        // Its partition raced another replica's: fine when the queue exists now.
        if ((await this.boss.getQueue(name)) === null) throw error;
      });
  }

  /**
   * For the store's `onRunnable`: enqueues the request's run inside the transaction that made it
   * approved, so the run exists exactly when the approval does.
   */
  readonly onRunnable = async (client: Queryable, requestId: string): Promise<void> => {
    await this.boss.send(RUN_START, { requestId } satisfies RunStartJob, {
      singletonKey: requestId,
      db: bossDb(client),
    });
  };

  async sendStart(requestId: string): Promise<void> {
    await this.boss.send(RUN_START, { requestId } satisfies RunStartJob, { singletonKey: requestId });
  }

  /** One job per chunk; a chunk already waiting (same request and start) is not sent twice. */
  async sendChunks(chunks: readonly RunChunkJob[]): Promise<void> {
    for (const chunk of chunks) {
      await this.boss.send(RUN_CHUNK, chunk, { singletonKey: `${chunk.requestId}:${chunk.from}` });
    }
  }

  async sendFinish(requestId: string): Promise<void> {
    await this.boss.send(RUN_FINISH, { requestId } satisfies RunFinishJob, { singletonKey: requestId });
  }

  /** Starts this replica's workers (once): one for starts, `chunkWorkers` for chunks, one for finishes. */
  async work(handlers: RunJobHandlers): Promise<void> {
    if (this.#working) return;
    this.#working = true;
    await this.#work<RunStartJob>(RUN_START, (job, context) => handlers.start(job, context));
    for (let i = 0; i < this.#settings.chunkWorkers; i++) {
      await this.#work<RunChunkJob>(RUN_CHUNK, (job, context) => handlers.chunk(job, context));
    }
    await this.#work<RunFinishJob>(RUN_FINISH, (job, context) => handlers.finish(job, context));
  }

  /** Stops taking jobs and waits up to `timeoutMs` for those under way; what is left is retried elsewhere. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: false });
  }

  /** Stops fetching without touching the jobs under way: a replica that dies, as other replicas see it (tests). */
  async abandon(): Promise<void> {
    for (const name of [RUN_START, RUN_CHUNK, RUN_FINISH]) await this.boss.offWork(name);
  }

  async #work<T extends object>(name: string, handle: (data: T, context: JobContext) => Promise<void>) {
    const { pollingIntervalSeconds } = this.#settings;
    await this.boss.work<T>(name, { includeMetadata: true, pollingIntervalSeconds }, async ([job]) => {
      if (job === undefined) return;
      const context = {
        retried: job.retryCount > 0,
        lastAttempt: job.retryCount >= job.retryLimit,
        // EXTRACT(epoch …) comes back as a numeric string; measured on this replica's clock.
        deadline: Date.now() + Number(job.expireInSeconds) * 1000,
      };
      try {
        await handle(job.data, context);
      } catch (error) {
        // pg-boss records the failure and retries the job (on any replica) after retryDelay.
        this.#logger.warn(
          `${name} job ${job.id} failed (attempt ${job.retryCount + 1}); it is retried`,
          error,
        );
        throw error;
      }
    });
  }
}
