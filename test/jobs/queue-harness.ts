/**
 * Replicas in one test process, as STORE=postgres runs them: each has its own pool, pg-boss
 * instance (RunQueue), PostgresStore, LicensingService and Slack app (over HTTP once `serve()`d,
 * for the e2e flow helpers), all on one fresh schema, one Slack fake and one in-memory demo
 * tenant. A replica can die: its pool then answers nothing (every query and connect hangs), which
 * is what the others see of a replica killed with SIGKILL, and its provider calls hang from the
 * moment it dies.
 */
import type pg from 'pg';
import type { Config } from '../../src/config.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { RUN_FINISH, RunQueue, type RunQueueOptions } from '../../src/jobs/run-queue.js';
import type { LicensingService, LicensingServiceOptions } from '../../src/licensing/licensing-service.js';
import type { ChangeRequest, UserChange } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import type { SlackApp } from '../../src/slack/app.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  RecordingLogger,
  TEST_CUSTOMERS,
  testTenant,
} from '../support/app-harness.js';
import {
  harnessConfig,
  harnessService,
  harnessSlackApp,
  SIGNING_SECRET,
} from '../support/harness-service.js';
import type { TestSchema } from '../support/postgres.js';
import { createSlackDriver } from '../support/slack-driver.js';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';

/** One part a provider applied, and which replica applied it. */
export interface Applied {
  replica: number;
  key: string;
}

export interface Replica {
  index: number;
  pool: Pool;
  queue: RunQueue;
  store: PostgresStore;
  service: LicensingService;
  slack: SlackApp;
  logger: RecordingLogger;
  /** From now on its database and its provider calls answer nothing (see the top). */
  die(): void;
  isDead(): boolean;
  /** When it died (Date.now()), if it did. */
  diedAt(): number | undefined;
}

export interface QueueHarness {
  fake: SlackFake;
  demo: DemoProvider;
  /** The demo tenant's data (its customers' users, products and holdings). */
  data: DemoTenantData;
  /** Contoso's product with the most seats left. */
  roomiest(): Promise<string>;
  /** Contoso's users in the demo tenant. */
  contosoUserIds: string[];
  config: Config;
  applied: Applied[];
  replicas: Replica[];
  startReplica(options?: {
    dieAfterApplies?: number;
    applyDelayMs?: number;
    afterApply?: (userId: string) => Promise<void>;
  }): Promise<Replica>;
  /**
   * Waits until the request is completed and no run-finish of it waits or runs (its closing posts
   * are made), polling the store and pg-boss's table; fails after `timeoutMs`.
   */
  completed(requestId: string, timeoutMs?: number): Promise<ChangeRequest>;
  /** Waits until the run-finish job `id` is completed. */
  finishDone(jobId: string, timeoutMs?: number): Promise<void>;
  /**
   * Serves the replica's Slack app over HTTP, a replica behind the load balancer: what the flow
   * helpers of test/e2e/flow.ts drive (they read only driver, fake and idle). Stopped by close().
   */
  serve(replica: Replica): Promise<AppHarness>;
  close(): Promise<void>;
}

/** How fast a replica's pg-boss notices a dead replica. */
export type QueueTiming = Pick<
  RunQueueOptions,
  'expireInSeconds' | 'maintenanceIntervalSeconds' | 'pollingIntervalSeconds' | 'retryDelaySeconds'
>;

/** Test pace: expiry 4 s, maintenance every second, so a dead replica's job moves within ~6 s. */
export const TEST_QUEUE: QueueTiming = {
  expireInSeconds: 4,
  maintenanceIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
  retryDelaySeconds: 0,
};

const never = () => new Promise<never>(() => {});

/** The pool as others see a dead replica's: nothing answers once `dead()` is true. */
function freezable(pool: Pool, dead: () => boolean): Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query' || property === 'connect') {
        const method = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => (dead() ? never() : method.apply(target, args));
      }
      return Reflect.get(target, property, receiver);
    },
  }) as pg.Pool;
}

