/**
 * The executor runs a request's items against a LicenseProvider: bounded concurrency, a write
 * pace per customer tenant, retries of transient failures, a result per user and product,
 * persisted as it lands, and resumption without applying anything twice.
 *
 * Before any of a user's changes is sent, the user's licenses of the products the item changes
 * are durably recorded (execution/prior-state.ts, one store write per holdings batch), for undo.
 *
 * How "nothing twice" works: before applying a user's parts the executor reads that user's
 * current holdings (in batches, ahead of the workers) and drops parts already in their target
 * state. In a resumed run such a part is recorded as `success` (the interrupted run applied it and
 * stopped before recording); in a fresh run it is a `noop` (the tenant changed since planning, e.g.
 * during an approval wait). The same check settles an ambiguous retry: when a call timed out or
 * failed transiently and the retry is refused, or every attempt failed transiently, the user's
 * holdings are read again and tell whether a call landed; the parts found applied are `success`.
 *
 * A provider error that is not a LicenseProviderError is a crash: the run stops taking items,
 * lets the ones in flight finish, and rethrows. Rerunning with `resumed: true` continues. An
 * aborted `signal` (shutdown) stops it the same way and rejects with RunInterruptedError.
 *
 * Results are recorded as they land (coalesced) and flushed before the reporter hears of them, so
 * nothing the summary or thread says is lost with the process.
 *
 * This module wires the run together; the parts live in execution/: holdings-prefetch (batched
 * reads ahead of the workers), attempt (one retried call, the holdings check after an ambiguous
 * one), apply-parts (product-by-product fallback), item (one user), worker-pool, run-reporting.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { LicenseProvider } from '../providers/license-provider.js';
import type { Store } from '../store/store.js';
import { attemptChange, readCatalogue, readHoldings, type TenantCalls } from './execution/attempt.js';
import { HoldingsPrefetch } from './execution/holdings-prefetch.js';
import { type Catalogue, runItem } from './execution/item.js';
import { hasPendingWork } from './execution/parts.js';
import { recordingPriorState } from './execution/prior-state.js';
import { RunReporting } from './execution/run-reporting.js';
import { runPool } from './execution/worker-pool.js';
import type { ChangeRequest, ItemResult, RunCounts } from './model.js';
import { TenantPacer, type WritePacer } from './pacer.js';
import type { Reporter } from './reporter.js';
import { resultKey } from './result-key.js';
import type { RetryPolicy } from './retry.js';
import { countResults } from './run-counts.js';
import { RUN_DEFAULTS } from './run-defaults.js';
import type { RunLogger } from './service-types.js';

export interface RunOptions {
  provider: LicenseProvider;
  store: Store;
  reporter: Reporter;
  /** Parallel provider calls (default RUN_DEFAULTS.concurrency). */
  concurrency?: number;
  /**
   * Writes per second per customer tenant when no shared `pacer` is given
   * (default RUN_DEFAULTS.tenantWritesPerSecond).
   */
  tenantWritesPerSecond?: number;
  /** A pacer shared by all runs (of the process, or of every replica), so runs on one tenant share its budget. */
  pacer?: WritePacer;
  /** Attempts per provider call, the first included (default 6). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Minimum time between two progress reports (default 2,000 ms). */
  progressIntervalMs?: number;
  /** Users whose holdings are read in one call (default 100). */
  holdingsBatchSize?: number;
  /** True when continuing an interrupted run: parts found applied count as `success`. */
  resumed?: boolean;
  /** Called once every item is done, before `reporter.finished`; what it returns is reported. */
  finish?: (request: ChangeRequest, counts: RunCounts) => Promise<ChangeRequest>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  random?: () => number;
  logger?: RunLogger;
  /** Aborted at shutdown: no new item starts; items in flight finish and are recorded. */
  signal?: AbortSignal;
  /**
   * Runs only the items at these positions of `request.items`: one chunk of a run whose other
   * chunks run elsewhere. Nothing is finished and neither `started` nor `finished` is reported
   * (whoever runs the whole run does that once); progress is.
   */
  positions?: readonly number[];
}

/** The run stopped because its signal was aborted (shutdown); it resumes at the next start. */
export class RunInterruptedError extends Error {
  override readonly name = 'RunInterruptedError';
}

/** Defaults of the executor's own knobs (the run-wide ones are in RUN_DEFAULTS). */
export const EXECUTOR_DEFAULTS = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  progressIntervalMs: 2_000,
  holdingsBatchSize: 100,
} as const;

