/**
 * The executor runs a request's items against a LicenseProvider: bounded concurrency, a write
 * pace per customer tenant, retries of transient failures, a result per user and product,
 * persisted as it lands, and resumption without applying anything twice.
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
 */

import {
  isLicenseProviderError,
  type LicenseProvider,
  type LicenseProviderError,
} from '../providers/license-provider.js';
import type { Store } from '../store/store.js';
import type {
  ChangeItem,
  ChangeRequest,
  FailureReason,
  ItemResult,
  Operation,
  RunCounts,
  UserChange,
  UserLicense,
} from './model.js';
import { TenantPacer } from './pacer.js';
import { samePlans } from './plan.js';
import type { Reporter } from './reporter.js';
import { resultKey } from './result-key.js';
import { backoffDelay } from './retry.js';
import { countResults } from './run-counts.js';

export interface RunOptions {
  provider: LicenseProvider;
  store: Store;
  reporter: Reporter;
  /** Parallel provider calls (default 8). */
  concurrency?: number;
  /** Writes per second per customer tenant when no shared `pacer` is given (default 15). */
  tenantWritesPerSecond?: number;
  /** A pacer shared by all runs of the process, so runs on one tenant share its budget. */
  pacer?: TenantPacer;
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
  logger?: { warn(...parts: unknown[]): void };
  /** Aborted at shutdown: no new item starts; items in flight finish and are recorded. */
  signal?: AbortSignal;
}

/** The run stopped because its signal was aborted (shutdown); it resumes at the next start. */
export class RunInterruptedError extends Error {
  override readonly name = 'RunInterruptedError';
}

interface Part {
  op: Operation;
  skuId: string;
  disabledPlans: string[];
}

/** `landed`: parts found applied when the holdings were read again after a transient failure. */
type Refusal = { ok: false; error: LicenseProviderError; exhausted: boolean; landed?: readonly Part[] };
/** `warnings`: what the backend said about a change it applied (becomes the result's note). */
type Attempt = { ok: true; warnings: readonly string[] } | Refusal;
type Holdings =
  | { ok: true; holdings: Map<string, UserLicense[]> }
  | { ok: false; error: LicenseProviderError };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs every item of `request` that has no result yet; returns the request with all results. */
