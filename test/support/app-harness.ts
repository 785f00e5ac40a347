/**
 * The whole app as Slack and an operator see it: the Slack fake, a DemoProvider on a small
 * deterministic tenant, a LowdbStore in a temp dir, the LicensingService and createSlackApp on
 * port 0, and a driver that sends signed requests. One harness per test; `close()` cleans up.
 * `startGraphApp` is the same app with the Graph provider, against the Graph fake.
 */
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, LogLevel } from '@slack/bolt';
import { type Config, loadConfig } from '../../src/config.js';
import type { LicensingService, LicensingServiceOptions } from '../../src/licensing/licensing-service.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { DemoProvider, type DemoProviderOptions } from '../../src/providers/demo/demo-provider.js';
import type { DemoCustomerData, DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import { generateCustomer } from '../../src/providers/demo/generator.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import type { SlackApp, SlackAppDeps } from '../../src/slack/app.js';
import { LowdbStore, type LowdbStoreOptions } from '../../src/store/lowdb-store.js';
// The server alone: the fake's index also brings GraphAuth (MSAL), which demo-only tests do not need.
import { type GraphFake, type GraphFakeOptions, startGraphFake } from './graph-fake/server.js';
import { harnessConfig, harnessService, harnessSlackApp, SIGNING_SECRET } from './harness-service.js';
import { createSlackDriver, type SlackDriver } from './slack-driver.js';
import { type SlackFake, startSlackFake } from './slack-fake.js';

export { SIGNING_SECRET } from './harness-service.js';
export const OPERATOR = 'U0OPERATOR';
export const CHANNEL = 'C0LICENSES';

/** The test tenant: three small customers, the same every run. */
export const TEST_CUSTOMERS = {
  contoso: { id: 'cust-contoso', name: 'Contoso', users: 40, seed: 11 },
  fabrikam: { id: 'cust-fabrikam', name: 'Fabrikam', users: 25, seed: 12 },
  fourthCoffee: { id: 'cust-fourth-coffee', name: 'Fourth Coffee', users: 15, seed: 13 },
} as const;

export function testTenant(extra: readonly DemoCustomerData[] = []): DemoTenantData {
  const customers = Object.values(TEST_CUSTOMERS).map((spec) =>
    generateCustomer({ seed: spec.seed, users: spec.users, name: spec.name, id: spec.id, spareSeats: 50 }),
  );
  return { version: 1, customers: [...customers, ...extra] };
}

/** A logger that keeps what it is told; errors and warnings are read by tests. */
export class RecordingLogger implements Logger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; text: string }[] = [];
  #level = LogLevel.DEBUG;
  #record(level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) {
    const text = parts
      .map((part) =>
        part instanceof Error
          ? (part.stack ?? part.message)
          : typeof part === 'string'
            ? part
            : JSON.stringify(part),
      )
      .join(' ');
    this.lines.push({ level, text });
    if (process.env.HARNESS_LOG === '1') console.log(`[${level}] ${text}`);
  }
  debug(...parts: unknown[]) {
    this.#record('debug', parts);
  }
  info(...parts: unknown[]) {
    this.#record('info', parts);
  }
  warn(...parts: unknown[]) {
    this.#record('warn', parts);
  }
  error(...parts: unknown[]) {
    this.#record('error', parts);
  }
  setLevel(level: LogLevel) {
    this.#level = level;
  }
  getLevel() {
    return this.#level;
  }
  setName() {}
  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error').map((line) => line.text);
  }
}

