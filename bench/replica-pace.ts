/**
 * Write budgets across replicas: 10 tenants × 1,000 users (2 products each, one write per user),
 * the demo provider in memory (50 ms per call, a per-tenant quota just above our pace, answering
 * 429 beyond it), one runRequest per tenant paced by a PostgresWritePacer. Once with 1 replica (one
 * pool, all 10 runs) and once with 3 (three pools, each its own pacer, runs spread over them), for
 * two budget settings scaled up from Graph's (≈20/s per tenant, ≈117/s per app) so the bench stays
 * short: one where the tenants' budgets bind, one where the app's does.
 *
 * Prints per configuration: total time vs the bound max(writes of a tenant / tenant rate,
 * all writes / app rate) as bound ÷ time (target ≥ 0.95; a burst may take it just above 1), when
 * the first write slot was reserved (the runs' start-up before it counts against the ratio), the
 * 429s the demo answered, and the reserve round trip p50/p99. Then the capacity of the one 'app'
 * row: reservations per second when three replicas take slots as fast as they can.
 * Needs DATABASE_URL (skipped in one line without it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrate } from '../src/db/migrate.js';
import { MIGRATIONS } from '../src/db/migrations/index.js';
import { createPool, type Pool } from '../src/db/pool.js';
import { PostgresWritePacer, type ReservedSlot } from '../src/db/write-budget.js';
import { runRequest } from '../src/licensing/executor.js';
import { LicensingService } from '../src/licensing/licensing-service.js';
import type { ChangeRequest } from '../src/licensing/model.js';
import { silentReporter } from '../src/licensing/reporter.js';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { DEMO_SKUS, generateCustomer } from '../src/providers/demo/generator.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import type { Store } from '../src/store/store.js';

const TENANTS = 10;
const USERS = 1000;
const LATENCY_MS = 50;
const CONCURRENCY = 32;
const POOL_SIZE = 10;
const PRODUCTS = [DEMO_SKUS.VISIOCLIENT, DEMO_SKUS.AAD_PREMIUM_P2];
/**
 * Today's paces ×10: 15/s per tenant → 150/s; the app's 100/s → 1000/s, which binds (10 tenants
 * want 1,500/s); ×20 (2000/s) where the tenants' budgets should bind instead.
 */
const SETTINGS = [
  { name: 'tenant budgets bind', tenantRate: 150, appRate: 2000 },
  { name: 'app budget binds', tenantRate: 150, appRate: 1000 },
] as const;

type Setting = (typeof SETTINGS)[number];

/** A replica's pacer that times each reservation and counts the writes it paced per tenant. */
class MeasuredPacer extends PostgresWritePacer {
  readonly roundTrips: number[] = [];
  readonly writes = new Map<string, number>();
  firstReserveAt = Number.POSITIVE_INFINITY;

  override async reserve(tenantId: string): Promise<ReservedSlot> {
    const started = performance.now();
    this.firstReserveAt = Math.min(this.firstReserveAt, started);
    const slot = await super.reserve(tenantId);
    this.roundTrips.push(performance.now() - started);
    this.writes.set(tenantId, (this.writes.get(tenantId) ?? 0) + 1);
    return slot;
  }
}