export async function runRequest(request: ChangeRequest, options: RunOptions): Promise<ChangeRequest> {
  const { provider, store, reporter } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? { warn() {} };
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const backoff = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    random,
  };
  const pacer =
    options.pacer ??
    new TenantPacer({
      ratePerSecond: options.tenantWritesPerSecond ?? 15,
      // A test clock only paces correctly together with a test sleep; otherwise real time.
      ...(options.now && options.sleep ? { now: () => now().getTime(), sleep } : {}),
    });
  const progressIntervalMs = options.progressIntervalMs ?? 2_000;
  const batchSize = Math.max(1, options.holdingsBatchSize ?? 100);
  const resumed = options.resumed ?? false;
  const { customerId, tenantId } = request;

  const run: ChangeRequest = structuredClone(request);
  const at = () => now().toISOString();
  const has = (userId: string, skuId: string, op: Operation) =>
    run.results[resultKey(userId, skuId, op)] !== undefined;

  // Reporter calls run one after another off the workers' path; a failure is logged, never fatal.
  // Each waits until the results it could mention are on disk (durable before told).
  let reporting: Promise<void> = Promise.resolve();
  const report = (what: string, call: () => Promise<void>) => {
    reporting = reporting
      .then(async () => {
        await store.flush();
        await call();
      })
      .catch((error: unknown) => {
        logger.warn(`[executor] reporter.${what} failed for ${run.id}; the run goes on:`, error);
      });
  };
  let lastProgressAt = now().getTime();
  const maybeProgress = () => {
    const time = now().getTime();
    if (time - lastProgressAt < progressIntervalMs) return;
    lastProgressAt = time;
    const counts = countResults(run);
    report('progress', () => reporter.progress(run, counts));
  };

  const pendingParts = (item: ChangeItem): Part[] => [
    ...item.change.assign
      .filter((part) => !has(item.userId, part.skuId, 'assign'))
      .map((part) => ({ op: 'assign' as const, skuId: part.skuId, disabledPlans: part.disabledPlans })),
    ...item.change.revoke
      .filter((skuId) => !has(item.userId, skuId, 'revoke'))
      .map((skuId) => ({ op: 'revoke' as const, skuId, disabledPlans: [] })),
  ];
  const pending = run.items.filter(
    (item) =>
      pendingParts(item).length > 0 || item.noops.some((noop) => !has(item.userId, noop.skuId, noop.op)),
  );

  /** Retries a provider call on transient failures; rethrows anything that is not a provider error. */
  async function withRetry<T>(
    call: () => Promise<T>,
    paced: boolean,
  ): Promise<{ ok: true; value: T } | Refusal> {
    for (let attempt = 1; ; attempt++) {
      if (paced) await pacer.acquire(tenantId);
      try {
        return { ok: true, value: await call() };
      } catch (error) {
        if (!isLicenseProviderError(error)) throw error;
        if (!error.transient) return { ok: false, error, exhausted: false };
        if (attempt >= maxAttempts) return { ok: false, error, exhausted: true };
        if (error.retryAfterMs !== undefined) pacer.pause(tenantId, error.retryAfterMs);
        await sleep(backoffDelay(attempt, error.retryAfterMs, backoff));
      }
    }
  }

  const holdingsChunks = new Map<number, Promise<Holdings>>();
  const readHoldings = async (userIds: string[]): Promise<Holdings> => {
    const read = await withRetry(() => provider.getHoldings(customerId, userIds), false);
    return read.ok ? { ok: true, holdings: read.value } : { ok: false, error: read.error };
  };
  const chunk = (index: number): Promise<Holdings> => {
    let promise = holdingsChunks.get(index);
    if (!promise) {
      const ids = pending.slice(index * batchSize, (index + 1) * batchSize).map((item) => item.userId);
      promise = ids.length > 0 ? readHoldings(ids) : Promise.resolve({ ok: true, holdings: new Map() });
      // A prefetched chunk nobody awaits (the run crashed) must not become an unhandled rejection.
      promise.catch(() => {});
      holdingsChunks.set(index, promise);
    }
    return promise;
  };
  const holdingsAt = (position: number): Promise<Holdings> => {
    const index = Math.floor(position / batchSize);
    void chunk(index + 1);
    return chunk(index);
  };

  const isApplied = (part: Part, license: UserLicense | undefined): boolean =>
    part.op === 'assign'
      ? license?.direct === true && samePlans(license.disabledPlans, part.disabledPlans)
      : license === undefined;

  const toChange = (parts: readonly Part[]): UserChange => ({
    assign: parts
      .filter((p) => p.op === 'assign')
      .map((p) => ({ skuId: p.skuId, disabledPlans: p.disabledPlans })),
    revoke: parts.filter((p) => p.op === 'revoke').map((p) => p.skuId),
  });

  /** One all-or-nothing call for `parts`, retried; settles an ambiguous retry with the holdings. */
  async function attempt(userId: string, parts: readonly Part[]): Promise<Attempt> {
    let sawTransient = false;
    const result = await withRetry(async () => {
      try {
        return await provider.applyUserChange(customerId, userId, toChange(parts));
      } catch (error) {
        if (isLicenseProviderError(error) && error.transient) sawTransient = true;
        throw error;
      }
    }, true);
    if (result.ok) return { ok: true, warnings: result.value?.warnings ?? [] };
    if (!sawTransient) return result;
    const check = await readHoldings([userId]).catch(() => null);
    const licenses = check?.ok ? check.holdings.get(userId) : undefined;
    const landed = licenses
      ? parts.filter((part) =>
          isApplied(
            part,
            licenses.find((l) => l.skuId === part.skuId),
          ),
        )
      : [];
    return landed.length === parts.length ? { ok: true, warnings: [] } : { ...result, landed };
  }

  const failure = (
    error: LicenseProviderError,
    exhausted: boolean,
  ): Pick<ItemResult, 'reason' | 'detail'> => ({
    reason: exhausted ? (error.reason === 'throttled' ? 'throttled' : 'provider_error') : error.reason,
    detail: error.message,
  });

  /** Applies parts in one call; when it is refused, product by product so each gets its own result. */
  async function apply(userId: string, parts: Part[]): Promise<ItemResult[]> {
    if (parts.length === 0) return [];
    const make = (
      part: Part,
      outcome: ItemResult['outcome'],
      extra: Partial<ItemResult> = {},
    ): ItemResult => ({
      userId,
      skuId: part.skuId,
      op: part.op,
      outcome,
      ...extra,
      at: at(),
    });
    const applied = (part: Part, warnings: readonly string[]) =>
      make(part, 'success', warnings.length > 0 ? { note: warnings.join(' ') } : {});
    const whole = await attempt(userId, parts);
    if (whole.ok) return parts.map((part) => applied(part, whole.warnings));
    if (whole.exhausted || parts.length === 1 || aboutTheUser(whole.error, parts)) {
      return parts.map((part) =>
        whole.landed?.includes(part)
          ? make(part, 'success')
          : make(part, 'failed', failure(whole.error, whole.exhausted)),
      );
    }
    // One product at a time; a part refused for an order reason (a prerequisite assigned later in
    // the list, a conflicting product revoked later) gets another pass while others still succeed.
    const results: ItemResult[] = [];
    let remaining = parts;
    for (let pass = 0; remaining.length > 0; pass++) {
      const refused: { part: Part; outcome: Refusal }[] = [];
      for (const part of remaining) {
        const single = await attempt(userId, [part]);
        if (single.ok) results.push(applied(part, single.warnings));
        else refused.push({ part, outcome: single });
      }
      const progressed = refused.length < remaining.length;
      if (!progressed || pass + 1 >= parts.length) {
        for (const { part, outcome } of refused) {
          results.push(make(part, 'failed', failure(outcome.error, outcome.exhausted)));
        }
        break;
      }
      remaining = refused.map(({ part }) => part);
    }
    return results;
  }

  async function runItem(item: ChangeItem, position: number): Promise<void> {
    const results: ItemResult[] = item.noops
      .filter((noop) => !has(item.userId, noop.skuId, noop.op))
      .map((noop) => ({ userId: item.userId, skuId: noop.skuId, op: noop.op, outcome: 'noop', at: at() }));
    const parts = pendingParts(item);
    if (parts.length > 0) {
      const settled = (part: Part, outcome: ItemResult['outcome'], reason?: FailureReason): ItemResult => ({
        userId: item.userId,
        skuId: part.skuId,
        op: part.op,
        outcome,
        ...(reason ? { reason } : {}),
        at: at(),
      });
      const read = await holdingsAt(position);
      const licenses = read.ok ? read.holdings.get(item.userId) : undefined;
      if (!read.ok) {
        results.push(...parts.map((part) => ({ ...settled(part, 'failed'), ...failure(read.error, true) })));
      } else if (!licenses) {
        results.push(...parts.map((part) => settled(part, 'failed', 'user_not_found')));
      } else {
        const toApply: Part[] = [];
        for (const part of parts) {
          const license = licenses.find((l) => l.skuId === part.skuId);
          if (isApplied(part, license)) results.push(settled(part, resumed ? 'success' : 'noop'));
          else if (license && !license.direct && part.op === 'assign') results.push(settled(part, 'noop'));
          else if (license && !license.direct) results.push(settled(part, 'failed', 'inherited_from_group'));
          else toApply.push(part);
        }
        results.push(...(await apply(item.userId, toApply)));
      }
    }
    if (results.length === 0) return;
    await store.recordResults(run.id, results);
    for (const result of results) run.results[resultKey(result.userId, result.skuId, result.op)] = result;
    report('itemDone', () => reporter.itemDone(run, item, results));
    maybeProgress();
  }

  const startCounts = countResults(run);
  report('started', () => reporter.started(run, startCounts));

  let next = 0;
  let crash: { error: unknown } | null = null;
  const worker = async () => {
    while (crash === null && !options.signal?.aborted && next < pending.length) {
      const position = next++;
      const item = pending[position];
      if (!item) break;
      try {
        await runItem(item, position);
      } catch (error) {
        crash ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 8, pending.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (crash !== null) {
    await reporting;
    throw (crash as { error: unknown }).error;
  }
  if (next < pending.length) {
    await reporting;
    throw new RunInterruptedError(`The run of ${run.id} stopped for shutdown; it resumes at the next start.`);
  }

  // The request may only be saved as finished once every result it reports is on disk.
  await store.flush();
  const finished = options.finish ? await options.finish(run, countResults(run)) : run;
  const finalCounts = countResults(finished);
  report('finished', () => reporter.finished(finished, finalCounts));
  await reporting;
  return finished;
}

/** A refusal about the user, not a product: trying the products one by one would only repeat it. */
function aboutTheUser(error: LicenseProviderError, parts: readonly Part[]): boolean {
  if (error.reason === 'user_not_found') return true;
  return error.reason === 'usage_location_missing' && parts.every((part) => part.op === 'assign');
}
