import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/db/pool.js';
import {
  type PostgresPacerOptions,
  PostgresWritePacer,
  type ReservedSlot,
} from '../../src/db/write-budget.js';
import { describePostgres, freshSchema, type TestSchema } from '../support/postgres.js';

/** The smallest distance between two of the times. */
function smallestGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.min(...sorted.slice(1).map((at, i) => at - (sorted[i] ?? Number.NEGATIVE_INFINITY)));
}

/** Rounding in `slot + interval` sums: milliseconds since 1970 are kept to about 0.25 µs. */
const DUST = 1e-3;

describePostgres('PostgresWritePacer across replicas', () => {
  let db: TestSchema;
  const pools: Pool[] = [];
  let counter = 0;

  /** A replica: its own pool, its own pacer on the shared database. */
  function replica(options: Omit<PostgresPacerOptions, 'pool'>): PostgresWritePacer {
    const pool = createPool({ connectionString: db.url, max: 4, schema: db.schema });
    pools.push(pool);
    return new PostgresWritePacer({ pool, ...options });
  }
  /** A tenant no other test has used. */
  const freshTenant = () => `tenant-${++counter}`;

  beforeAll(async () => {
    db = await freshSchema();
  });
  // Tenants are fresh per test; the one app budget is reset so no test inherits another's slots.
  beforeEach(async () => {
    await db.pool.query("DELETE FROM write_budget WHERE key = 'app'");
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await db.drop();
  });

  it('two replicas writing to one tenant together never take slots closer than the tenant interval', async () => {
    const options = { tenantRatePerSecond: 50, burst: 1 };
    const [a, b] = [replica(options), replica(options)];
    const tenant = freshTenant();
    const take = (pacer: PostgresWritePacer) =>
      Promise.all(Array.from({ length: 15 }, () => pacer.reserve(tenant)));
    const [fromA, fromB] = await Promise.all([take(a), take(b)]);
    const slots = [...fromA, ...fromB].map((slot) => slot.slotAt);
    expect(new Set(slots).size).toBe(30);
    expect(smallestGap(slots)).toBeGreaterThanOrEqual(20 - DUST);
    // Thirty slots at 50/s with no burst span 29 intervals: nothing granted beyond the rate.
    expect(Math.max(...slots) - Math.min(...slots)).toBeGreaterThanOrEqual(29 * 20 - DUST);
  });

  it('holds the app-wide budget across three tenants on three replicas', async () => {
    const options = { tenantRatePerSecond: 1000, burst: 1, appRatePerSecond: 40, appBurst: 1 };
    const tenants = [freshTenant(), freshTenant(), freshTenant()];
    const replicas = tenants.map(() => replica(options));
    const taken = await Promise.all(
      replicas.map((pacer, i) =>
        Promise.all(Array.from({ length: 8 }, () => pacer.reserve(tenants[i] ?? ''))),
      ),
    );
    const slots = taken.flat().map((slot) => slot.slotAt);
    expect(smallestGap(slots)).toBeGreaterThanOrEqual(25 - DUST);
    expect(Math.max(...slots) - Math.min(...slots)).toBeGreaterThanOrEqual(23 * 25 - DUST);
  });

  it("a Retry-After paused on replica A delays replica B's next write to that tenant, not to another", async () => {
    const options = { tenantRatePerSecond: 100, burst: 1, appRatePerSecond: 100, appBurst: 1 };
    const waits: number[] = [];
    const a = replica(options);
    const b = replica({
      ...options,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const [paused, other] = [freshTenant(), freshTenant()];
    await a.pause(paused, 5000);
    await b.acquire(paused);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(4000);
    expect(waits[0]).toBeLessThanOrEqual(5000);
    const next = await b.reserve(other);
    expect(next.slotAt - next.nowAt).toBeLessThan(50);
    // The paused tenant's slots go on from the end of the pause.
    const after = await a.reserve(paused);
    expect(after.slotAt - after.nowAt).toBeGreaterThan(4000);
  });

  it('two tenants on two replicas proceed in parallel: their slots interleave', async () => {
    const options = { tenantRatePerSecond: 10, burst: 1, appRatePerSecond: 1000, appBurst: 1 };
    const [a, b] = [replica(options), replica(options)];
    const [x, y] = [freshTenant(), freshTenant()];
    const take = (pacer: PostgresWritePacer, tenant: string) =>
      Promise.all(Array.from({ length: 5 }, () => pacer.reserve(tenant)));
    const [forX, forY] = await Promise.all([take(a, x), take(b, y)]);
    const at = (slots: ReservedSlot[]) => slots.map((slot) => slot.slotAt);
    expect(smallestGap(at(forX))).toBeGreaterThanOrEqual(100 - DUST);
    expect(smallestGap(at(forY))).toBeGreaterThanOrEqual(100 - DUST);
    // Serialized, ten slots at 10/s would span 900 ms; side by side each tenant spans 400 ms.
    const all = [...at(forX), ...at(forY)];
    expect(Math.max(...all) - Math.min(...all)).toBeLessThan(600);
    expect(Math.min(...at(forY))).toBeLessThan(Math.max(...at(forX)));
    expect(Math.min(...at(forX))).toBeLessThan(Math.max(...at(forY)));
  });

  it("one replica's concurrent callers on a tenant share statements, and their slots stay spaced", async () => {
    const pool = createPool({ connectionString: db.url, max: 4, schema: db.schema });
    pools.push(pool);
    let statements = 0;
    // The replica's pool, counting the statements the pacer sends.
    const counted = new Proxy(pool, {
      get(target, key) {
        if (key === 'query') statements++;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const pacer = new PostgresWritePacer({
      pool: counted,
      tenantRatePerSecond: 100,
      burst: 1,
      appRatePerSecond: 50,
      appBurst: 1,
      maxBatch: 8,
    });
    const [x, y] = [freshTenant(), freshTenant()];
    const [forX, forY] = await Promise.all(
      [x, y].map((tenant) => Promise.all(Array.from({ length: 20 }, () => pacer.reserve(tenant)))),
    );
    const slots = [...(forX ?? []), ...(forY ?? [])].map((slot) => slot.slotAt);
    expect(new Set(slots).size).toBe(40);
    expect(smallestGap(slots)).toBeGreaterThanOrEqual(20 - DUST);
    expect(smallestGap((forX ?? []).map((slot) => slot.slotAt))).toBeGreaterThanOrEqual(20 - DUST);
    // Per tenant: one statement for the first caller, then 8, 8 and 3 for the 19 queued meanwhile.
    expect(statements).toBe(2 * 4);
  });

  it('acquire sleeps until the slot by the database clock', async () => {
    const waits: number[] = [];
    const pacer = replica({
      tenantRatePerSecond: 1,
      burst: 1,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const tenant = freshTenant();
    for (let i = 0; i < 3; i++) await pacer.acquire(tenant);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(waits[1]).toBeGreaterThan(1000);
    expect(waits[1]).toBeLessThanOrEqual(2000);
  });

  it('a pause that cannot reach the database is logged, never thrown', async () => {
    const pool = createPool({ connectionString: db.url, max: 1, schema: db.schema });
    await pool.end();
    const warnings: unknown[][] = [];
    const pacer = new PostgresWritePacer({
      pool,
      tenantRatePerSecond: 10,
      logger: { warn: (...parts) => warnings.push(parts) },
    });
    await expect(pacer.pause('t', 1000)).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.[0])).toContain('pausing tenant t');
  });
});
