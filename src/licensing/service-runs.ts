/**
 * Running requests in this process: a request runs at most once at a time, stop() lets the items
 * in flight land before the process exits, and what is left unfinished is found again at start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LicenseProvider } from '../providers/license-provider.js';
import type { Store } from '../store/store.js';
import {
  EXECUTOR_DEFAULTS,
  RunInterruptedError,
  type RunOptions,
  runRequest,
  tenantCalls,
} from './executor.js';
import type { ChangeRequest, ReportTarget, RequestStatus, RunCounts, Verification } from './model.js';
import type { WritePacer } from './pacer.js';
import { type Reporter, silentReporter } from './reporter.js';
import { countResults } from './run-counts.js';
import { MANY, type RunLogger } from './service-types.js';
import { type VerificationSettings, verifyRun } from './verification-run.js';

/** A request that cannot run in its current state (pending, rejected, expired) or is unknown. */
export class RequestNotRunnableError extends Error {
  override readonly name = 'RequestNotRunnableError';
  readonly code = 'licensing_not_runnable';
}

/** Retry and reporting knobs of the executor (defaults suit Graph). */
export type RetryOptions = Pick<
  RunOptions,
  'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'progressIntervalMs' | 'sleep'
>;

export interface RunsOptions {
  provider: LicenseProvider;
  store: Store;
  concurrency: number;
  pacer: WritePacer;
  now: () => Date;
  logger: RunLogger;
  retry: RetryOptions | undefined;
  /** How a finished run's results are checked against the tenant before it is completed. */
  verification: VerificationSettings;
  /**
   * Requests this process made runnable (submitted for an immediate run, or approved) and whose
   * run() has not begun: their listener starts them, so they are not interrupted.
   */
  startingHere: Set<string>;
}

