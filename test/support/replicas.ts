/**
 * Several replicas of the app in one test process, as a load balancer sees them: each replica has
 * its own pool on one Postgres schema, its own store, its own LicensingService and its own Slack
 * app on its own port, and they share only what replicas share in production (the database, the
 * Slack fake, the license backend). `flow(i)` gives the e2e flow helpers (test/e2e/flow.ts) a view
 * of replica `i`, so each step of an operator can land on another replica.
 *
 * ```ts
 * const schema = await freshSchema();
 * const set = await startReplicas({ count: 2, schema, openStore: (pool) => new PostgresStore({ pool }) });
 * const root = await openLicenses(set.flow(0));      // the command on replica 0
 * await chooseCustomer(set.flow(1), root.id, ...);   // the next step on replica 1
 * await set.close(); await schema.drop();
 * ```
 */
import type { Config } from '../../src/config.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { RunQueue } from '../../src/jobs/index.js';
import type { LicensingService, LicensingServiceOptions } from '../../src/licensing/licensing-service.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import type { SlackApp } from '../../src/slack/app.js';
import type { Store } from '../../src/store/store.js';
import { type AppHarness, RecordingLogger, SIGNING_SECRET, testTenant } from './app-harness.js';
import { harnessConfig, harnessService, harnessSlackApp } from './harness-service.js';
import type { TestSchema } from './postgres.js';
import { createSlackDriver, type SlackDriver, summarizeLatencies } from './slack-driver.js';
import { type SlackFake, startSlackFake } from './slack-fake.js';

export interface InProcessReplica {
  index: number;
  pool: Pool;
  /** With `queue: true`: this replica's pg-boss queue (runs go through it, as in production). */
  queue?: RunQueue;
  store: Store;
  service: LicensingService;
  slack: SlackApp;
  driver: SlackDriver;
  appUrl: string;
}

export interface ReplicaSet {
  fake: SlackFake;
  /** The license backend every replica calls (one tenant, as one Graph would be). */
  provider: DemoProvider;
  data: DemoTenantData;
  config: Config;
  logger: RecordingLogger;
  replicas: InProcessReplica[];
  /** Replica `i` as the flow helpers of test/e2e/flow.ts see an app (they read only driver, fake, idle). */
  flow(i: number): AppHarness;
  /** Waits until no replica has background work left. */
  idle(): Promise<void>;
  /** Stops every app, closes every store and pool, stops the fake (not the schema: drop it yourself). */
  close(): Promise<void>;
}

export interface ReplicaSetOptions {
  count: number;
  schema: TestSchema;
  /**
   * A store of one replica on its pool (opened here); `onRunnable` is the replica's queue's
   * (with `queue: true`), for the store to enqueue a run in the transaction that approves it.
   */
  openStore: (
    pool: Pool,
    index: number,
    onRunnable: RunQueue['onRunnable'] | undefined,
  ) => Store | Promise<Store>;
  /** Runs as pg-boss jobs (schema `<schema>_jobs`), any replica running any run, as with STORE=postgres. */
  queue?: boolean;
  env?: Record<string, string>;
  service?: Partial<Omit<LicensingServiceOptions, 'provider' | 'store'>>;
}

export async function startReplicas(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const fake = await startSlackFake();
  const data = testTenant();
  const provider = new DemoProvider({ data });
  const logger = new RecordingLogger();
  const config = harnessConfig(fake, {
    STORE: 'postgres',
    DATABASE_URL: options.schema.url,
    DATABASE_SCHEMA: options.schema.schema,
    ...options.env,
  });
  const replicas: InProcessReplica[] = [];
  for (let index = 0; index < options.count; index++) {
    const pool = createPool({ connectionString: options.schema.url, max: 5, schema: options.schema.schema });
    const queue = options.queue
      ? new RunQueue({
          pool,
          schema: `${options.schema.schema}_jobs`,
          logger,
          pollingIntervalSeconds: 0.5,
        })
      : undefined;
    // One at a time, as main.ts starts them (pg-boss's schema set-up deadlocks when raced).
    await queue?.start();
    const store = await options.openStore(pool, index, queue?.onRunnable);
    await store.open();
    const service = harnessService(config, provider, store, options.service);
    const slack = harnessSlackApp(config, {
      service,
      store,
      logger,
      ...(queue === undefined ? {} : { runQueue: queue }),
    });
    await slack.start();
    // Queue mode: starts this replica's workers.
    if (queue !== undefined) await slack.resumeInterrupted();
    const appUrl = `http://127.0.0.1:${slack.port()}/slack/events`;
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    replicas.push({
      index,
      pool,
      ...(queue === undefined ? {} : { queue }),
      store,
      service,
      slack,
      driver,
      appUrl,
    });
  }
  const idle = async () => {
    for (const replica of replicas) await replica.slack.runs.idle();
  };
  let closed = false;
  return {
    fake,
    provider,
    data,
    config,
    logger,
    replicas,
    idle,
    flow(i) {
      const replica = replicas[i];
      if (replica === undefined) throw new Error(`no replica ${i}`);
      // flow.ts reads only driver, fake and idle of the harness it is given.
      return { driver: replica.driver, fake, idle } as unknown as AppHarness;
    },
    async close() {
      if (closed) return;
      closed = true;
      await idle();
      for (const replica of replicas) {
        await replica.slack.stop();
        await replica.service.stop(1000);
        await replica.queue?.stop(1000);
        await replica.store.close();
        await replica.pool.end();
      }
      await fake.close();
    },
  };
}

/**
 * One driver over several replicas, as a round-robin load balancer: each request goes to the next
 * replica in turn (a modal's steps so land on different replicas). Signatures are the same for
 * all (one signing secret); latencies are those of every replica.
 */
export function alternatingDriver(drivers: readonly SlackDriver[]): SlackDriver & { targets: number[] } {
  const first = drivers[0];
  if (first === undefined) throw new Error('alternatingDriver needs at least one driver');
  let turn = 0;
  const targets: number[] = [];
  const next = (): SlackDriver => {
    const index = turn % drivers.length;
    turn += 1;
    targets.push(index);
    return drivers[index] ?? first;
  };
  const latencies = () => drivers.flatMap((driver) => driver.ackLatencies());
  const send = <T>(request: (driver: SlackDriver) => Promise<T>): Promise<T> => {
    const driver = next();
    return request(driver).catch((error: unknown) => {
      // A kept-alive connection the replica closed as idle just as it was reused (each replica
      // sits idle while the others are asked): the request never reached the app, send it again.
      if (!staleConnection(error)) throw error;
      return request(driver);
    });
  };
  return {
    targets,
    command: (input) => send((driver) => driver.command(input)),
    blockSuggestion: (input) => send((driver) => driver.blockSuggestion(input)),
    blockActions: (input) => send((driver) => driver.blockActions(input)),
    viewSubmission: (input) => send((driver) => driver.viewSubmission(input)),
    viewClosed: (input) => send((driver) => driver.viewClosed(input)),
    appHomeOpened: (userId, options) => send((driver) => driver.appHomeOpened(userId, options)),
    raw: (body, headers) => send((driver) => driver.raw(body, headers)),
    sign: (body, timestampSeconds) => first.sign(body, timestampSeconds),
    ackLatencies: latencies,
    latencySummary: () => summarizeLatencies(latencies()),
  };
}

/** fetch's "other side closed" on a reused connection (undici UND_ERR_SOCKET). */
function staleConnection(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'UND_ERR_SOCKET';
}
