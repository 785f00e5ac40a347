/**
 * Paces writes per customer tenant: evenly spaced slots at `ratePerSecond` (a token bucket of
 * size `burst`), shared by every run of the process so two runs on one tenant share its budget.
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

export class TenantPacer implements WritePacer {
  readonly #intervalMs: number;
  readonly #burstMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Per tenant, the theoretical time the next slot is free (GCRA). */
  readonly #nextFreeAt = new Map<string, number>();

  constructor(options: PacerOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.#intervalMs = 1000 / options.ratePerSecond;
    const burst = options.burst ?? Math.floor(options.ratePerSecond / 4);
    this.#burstMs = (Math.max(1, burst) - 1) * this.#intervalMs;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  /** Waits for the tenant's next write slot and takes it. */
  async acquire(tenantId: string): Promise<void> {
    const now = this.#now();
    const nextFree = Math.max(this.#nextFreeAt.get(tenantId) ?? now - this.#burstMs, now - this.#burstMs);
    this.#nextFreeAt.set(tenantId, nextFree + this.#intervalMs);
    const wait = nextFree - now;
    if (wait > 0) await this.#sleep(wait);
  }

  /** Holds every later slot of the tenant back until `ms` from now (Retry-After). */
  pause(tenantId: string, ms: number): void {
    const until = this.#now() + ms;
    if ((this.#nextFreeAt.get(tenantId) ?? 0) < until) this.#nextFreeAt.set(tenantId, until);
  }
}