export interface HarnessOptions {
  /** Environment on top of the harness's (e.g. OPERATOR_USER_IDS). */
  env?: Record<string, string>;
  /** Changes the tenant before the provider is built (seat counts, extra customers…). */
  tenant?: (data: DemoTenantData) => DemoTenantData | undefined;
  provider?: Omit<DemoProviderOptions, 'data'>;
  /** Puts something between the service and the demo provider (a directory change the demo cannot make). */
  wrapProvider?: (demo: DemoProvider) => LicenseProvider;
  service?: Partial<Omit<LicensingServiceOptions, 'provider' | 'store'>>;
  /** The license backend's readiness for /readyz (default: ready). */
  readiness?: SlackAppDeps['readiness'];
  /** The app's logger instead of the recording one (e.g. the production pino logger). */
  appLogger?: Logger;
  /** Where the store lives (default: a fresh temp dir, removed by close()); e.g. a small tmpfs. */
  dataDir?: string;
  /** Store options on top of the harness's (retry pace, an injected failing disk…). */
  store?: Partial<Omit<LowdbStoreOptions, 'dataDir'>>;
  /** Pacing of the Slack reporter (tests default to no pause and 20 ms between summary updates). */
  messageIntervalMs?: number;
  progressIntervalMs?: number;
}

export interface AppHarness {
  fake: SlackFake;
  driver: SlackDriver;
  provider: DemoProvider;
  data: DemoTenantData;
  store: LowdbStore;
  service: LicensingService;
  slack: SlackApp;
  config: Config;
  logger: RecordingLogger;
  appUrl: string;
  /** Waits until every background run and summary of the app is done. */
  idle(): Promise<void>;
  /**
   * A second app on the same store, service and Slack fake, with its own driver: another replica
   * behind the load balancer, or the app after a restart. Stopped by `close()`.
   */
  startReplica(): Promise<{ slack: SlackApp; driver: SlackDriver }>;
  close(): Promise<void>;
}

/** Ack latencies of every harness in this test file (see reportAckLatencies). */
const ackLatencies: number[] = [];