export class Runs {
  readonly #options: RunsOptions;
  /** Requests being run by this process: a second run() of one would apply it twice. */
  readonly #running = new Set<string>();
  /** Aborted by stop(): runs take no new item, and no run starts. */
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: RunsOptions) {
    this.#options = options;
  }

  run(requestId: string, reporter: Reporter): Promise<ChangeRequest> {
    const running = this.#run(requestId, reporter);
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Queue mode: moves an approved request to running (compare-and-set, so once across replicas).
   * Returns the request when it is running now, or null (unknown, completed, or not runnable).
   */
  async begin(requestId: string): Promise<ChangeRequest | null> {
    const { store, now } = this.#options;
    const before = await store.getRequest(requestId);
    if (before?.status === 'running') return before;
    if (before?.status !== 'approved') return null;
    const startedAt = before.startedAt ?? now().toISOString();
    const running = await store.transitionRequest(requestId, ['approved'], 'running', { startedAt });
    if (running !== null) return running;
    const after = await store.getRequest(requestId);
    return after?.status === 'running' ? after : null;
  }

  /**
   * Queue mode: runs the items at `positions` of a running request (one chunk; its other chunks
   * may run on other replicas at the same time). Rejects with RunInterruptedError when stopped
   * by shutdown or by `signal` (the items in flight are recorded first).
   */
  runChunk(
    requestId: string,
    positions: readonly number[],
    reporter: Reporter,
    options: { resumed: boolean; signal?: AbortSignal },
  ): Promise<ChangeRequest> {
    const running = this.#runChunk(requestId, positions, reporter, options);
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Queue mode: a running request whose parts all have a result is verified (within `until`, ms
   * since the epoch) and completed with its verification; null when it was not running.
   */
  async finish(request: ChangeRequest, until: number): Promise<ChangeRequest | null> {
    if (request.status !== 'running') return null;
    const verification = await this.verify(request, until);
    return this.complete(request.id, countResults(request), verification);
  }

  /**
   * Marks a running request completed (once) with its verification, saved in the same write so
   * that nobody is told of the run before its verdict is durable; audits it. Null when it was not
   * running.
   */
  async complete(
    requestId: string,
    counts: RunCounts,
    verification: Verification,
  ): Promise<ChangeRequest | null> {
    const { store, now } = this.#options;
    const completed = await store.transitionRequest(requestId, ['running'], 'completed', {
      finishedAt: now().toISOString(),
      verification,
    });
    if (completed === null) return null;
    await store.appendAudit({
      actor: 'system',
      action: 'run_completed',
      requestId,
      outcome: counts.failed > 0 ? 'with_failures' : 'ok',
      details: {
        ...counts,
        mismatches: verification.mismatches.length,
        verified: verifiedWord(verification),
      },
    });
    return completed;
  }

  /** The run's results checked against the tenant (verification-run.ts). */
  verify(request: ChangeRequest, until?: number): Promise<Verification> {
    const { now, retry, verification } = this.#options;
    const options = this.#runOptions(request, silentReporter, false);
    return verifyRun(request, {
      calls: tenantCalls(request, options, now),
      settings: verification,
      batchSize: EXECUTOR_DEFAULTS.holdingsBatchSize,
      sleep: retry?.sleep ?? ((ms) => sleep(ms)),
      now,
      random: Math.random,
      logger: options.logger ?? this.#options.logger,
      ...(until === undefined ? {} : { until }),
    });
  }

  /** Where the request's run reports (its summary message), kept whatever its status. */
  async setReportTarget(requestId: string, report: ReportTarget): Promise<void> {
    const { store } = this.#options;
    // Compare-and-set on the status read just before, so a concurrent transition is not undone.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await store.getRequest(requestId);
      if (!current) return;
      const statuses: RequestStatus[] = [current.status];
      if (await store.transitionRequest(requestId, statuses, current.status, { report })) return;
    }
  }

  async stop(timeoutMs: number): Promise<void> {
    this.#stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), timeout]);
    clearTimeout(timer);
  }

  /** Requests left running or approved that nobody in this process runs or is about to start, oldest first. */
  async interrupted(): Promise<ChangeRequest[]> {
    const { store, startingHere } = this.#options;
    const unfinished = await store.listRequests({ status: ['running', 'approved'], limit: MANY });
    return unfinished
      .filter((request) => !this.#running.has(request.id))
      .filter((request) => request.status === 'running' || !startingHere.has(request.id))
      .reverse();
  }

  async #run(requestId: string, reporter: Reporter): Promise<ChangeRequest> {
    if (this.#stopping.signal.aborted) {
      throw new RunInterruptedError(`Request ${requestId} was not started: LicenseDesk is stopping.`);
    }
    if (this.#running.has(requestId)) {
      throw new RequestNotRunnableError(`Request ${requestId} is already running.`);
    }
    this.#running.add(requestId);
    this.#options.startingHere.delete(requestId);
    try {
      const { store, now } = this.#options;
      const before = await store.getRequest(requestId);
      if (!before) throw new RequestNotRunnableError(`Request ${requestId} does not exist.`);
      if (before.status === 'completed') return before;
      const request = await store.transitionRequest(requestId, ['approved', 'running'], 'running', {
        startedAt: before.startedAt ?? now().toISOString(),
      });
      if (!request) {
        throw new RequestNotRunnableError(`Request ${requestId} cannot run: it is ${before.status}.`);
      }
      return await runRequest(request, this.#runOptions(request, reporter, before.status === 'running'));
    } finally {
      this.#running.delete(requestId);
    }
  }

  async #runChunk(
    requestId: string,
    positions: readonly number[],
    reporter: Reporter,
    options: { resumed: boolean; signal?: AbortSignal },
  ): Promise<ChangeRequest> {
    if (this.#stopping.signal.aborted) {
      throw new RunInterruptedError(`A chunk of ${requestId} was not started: LicenseDesk is stopping.`);
    }
    const request = await this.#options.store.getRequest(requestId);
    if (request?.status !== 'running') {
      throw new RequestNotRunnableError(
        `Request ${requestId} is not running: ${request?.status ?? 'unknown'}.`,
      );
    }
    const signals = [this.#stopping.signal, ...(options.signal ? [options.signal] : [])];
    return runRequest(request, {
      ...this.#runOptions(request, reporter, options.resumed),
      signal: AbortSignal.any(signals),
      positions,
    });
  }

  #runOptions(request: ChangeRequest, reporter: Reporter, resumed: boolean): RunOptions {
    const { provider, store, concurrency, pacer, now, logger, retry } = this.#options;
    const requestId = request.id;
    return {
      provider,
      store,
      reporter,
      concurrency,
      pacer,
      resumed,
      now,
      logger:
        logger.child?.({ requestId, customerId: request.customerId, requestedBy: request.requestedBy }) ??
        logger,
      signal: this.#stopping.signal,
      ...retry,
      finish: async (ran, counts) => {
        const completed = await this.complete(requestId, counts, await this.verify(ran));
        return { ...ran, ...(completed ?? {}), results: ran.results };
      },
    };
  }
}

/** The audit's one word for a verification. */
function verifiedWord(verification: Verification): string {
  if (verification.unverified !== undefined) return `not verified (${verification.unverified})`;
  return verification.mismatches.length === 0 ? 'verified' : 'mismatches';
}