/** Runs every item of `request` that has no result yet; returns the request with all results. */
export async function runRequest(request: ChangeRequest, options: RunOptions): Promise<ChangeRequest> {
  const { store, positions } = options;
  const now = options.now ?? (() => new Date());
  const run: ChangeRequest = structuredClone(request);
  const pending = pendingItems(run, positions);
  const calls = tenantCalls(request, options, now);
  const logger = options.logger ?? { warn() {} };
  const prefetch = holdingsPrefetch(run.id, pending, calls, options);
  const reporting = new RunReporting({
    reporter: options.reporter,
    flush: () => store.flush(),
    progressIntervalMs: options.progressIntervalMs ?? EXECUTOR_DEFAULTS.progressIntervalMs,
    now,
    logger,
  });
  const catalogue = catalogueOnce(calls, logger);

  const startCounts = countResults(run);
  if (positions === undefined)
    reporting.tell(run, 'started', (reporter) => reporter.started(run, startCounts));
  const runOne = async (position: number) => {
    const item = pending[position];
    if (!item) return;
    const results = await runItem(item, {
      results: run.results,
      holdings: () => prefetch.at(position),
      attempt: (userId) => (parts) => attemptChange(calls, userId, parts),
      resumed: options.resumed ?? false,
      now,
      catalogue,
    });
    if (results.length === 0) return;
    logRefusals(logger, run, results);
    await record(store, run, results);
    reporting.tell(run, 'itemDone', (reporter) => reporter.itemDone(run, item, results));
    reporting.progress(run);
  };
  const concurrency = options.concurrency ?? RUN_DEFAULTS.concurrency;
  const pool = await runPool(pending.length, concurrency, runOne, () => options.signal?.aborted === true);
  if (pool.crash !== null || pool.started < pending.length) {
    await reporting.settled();
    throw (
      pool.crash?.error ??
      new RunInterruptedError(`The run of ${run.id} stopped for shutdown; it resumes at the next start.`)
    );
  }

  // The request may only be saved as finished once every result it reports is on disk.
  await store.flush();
  if (positions !== undefined) return reporting.settled().then(() => run);
  const finished = options.finish ? await options.finish(run, countResults(run)) : run;
  const finalCounts = countResults(finished);
  reporting.tell(finished, 'finished', (reporter) => reporter.finished(finished, finalCounts));
  await reporting.settled();
  return finished;
}

/** The users' holdings read in batches ahead of the workers, each batch's state before the run recorded first. */
function holdingsPrefetch(
  requestId: string,
  pending: ChangeRequest['items'],
  calls: TenantCalls,
  options: RunOptions,
): HoldingsPrefetch {
  return new HoldingsPrefetch(
    pending.map((item) => item.userId),
    Math.max(1, options.holdingsBatchSize ?? EXECUTOR_DEFAULTS.holdingsBatchSize),
    recordingPriorState(
      (userIds) => readHoldings(calls, userIds),
      pending,
      (states) => options.store.recordPriorState(requestId, states),
    ),
  );
}

/** The items (all, or those at `positions`) that still need a result, in order. */
function pendingItems(run: ChangeRequest, positions: readonly number[] | undefined): ChangeRequest['items'] {
  const chosen =
    positions === undefined ? run.items : positions.flatMap((position) => run.items[position] ?? []);
  return chosen.filter((item) => hasPendingWork(item, run.results));
}

/** The provider's own words for each refusal go to the log (the thread names products instead). */
function logRefusals(logger: RunLogger, run: ChangeRequest, results: readonly ItemResult[]) {
  for (const r of results) {
    if (r.outcome !== 'failed') continue;
    logger.info?.(
      `[executor] ${run.id}: ${r.op} ${r.skuId} for ${r.userId} refused (${r.reason ?? 'provider_error'}): ${r.detail ?? ''}`,
    );
  }
}

/** The customer's products, read on first use only (null when the read failed: refusals stay unnamed). */
function catalogueOnce(calls: TenantCalls, logger: RunLogger) {
  let products: Promise<Catalogue | null> | undefined;
  return () => {
    products ??= readCatalogue(calls).catch((error: unknown): null => {
      logger.warn(
        `[executor] reading the products of ${calls.customerId} failed; refusals are not named:`,
        error,
      );
      return null;
    });
    return products;
  };
}

/** Stores an item's results (coalesced by the store) and adds them to the run. */
async function record(store: Store, run: ChangeRequest, results: readonly ItemResult[]): Promise<void> {
  await store.recordResults(run.id, results);
  for (const result of results) run.results[resultKey(result.userId, result.skuId, result.op)] = result;
}

/** The run's provider calls: writes paced per tenant, both retried with the shared backoff. */
export function tenantCalls(request: ChangeRequest, options: RunOptions, now: () => Date): TenantCalls {
  const { tenantId } = request;
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const pacer =
    options.pacer ??
    new TenantPacer({
      ratePerSecond: options.tenantWritesPerSecond ?? RUN_DEFAULTS.tenantWritesPerSecond,
      // A test clock only paces correctly together with a test sleep; otherwise real time.
      ...(options.now && options.sleep ? { now: () => now().getTime(), sleep: options.sleep } : {}),
    });
  const reads: RetryPolicy = {
    maxAttempts: Math.max(1, options.maxAttempts ?? EXECUTOR_DEFAULTS.maxAttempts),
    backoff: {
      baseDelayMs: options.baseDelayMs ?? EXECUTOR_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? EXECUTOR_DEFAULTS.maxDelayMs,
      random: options.random ?? Math.random,
    },
    sleep: wait,
    // A server's Retry-After, even on a read, holds back the tenant's writes.
    onRetryAfter: (ms) => void pacer.pause(tenantId, ms),
  };
  const writes: RetryPolicy = { ...reads, beforeAttempt: () => pacer.acquire(tenantId) };
  return { provider: options.provider, customerId: request.customerId, reads, writes };
}
