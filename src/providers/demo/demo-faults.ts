/**
 * The trouble the demo tenant puts in a write's way before looking at it, as Graph would: the
 * per-tenant write quota first, then injected transient faults (tests and benchmarks).
 */
import { setTimeout } from 'node:timers/promises';
import { serverBusy, throttled, timedOut } from './demo-errors.js';
import type { WriteQuota } from './write-quota.js';

/** Transient faults injected into applyUserChange, each a probability per call. */
export interface DemoFaults {
  /** 429 answers. */
  throttleRate?: number;
  /** 5xx answers. */
  serverErrorRate?: number;
  /** Calls that hang for `timeoutMs` and then fail. */
  timeoutRate?: number;
  /** Retry-After sent with injected 429s, default 1000. */
  retryAfterMs?: number;
  /** Default 50. */
  timeoutMs?: number;
  /** Only writes for these user ids meet the faults (default: every write). */
  users?: readonly string[];
}

/** What the admission counts (the provider's stats). */
export interface RefusalCounts {
  /** Every 429 answered: the write quota's and injected ones. */
  throttled: number;
  /** Injected faults of any kind. */
  faults: number;
}

export class WriteAdmission {
  faults: DemoFaults | undefined;

  constructor(
    private readonly quota: WriteQuota | undefined,
    faults: DemoFaults | undefined,
    private readonly random: () => number,
    private readonly counts: RefusalCounts,
  ) {
    this.faults = faults;
  }

  /** Resolves when the write may go ahead; rejects with the quota's or an injected refusal. */
  async admit(tenantId: string, userId: string): Promise<void> {
    const wait = this.quota?.take(tenantId) ?? 0;
    if (wait > 0) {
      this.counts.throttled += 1;
      throw throttled(wait);
    }
    const faults = this.faults;
    if (faults === undefined || (faults.users !== undefined && !faults.users.includes(userId))) return;
    // One roll decides among the faults, so their rates add up like slices of [0, 1).
    const roll = this.random();
    const throttleRate = faults.throttleRate ?? 0;
    const serverErrorRate = faults.serverErrorRate ?? 0;
    const timeoutRate = faults.timeoutRate ?? 0;
    if (roll >= throttleRate + serverErrorRate + timeoutRate) return;
    this.counts.faults += 1;
    if (roll < throttleRate) {
      this.counts.throttled += 1;
      throw throttled(faults.retryAfterMs ?? 1000);
    }
    if (roll < throttleRate + serverErrorRate) throw serverBusy();
    await setTimeout(faults.timeoutMs ?? 50);
    throw timedOut();
  }
}
