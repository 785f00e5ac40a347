/**
 * Work that runs for one key at a time across every replica: a session-level advisory lock
 * (`pg_advisory_lock(hashtextextended(key, 0))`) on a client of the pool, held for the duration
 * and released in `finally`. A session lock needs its client for as long as it is held, so
 * callers of this process wait in line here first (per key, and at most `maxHeld` clients at
 * once): the pool always keeps clients for the work itself, which needs them too.
 */
import type { Pool, PoolClient } from './pool.js';

export class AdvisoryLocks {
  readonly #pool: Pool;
  readonly #maxHeld: number;
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #waiting: (() => void)[] = [];
  #held = 0;

  /** `maxHeld` defaults to half the pool's size (at least 1). */
  constructor(pool: Pool, options: { maxHeld?: number } = {}) {
    this.#pool = pool;
    this.#maxHeld = Math.max(1, options.maxHeld ?? Math.floor((pool.options.max ?? 10) / 2));
  }

  /** Runs `work` while no other caller holding `key` runs, in this process or another on the database. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#locked(key, work));
    this.#tails.set(key, next);
    const forget = () => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  async #locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.#slot();
    let client: PoolClient | undefined;
    // A checked-out client has no listener of the pool's: an 'error' nobody hears ends the process.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    try {
      client = await this.#pool.connect();
      client.on('error', onError);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    } catch (error) {
      client?.removeListener('error', onError);
      client?.release(true);
      this.#free();
      throw error;
    }
    try {
      return await work();
    } finally {
      // Destroying a broken client ends its session, which releases the lock too.
      await client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        .catch((error: unknown) => {
          broken ??= error instanceof Error ? error : new Error(String(error));
        });
      client.removeListener('error', onError);
      client.release(broken);
      this.#free();
    }
  }

  async #slot(): Promise<void> {
    if (this.#held < this.#maxHeld) {
      this.#held++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot to the next in line, or gives it back. */
  #free(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held--;
  }
}
