/**
 * Write budgets shared by every replica (STORE=postgres): the per-tenant pace and the app-wide one
 * are GCRA rows in the database (migration 002), so replicas draw from the same budgets and a
 * Retry-After seen by one slows them all for that tenant. Each acquire is one statement: the
 * database takes the slot on both rows atomically and says how long to wait, by its own clock, so
 * the replicas' clocks do not matter. Callers of one replica waiting on the same tenant share
 * that statement (slot-batches.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Budget, budgetOf, type WritePacer } from '../licensing/pacer.js';
import type { Queryable } from './pool.js';
import { SlotBatches } from './slot-batches.js';

export interface PostgresPacerOptions {
  /** The replica's pool (or anything that runs one statement). */
  pool: Queryable;
  /** TENANT_WRITES_PER_SECOND. */
  tenantRatePerSecond: number;
  /** Tenant writes at once after a quiet spell (default a quarter second's worth, at least 1). */
  burst?: number;
  /** APP_WRITES_PER_SECOND across every tenant; default no app-wide budget. */
  appRatePerSecond?: number;
  /** The app budget's burst (default a quarter second's worth, at least 1). */
  appBurst?: number;
  /**
   * Most slots one round trip takes for callers of this replica waiting on one tenant (default 32):
   * they share the statement instead of queueing for the pool and the 'app' row one by one.
   */
  maxBatch?: number;
  /** Where a pause that could not be shared is reported. */
  logger?: { warn(...parts: unknown[]): void };
  sleep?: (ms: number) => Promise<void>;
}

/** A slot the database reserved: when it is, and the database's clock when it was taken (ms since the epoch). */
export interface ReservedSlot {
  slotAt: number;
  nowAt: number;
}

const slotRow = z.object({ slot_at: z.number(), now_at: z.number() });

/** The budget row of a tenant; the app's is 'app'. */
export function tenantKey(tenantId: string): string {
  return `tenant:${tenantId}`;
}

export class PostgresWritePacer implements WritePacer {
  readonly #pool: Queryable;
  readonly #tenant: Budget;
  readonly #app: Budget | undefined;
  readonly #logger: { warn(...parts: unknown[]): void };
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #batches: SlotBatches<ReservedSlot>;

  constructor(options: PostgresPacerOptions) {
    this.#pool = options.pool;
    this.#tenant = budgetOf(options.tenantRatePerSecond, options.burst, 'tenantRatePerSecond');
    this.#app =
      options.appRatePerSecond === undefined
        ? undefined
        : budgetOf(options.appRatePerSecond, options.appBurst, 'appRatePerSecond');
    this.#logger = options.logger ?? console;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
    this.#batches = new SlotBatches((tenantId, count) => this.#take(tenantId, count), options.maxBatch ?? 32);
  }

  /** Waits for the tenant's next slot and the app's (the later of the two) and takes it. */
  async acquire(tenantId: string): Promise<void> {
    const { slotAt, nowAt } = await this.reserve(tenantId);
    if (slotAt > nowAt) await this.#sleep(slotAt - nowAt);
  }

  /**
   * Takes the tenant's next slot without waiting (acquire waits until it): one statement, shared
   * with this replica's other callers waiting on the same tenant.
   */
  reserve(tenantId: string): Promise<ReservedSlot> {
    return this.#batches.next(tenantId);
  }

  async #take(tenantId: string, count: number): Promise<ReservedSlot[]> {
    const result = await this.#pool.query(
      'SELECT slot_at, now_at FROM write_budget_reserve($1, $2, $3, $4, $5, $6)',
      [
        tenantKey(tenantId),
        count,
        this.#tenant.intervalMs,
        this.#tenant.burstMs,
        this.#app?.intervalMs ?? null,
        this.#app?.burstMs ?? null,
      ],
    );
    return result.rows.map((row) => {
      const slot = slotRow.parse(row);
      return { slotAt: slot.slot_at, nowAt: slot.now_at };
    });
  }

  /**
   * Holds the tenant's later slots back until `ms` from the database's now, for every replica.
   * Never rejects: when the database cannot be told, the caller's own backoff still holds.
   */
  async pause(tenantId: string, ms: number): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO write_budget (key, next_free_at)
         VALUES ($1, extract(epoch FROM clock_timestamp())::double precision * 1000 + $2)
         ON CONFLICT (key) DO UPDATE SET next_free_at = greatest(write_budget.next_free_at, EXCLUDED.next_free_at)`,
        [tenantKey(tenantId), Math.max(0, ms)],
      );
    } catch (error) {
      this.#logger.warn(`[write-budget] pausing tenant ${tenantId} for ${ms} ms was not shared:`, error);
    }
  }
}
