import type { Logger } from '@slack/bolt';

/**
 * Work the app starts after an ack (runs, summaries) and nobody awaits. Failures are logged here
 * so that no promise is left unhandled; `idle()` lets tests and shutdown wait for quiet.
 */
export class RunTracker {
  readonly #pending = new Set<Promise<void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get size(): number {
    return this.#pending.size;
  }

  track(what: string, work: () => Promise<void>): void {
    const promise = work()
      .catch((error: unknown) => {
        this.#logger.error(`${what} failed`, error);
      })
      .finally(() => {
        this.#pending.delete(promise);
      });
    this.#pending.add(promise);
  }

  /** Resolves once nothing is pending, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
