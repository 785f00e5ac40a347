/**
 * Paces writes per customer tenant: evenly spaced slots at `ratePerSecond` (a token bucket of
 * size `burst`), shared by every run of the process so two runs on one tenant share its budget.
 * With `appRatePerSecond`, every write also takes a slot of the app-wide budget (all tenants).
 * A server's Retry-After pauses the whole tenant, since the quota it protects is the tenant's.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PacerOptions {
  ratePerSecond: number;
  /**
   * Writes that may go at once after a quiet spell (default a quarter second's worth, at least 1):
   * lets a run catch up after a stall of the event loop instead of losing those slots for good.
   */
  burst?: number;
  /** Writes per second across every tenant (APP_WRITES_PER_SECOND); default no app-wide budget. */
  appRatePerSecond?: number;
  /** The app-wide budget's burst (default a quarter second's worth, at least 1). */
  appBurst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Where a run takes its write slots. In one process a TenantPacer; with several replicas one
 * that keeps the budgets in the database, so every replica draws from the same ones.
 */
export interface WritePacer {
  /** Waits for the tenant's next write slot (and the app-wide one, where there is such a budget) and takes it. */
  acquire(tenantId: string): Promise<void>;
  /**
   * Holds every later write to the tenant back until `ms` from now (a server's Retry-After).
   * Never rejects: a pause that cannot be shared is logged by the pacer, and the caller's own
   * backoff still holds.
   */
  pause(tenantId: string, ms: number): void | Promise<void>;
}

/** One budget in GCRA terms: the spacing of its slots and how far behind "now" a slot may be taken. */
export interface Budget {
  intervalMs: number;
  burstMs: number;
}

/** The GCRA terms of `ratePerSecond` with `burst` writes at once (default a quarter second's worth). */
export function budgetOf(ratePerSecond: number, burst?: number, name = 'ratePerSecond'): Budget {
  if (!(ratePerSecond > 0)) throw new RangeError(`${name} must be positive`);
  const intervalMs = 1000 / ratePerSecond;
  const writes = Math.max(1, burst ?? Math.floor(ratePerSecond / 4));
  return { intervalMs, burstMs: (writes - 1) * intervalMs };
}

export class TenantPacer implements WritePacer {
  readonly #tenant: Budget;
  readonly #app: Budget | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Per tenant, the theoretical time the next slot is free (GCRA). */
  readonly #nextFreeAt = new Map<string, number>();
  /** The same for the app-wide budget. */
  #appNextFreeAt = Number.NEGATIVE_INFINITY;

  constructor(options: PacerOptions) {
    this.#tenant = budgetOf(options.ratePerSecond, options.burst);
    this.#app =
      options.appRatePerSecond === undefined
        ? undefined
        : budgetOf(options.appRatePerSecond, options.appBurst, 'appRatePerSecond');
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  /** Waits for the tenant's next write slot (and the app's) and takes it. */
  async acquire(tenantId: string): Promise<void> {
    const now = this.#now();
    const wait = this.#take(tenantId, now) - now;
    if (wait > 0) await this.#sleep(wait);
  }

  /** Takes the tenant's next slot without waiting; returns its time (what acquire waits for). */
  reserve(tenantId: string): number {
    return this.#take(tenantId, this.#now());
  }

  /** Holds every later slot of the tenant back until `ms` from now (Retry-After). */
  pause(tenantId: string, ms: number): void {
    const until = this.#now() + ms;
    if ((this.#nextFreeAt.get(tenantId) ?? 0) < until) this.#nextFreeAt.set(tenantId, until);
  }

  /**
   * The slot is the later of the tenant's next one and the app's. When the tenant's is the later,
   * the app still counts the write at its own next slot, i.e. up to a run's concurrency of writes
   * before they happen (Graph's 5-minute window absorbs that); moving the app's clock to the
   * tenant's slot instead would stall every tenant behind one that is paused or saturated.
   */
  #take(tenantId: string, now: number): number {
    let slot = Math.max(
      this.#nextFreeAt.get(tenantId) ?? Number.NEGATIVE_INFINITY,
      now - this.#tenant.burstMs,
    );
    if (this.#app) {
      const appNext = Math.max(this.#appNextFreeAt, now - this.#app.burstMs);
      this.#appNextFreeAt = appNext + this.#app.intervalMs;
      slot = Math.max(slot, appNext);
    }
    this.#nextFreeAt.set(tenantId, slot + this.#tenant.intervalMs);
    return slot;
  }
}