export async function run(): Promise<void> {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    console.log('skipped: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
    return;
  }
  const schema = `bench_pace_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ connectionString: url, max: 2, schema });
  try {
    await migrate(admin, schema, MIGRATIONS);
    console.log(
      `${TENANTS} tenants × ${USERS} users × ${PRODUCTS.length} products, ${LATENCY_MS} ms per call, concurrency ${CONCURRENCY} per run, pool ${POOL_SIZE} per replica`,
    );
    for (const setting of SETTINGS) {
      for (const replicas of [1, 3]) {
        await admin.query('TRUNCATE write_budget');
        await measure(url, schema, setting, replicas);
      }
    }
    await admin.query('TRUNCATE write_budget');
    await appRowCapacity(url, schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

/** Ten runs on `replicas` pools, timed against the bound the budgets set. */
async function measure(url: string, schema: string, setting: Setting, replicas: number): Promise<void> {
  const customers = Array.from({ length: TENANTS }, (_, i) =>
    generateCustomer({ seed: 2000 + i, users: USERS, id: `pace-${i}`, name: `Pace Tenant ${i}` }),
  );
  const provider = new DemoProvider({
    data: { version: 1, customers },
    latencyMs: LATENCY_MS,
    // Graph's quota, as far above our pace as production's 20 is above 15: a 429 means we overran it.
    writesPerSecond: Math.ceil((setting.tenantRate * 20) / 15),
  });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-pace-'));
  const store = new LowdbStore({ dataDir });
  const pools: Pool[] = Array.from({ length: replicas }, () =>
    createPool({ connectionString: url, max: POOL_SIZE, schema }),
  );
  try {
    await store.open();
    const requests = await submitAll(provider, store, customers);
    const pacers = pools.map(
      (pool) =>
        new MeasuredPacer({
          pool,
          tenantRatePerSecond: setting.tenantRate,
          appRatePerSecond: setting.appRate,
        }),
    );
    const started = performance.now();
    await Promise.all(
      requests.map((request, i) =>
        runRequest(request, {
          provider,
          store: resultsDiscarded(store),
          reporter: silentReporter,
          concurrency: CONCURRENCY,
          pacer: pacers[i % replicas] ?? pacers[0],
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const firstWrite = (Math.min(...pacers.map((pacer) => pacer.firstReserveAt)) - started) / 1000;
    report(setting, replicas, { seconds, firstWrite }, pacers, provider.stats.throttled);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    await Promise.all(pools.map((pool) => pool.end()));
  }
}

/**
 * The store as the runs see it, minus recording results: this bench measures the pace, and ten
 * runs recording into one process's lowdb file stall the event loop for hundreds of milliseconds
 * (bench/store.ts measures the stores; with STORE=postgres each replica records its own runs).
 */
function resultsDiscarded(store: Store): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'recordResults' || key === 'flush') return async () => {};
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** One request per tenant, assigning both products to every user (no approval needed). */
async function submitAll(
  provider: DemoProvider,
  store: LowdbStore,
  customers: ReturnType<typeof generateCustomer>[],
): Promise<ChangeRequest[]> {
  const service = new LicensingService({
    provider,
    store,
    approvalRevokeThreshold: 10,
    approvalTtlHours: 24,
  });
  const requests: ChangeRequest[] = [];
  for (const customer of customers) {
    const submitted = await service.submit({
      customerId: customer.customer.id,
      userIds: customer.users.map((user) => user.id),
      assign: PRODUCTS.map((skuId) => ({ skuId, disabledPlans: null })),
      revoke: [],
      requestedBy: 'U0BENCH',
    });
    if (!submitted.ok) throw new Error(`plan refused: ${JSON.stringify(submitted.problems)}`);
    requests.push(submitted.request);
  }
  return requests;
}

function report(
  setting: Setting,
  replicas: number,
  time: { seconds: number; firstWrite: number },
  pacers: MeasuredPacer[],
  throttled: number,
): void {
  const perTenant = new Map<string, number>();
  for (const pacer of pacers) {
    for (const [tenant, writes] of pacer.writes) perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + writes);
  }
  const total = [...perTenant.values()].reduce((sum, writes) => sum + writes, 0);
  const tenantBound = Math.max(...perTenant.values()) / setting.tenantRate;
  const appBound = total / setting.appRate;
  const bound = Math.max(tenantBound, appBound);
  const { seconds, firstWrite } = time;
  const trips = pacers.flatMap((pacer) => pacer.roundTrips).sort((a, b) => a - b);
  console.log(
    `  ${setting.name} (tenant ${setting.tenantRate}/s, app ${setting.appRate}/s), ${replicas} replica${replicas > 1 ? 's' : ''}: ${total} writes in ${seconds.toFixed(2)} s (the first reserved after ${firstWrite.toFixed(2)} s); bound ${bound.toFixed(2)} s (${tenantBound >= appBound ? 'tenant' : 'app'}) → bound/time ${(bound / seconds).toFixed(3)} (target ≥ 0.95); ${throttled} answered 429; reserve round trip p50 ${percentile(trips, 0.5).toFixed(2)} ms, p99 ${percentile(trips, 0.99).toFixed(2)} ms`,
  );
}

/**
 * How many reservations per second the one 'app' row takes when three replicas (16 callers each,
 * one statement per slot) reserve for ten tenants as fast as they can: the head-room over
 * APP_WRITES_PER_SECOND says whether taking app slots ahead in batches would be worth it.
 */
async function appRowCapacity(url: string, schema: string): Promise<void> {
  const pools = Array.from({ length: 3 }, () =>
    createPool({ connectionString: url, max: POOL_SIZE, schema }),
  );
  const trips: number[] = [];
  const seconds = 2;
  try {
    const pacers = pools.map(
      (pool) =>
        new PostgresWritePacer({ pool, tenantRatePerSecond: 1e9, appRatePerSecond: 1e9, maxBatch: 1 }),
    );
    const until = performance.now() + seconds * 1000;
    const caller = async (pacer: PostgresWritePacer, n: number) => {
      while (performance.now() < until) {
        const started = performance.now();
        await pacer.reserve(`cap-${n % TENANTS}`);
        trips.push(performance.now() - started);
      }
    };
    await Promise.all(
      pacers.flatMap((pacer, r) => Array.from({ length: 16 }, (_, i) => caller(pacer, r * 16 + i))),
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
  trips.sort((a, b) => a - b);
  console.log(
    `  'app' row capacity: ${Math.round(trips.length / seconds)} statements/s from 3 replicas × 16 callers (p50 ${percentile(trips, 0.5).toFixed(2)} ms, p99 ${percentile(trips, 0.99).toFixed(2)} ms) vs APP_WRITES_PER_SECOND 100`,
  );
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