export async function startAppHarness(options: HarnessOptions = {}): Promise<AppHarness> {
  const fake = await startSlackFake();
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'licensedesk-e2e-')));
  const base = testTenant();
  const data = options.tenant?.(base) ?? base;
  const provider = new DemoProvider({ data, ...options.provider });
  const store = new LowdbStore({ dataDir, writeDelayMs: 20, ...options.store });
  await store.open();
  const config = harnessConfig(fake, { DATA_DIR: dataDir, ...options.env });
  const service = harnessService(
    config,
    options.wrapProvider?.(provider) ?? provider,
    store,
    options.service,
  );
  const logger = new RecordingLogger();
  const startApp = async () => {
    const app = harnessSlackApp(config, {
      service,
      store,
      logger: options.appLogger ?? logger,
      ...(options.readiness === undefined ? {} : { readiness: options.readiness }),
      messageIntervalMs: options.messageIntervalMs ?? 0,
      progressIntervalMs: options.progressIntervalMs ?? 20,
    });
    await app.start();
    const url = `http://127.0.0.1:${app.port()}/slack/events`;
    return { app, url, driver: createSlackDriver({ appUrl: url, signingSecret: SIGNING_SECRET, fake }) };
  };
  const { app: slack, url: appUrl, driver } = await startApp();
  const replicas: SlackApp[] = [];
  let closed = false;
  return {
    fake,
    driver,
    provider,
    data,
    store,
    service,
    slack,
    config,
    logger,
    appUrl,
    idle: async () => {
      for (const app of [slack, ...replicas]) await app.runs.idle();
    },
    async startReplica() {
      const replica = await startApp();
      replicas.push(replica.app);
      return { slack: replica.app, driver: replica.driver };
    },
    async close() {
      if (closed) return;
      closed = true;
      ackLatencies.push(...driver.ackLatencies());
      for (const app of [slack, ...replicas]) {
        await app.runs.idle();
        await app.stop();
      }
      await store.close();
      await fake.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface GraphAppOptions {
  /** The Graph fake's tenants (each a configured customer, GRAPH_CUSTOMERS) and behaviour. */
  fake: GraphFakeOptions;
  service?: HarnessOptions['service'];
  /** Puts something between the service and the Graph provider (a tenant changed behind its back). */
  wrapProvider?: (provider: LicenseProvider) => LicenseProvider;
  /** Builds the app's provider instead of createProvider (settings the environment does not give). */
  buildProvider?: (graph: GraphFake) => LicenseProvider;
}

export interface GraphApp extends AppHarness {
  /** The Graph fake the app's provider talks to over HTTP; closed by `close()`. */
  graph: GraphFake;
}

/**
 * The harness's app with LICENSE_PROVIDER=graph against a Graph fake over real HTTP: the provider
 * createProvider makes from the Graph environment (MSAL token, short back-off), OPERATOR listed as
 * an operator (outside the demo only listed operators may use /licenses).
 */
export async function startGraphApp(options: GraphAppOptions): Promise<GraphApp> {
  const graph = await startGraphFake(options.fake);
  const env = {
    LICENSE_PROVIDER: 'graph',
    GRAPH_CLIENT_ID: graph.clientId,
    GRAPH_CLIENT_SECRET: graph.clientSecret,
    GRAPH_CUSTOMERS: options.fake.tenants.map((t) => `${t.tenantId}=${t.name ?? t.tenantId}`).join(','),
    GRAPH_BASE_URL: graph.baseUrl,
    LOGIN_BASE_URL: graph.loginBaseUrl,
    OPERATOR_USER_IDS: OPERATOR,
  };
  // What started before a failure is closed again, so a failing start leaves no server behind.
  const started: (() => Promise<void>)[] = [() => graph.close()];
  try {
    const backend = options.buildProvider
      ? { provider: options.buildProvider(graph), close: async () => {} }
      : await createProvider(
          loadConfig({ SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_SIGNING_SECRET: 'unused', ...env }),
          { http: { backoffMs: 1 }, msalNetworkClient: graph.msalNetworkClient },
        );
    started.unshift(async () => {
      await backend.close();
    });
    const provider = options.wrapProvider?.(backend.provider) ?? backend.provider;
    const h = await startAppHarness({ env, wrapProvider: () => provider, service: options.service });
    return graphApp(h, graph, backend);
  } catch (error) {
    for (const close of started) await close().catch(() => {});
    throw error;
  }
}

function graphApp(h: AppHarness, graph: GraphFake, backend: { close(): Promise<unknown> }): GraphApp {
  return {
    ...h,
    graph,
    async close() {
      await h.close();
      await backend.close();
      await graph.close();
    },
  };
}

/** p50 / p99 of latencies in ms. */
export function percentiles(values: readonly number[]): { p50: number; p99: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}

/**
 * Adds this file's ack latencies to the run's shared record (one file per vitest run, keyed by
 * the parent process, since test files run in separate workers); the last e2e file to report
 * prints p50 / p99 over all of them, once.
 */
export async function reportAckLatencies(file: string): Promise<void> {
  const record = path.join(tmpdir(), `licensedesk-ack-latencies-${process.ppid}.jsonl`);
  await appendFile(record, `${JSON.stringify({ file, latencies: ackLatencies })}\n`);
  // The e2e files that report (others in the folder may use their own harness).
  const dir = fileURLToPath(new URL('../e2e/', import.meta.url));
  const e2eFiles: string[] = [];
  for (const name of await readdir(dir)) {
    if (
      name.endsWith('.test.ts') &&
      (await readFile(path.join(dir, name), 'utf8')).includes('reportAckLatencies(')
    ) {
      e2eFiles.push(name);
    }
  }
  const reports = (await readFile(record, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { file: string; latencies: number[] });
  const reported = new Set(reports.map((report) => report.file));
  if (!e2eFiles.every((name) => reported.has(name))) return;
  const { p50, p99, count } = percentiles(reports.flatMap((report) => report.latencies));
  console.log(
    `ack latency over ${count} requests of ${reported.size} e2e files: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  );
  await rm(record, { force: true });
}
