/**
 * What the approval message adds from outside the request (the thread's link, plan names, the
 * revocations' outlook), asked once per request and kept for the most recent requests. A failure
 * is logged, leaves the piece out and is asked again next time.
 */
import type { Logger } from '@slack/bolt';
import { LRUCache } from 'lru-cache';

/** Requests whose pieces are kept: far more than are ever pending at once. */
const KEPT_REQUESTS = 1000;

export class PerRequestMemo<T extends object | string> {
  readonly #kept = new LRUCache<string, T>({ max: KEPT_REQUESTS });
  readonly #logger: Logger;
  readonly #whatFailed: (requestId: string) => string;

  constructor(logger: Logger, whatFailed: (requestId: string) => string) {
    this.#logger = logger;
    this.#whatFailed = whatFailed;
  }

  /** The kept value of `requestId`, or what `read` gives (kept when defined); undefined when it fails. */
  async of(requestId: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const known = this.#kept.get(requestId);
    if (known !== undefined) return known;
    try {
      const value = await read();
      if (value !== undefined) this.#kept.set(requestId, value);
      return value;
    } catch (error) {
      this.#logger.warn(this.#whatFailed(requestId), error);
      return undefined;
    }
  }
}