interface ReplicaState {
  dead: boolean;
  dieAfterApplies: number | undefined;
  applies: number;
  diedAt?: number;
  /** Each change waits this long before it is applied (a slow tenant). */
  applyDelayMs: number;
  /** Runs after each change landed, before the replica records it (e.g. the tenant changed behind its back). */
  afterApply?: (userId: string) => Promise<void>;
}

/** The demo provider, its applied parts written down, hanging once the replica is dead. */
function observed(
  demo: DemoProvider,
  replica: number,
  applied: Applied[],
  state: ReplicaState,
): LicenseProvider {
  return new Proxy(demo, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (state.dead) return never();
        if (property !== 'applyUserChange') return value.apply(target, args);
        const [customerId, userId, change] = args as [string, string, UserChange];
        if (state.applyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.applyDelayMs));
        const answer = await target.applyUserChange(customerId, userId, change);
        await state.afterApply?.(userId);
        for (const part of change.assign)
          applied.push({ replica, key: resultKey(userId, part.skuId, 'assign') });
        for (const skuId of change.revoke) applied.push({ replica, key: resultKey(userId, skuId, 'revoke') });
        state.applies++;
        // Dies after the change landed and before anyone recorded it: the hardest case for a resume.
        if (state.dieAfterApplies !== undefined && state.applies >= state.dieAfterApplies) {
          state.dead = true;
          state.diedAt = Date.now();
        }
        return state.dead ? never() : answer;
      };
    },
  });
}

export async function startQueueHarness(
  schema: TestSchema,
  {
    chunkSeconds = 0.2,
    env = {},
    queue: timing = TEST_QUEUE,
    verification = { delayMs: 0, retryDelayMs: 5 },
  }: {
    chunkSeconds?: number;
    env?: Record<string, string>;
    queue?: QueueTiming;
    /** How runs are verified (default: read back at once, retried after a few ms). */
    verification?: LicensingServiceOptions['verification'];
  } = {},
): Promise<QueueHarness> {
  const fake = await startSlackFake();
  const data = testTenant();
  const demo = new DemoProvider({ data });
  const contoso = data.customers.find((customer) => customer.customer.id === TEST_CUSTOMERS.contoso.id);
  const config = harnessConfig(fake, {
    TENANT_WRITES_PER_SECOND: '20',
    ...env,
  });
  const applied: Applied[] = [];
  const replicas: Replica[] = [];
  const served: Replica[] = [];

  const startReplica = async ({
    dieAfterApplies,
    applyDelayMs = 0,
    afterApply,
  }: {
    dieAfterApplies?: number;
    applyDelayMs?: number;
    afterApply?: (userId: string) => Promise<void>;
  } = {}) => {
    const index = replicas.length;
    const state: ReplicaState = {
      dead: false,
      dieAfterApplies,
      applies: 0,
      applyDelayMs,
      ...(afterApply ? { afterApply } : {}),
    };
    const realPool = createPool({ connectionString: schema.url, max: 5, schema: schema.schema });
    const pool = freezable(realPool, () => state.dead);
    const logger = new RecordingLogger();
    const queue = new RunQueue({ pool, schema: `${schema.schema}_jobs`, logger, ...timing });
    await queue.start();
    const store = new PostgresStore({ pool, onRunnable: queue.onRunnable, logger });
    await store.open();
    const service = harnessService(config, observed(demo, index, applied, state), store, {
      concurrency: 2,
      verification,
    });
    const slack = harnessSlackApp(config, {
      service,
      store,
      logger,
      runQueue: queue,
      runChunkSeconds: chunkSeconds,
    });
    await slack.resumeInterrupted();
    const replica: Replica = {
      index,
      pool: realPool,
      queue,
      store,
      service,
      slack,
      logger,
      die: () => {
        state.dead = true;
        state.diedAt = Date.now();
      },
      isDead: () => state.dead,
      diedAt: () => state.diedAt,
    };
    replicas.push(replica);
    return replica;
  };

  const poll = async <T>(probe: () => Promise<T | null>, what: string, timeoutMs: number): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== null) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const idle = async () => {
    for (const replica of replicas) await replica.slack.runs.idle();
  };

  return {
    fake,
    demo,
    data,
    contosoUserIds: contoso?.users.map((user) => user.id) ?? [],
    roomiest: async () => {
      const products = await demo.listProducts(TEST_CUSTOMERS.contoso.id);
      const [most] = products.sort((a, b) => b.available - a.available);
      if (most === undefined) throw new Error('Contoso has no products');
      return most.skuId;
    },
    config,
    applied,
    replicas,
    startReplica,
    completed: (requestId, timeoutMs = 30_000) =>
      poll(
        async () => {
          const request = await readerStore(replicas).getRequest(requestId);
          if (request?.status !== 'completed') return null;
          return (await finishesPending(schema, requestId)) === 0 ? request : null;
        },
        `${requestId} to complete`,
        timeoutMs,
      ),
    finishDone: (jobId, timeoutMs = 30_000) =>
      poll(
        async () => {
          const job = await schemaJob(schema, jobId);
          return job === 'completed' ? true : null;
        },
        `run-finish ${jobId}`,
        timeoutMs,
      ).then(() => {}),
    async serve(replica) {
      await replica.slack.start();
      served.push(replica);
      const appUrl = `http://127.0.0.1:${replica.slack.port()}/slack/events`;
      const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
      return { driver, fake, idle } as unknown as AppHarness;
    },
    async close() {
      for (const replica of served) await replica.slack.stop();
      for (const replica of replicas) {
        // A dead replica's pg-boss would wait on its frozen pool: its timers are stopped, not its jobs.
        void replica.queue.boss.stop({ graceful: false, close: false }).catch(() => {});
        await replica.slack.runs.idle();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const replica of replicas) await replica.pool.end().catch(() => {});
      await fake.close();
    },
  };
}

