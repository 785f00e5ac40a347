/**
 * What a run tells its Reporter, off the workers' path: calls run one after another, each only
 * once the results it could mention are on disk (durable before told); a failed call is logged,
 * never fatal. Progress goes out at most once per interval.
 */

import type { ChangeRequest } from '../model.js';
import type { Reporter } from '../reporter.js';
import { countResults } from '../run-counts.js';
import type { RunLogger } from '../service-types.js';

export interface RunReportingOptions {
  reporter: Reporter;
  /** Resolves once every result recorded so far is on disk. */
  flush: () => Promise<void>;
  progressIntervalMs: number;
  now: () => Date;
  logger: Pick<RunLogger, 'warn'>;
}

type Call = keyof Reporter;

export class RunReporting {
  #chain: Promise<void> = Promise.resolve();
  #lastProgressAt: number;

  constructor(private readonly options: RunReportingOptions) {
    this.#lastProgressAt = options.now().getTime();
  }

  /** Queues a reporter call after the ones already queued, behind a flush of the store. */
  tell(run: ChangeRequest, what: Call, call: (reporter: Reporter) => Promise<void>): void {
    const { reporter, flush, logger } = this.options;
    this.#chain = this.#chain
      .then(async () => {
        await flush();
        await call(reporter);
      })
      .catch((error: unknown) => {
        logger.warn(`[executor] reporter.${what} failed for ${run.id}; the run goes on:`, error);
      });
  }

  /** Reports progress unless the last report is younger than the interval. */
  progress(run: ChangeRequest): void {
    const time = this.options.now().getTime();
    if (time - this.#lastProgressAt < this.options.progressIntervalMs) return;
    this.#lastProgressAt = time;
    const counts = countResults(run);
    this.tell(run, 'progress', (reporter) => reporter.progress(run, counts));
  }

  /** Resolves once every queued call has run (or failed and been logged). */
  settled(): Promise<void> {
    return this.#chain;
  }
}
