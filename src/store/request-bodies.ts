/**
 * Requests' items and results in memory: all of them for requests that are not finished (and
 * for any request whose results log is open), and a few finished ones in a small cache, read from
 * their files when asked for. So memory follows the work under way, not the store's age.
 */
import type { RequestHeader, RequestStatus } from '../licensing/model.js';
import { BoundedCache } from './bounded-cache.js';
import type { LoadedBody, RequestFiles } from './request-files.js';
import { isFinished } from './retention.js';

export class RequestBodies {
  readonly #files: RequestFiles;
  readonly #live = new Map<string, LoadedBody>();
  readonly #finished: BoundedCache<string, LoadedBody>;

  constructor(files: RequestFiles, finishedCacheSize: number) {
    this.#files = files;
    this.#finished = new BoundedCache(finishedCacheSize);
  }

  /** The body if it is in memory. */
  peek(id: string): LoadedBody | undefined {
    return this.#live.get(id) ?? this.#finished.get(id);
  }

  /**
   * The body of `header`, read from its files when it is not in memory. `statusOf` gives the
   * request's status once read (it may have changed meanwhile) to decide where it is kept.
   */
  async of(header: RequestHeader, statusOf: (id: string) => RequestStatus | undefined): Promise<LoadedBody> {
    const known = this.peek(header.id);
    if (known) return known;
    const loaded = await this.#files.read(header.id);
    // Another call may have read it, or results may have arrived, while this one read.
    const meanwhile = this.peek(header.id);
    if (meanwhile) return meanwhile;
    this.keep(header.id, loaded, isFinished(statusOf(header.id) ?? header.status));
    return loaded;
  }

  /** Keeps a body: in the cache when its request is finished, in memory for good otherwise. */
  keep(id: string, body: LoadedBody, finished: boolean): void {
    if (finished) {
      this.#live.delete(id);
      this.#finished.set(id, body);
    } else {
      this.#finished.delete(id);
      this.#live.set(id, body);
    }
  }

  /** A finished request's body moves to the cache (its results are all on disk). */
  retire(id: string): void {
    const body = this.#live.get(id);
    this.#live.delete(id);
    if (body) this.#finished.set(id, body);
  }

  forget(id: string): void {
    this.#live.delete(id);
    this.#finished.delete(id);
  }

  clear(): void {
    this.#live.clear();
    this.#finished.clear();
  }
}