/** A live replica's store (every replica's store reads the same database). */
function readerStore(replicas: Replica[]): PostgresStore {
  const replica = replicas.find((candidate) => !candidate.isDead());
  if (replica === undefined) throw new Error('no replica started');
  return replica.store;
}

/** run-finish jobs of the request that wait or run. */
async function finishesPending(schema: TestSchema, requestId: string): Promise<number> {
  const { rows } = await schema.pool.query(
    `SELECT count(*)::int AS n FROM ${schema.schema}_jobs.job
     WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry', 'active')`,
    [RUN_FINISH, requestId],
  );
  return (rows[0] as { n: number }).n;
}

/** The state of a pg-boss job, read from its table. */
async function schemaJob(schema: TestSchema, jobId: string): Promise<string | null> {
  const { rows } = await schema.pool.query(`SELECT state FROM ${schema.schema}_jobs.job WHERE id = $1`, [
    jobId,
  ]);
  return (rows[0] as { state?: string } | undefined)?.state ?? null;
}

/** Runs `test` on a harness started on `schema` (options as startQueueHarness's), closed after it whatever happens. */
export async function withQueueHarness(
  schema: TestSchema,
  test: (h: QueueHarness) => Promise<void>,
  options: Parameters<typeof startQueueHarness>[1] = {},
): Promise<void> {
  const h = await startQueueHarness(schema, options);
  try {
    await test(h);
  } finally {
    await h.close();
  }
}

/** Submits a change on Contoso for `userIds` (assign `skuId` to each), reported in CHANNEL: it runs at once. */
export async function submitAssign(
  service: LicensingService,
  userIds: readonly string[],
  skuId: string,
): Promise<ChangeRequest> {
  const result = await service.submit({
    customerId: TEST_CUSTOMERS.contoso.id,
    userIds: [...userIds],
    assign: [{ skuId, disabledPlans: null }],
    revoke: [],
    requestedBy: OPERATOR,
    report: { channel: CHANNEL },
  });
  if (!result.ok) throw new Error(`submit refused: ${JSON.stringify(result.problems)}`);
  if (result.needsApproval) throw new Error('expected a request that runs at once');
  return result.request;
}

export { CHANNEL, OPERATOR, RUN_FINISH };
