/**
 * Callers of one replica waiting for the same key share round trips: while a reservation for the
 * key is in flight, later callers queue, and the next round trip takes slots for all of them (up
 * to `max`), handed out in arrival order. At most one statement per key is in flight per replica,
 * so a run's concurrency does not turn into as many queries queueing for the pool and for the
 * shared 'app' row. Nothing is reserved ahead of a caller, so no slot is lost when runs stop.
 */
interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class SlotBatches<T> {
  readonly #waiting = new Map<string, Waiter<T>[]>();
  readonly #take: (key: string, count: number) => Promise<readonly T[]>;
  readonly #max: number;

  /** `take(key, n)` reserves n slots in one round trip and returns them in order. */
  constructor(take: (key: string, count: number) => Promise<readonly T[]>, max: number) {
    this.#take = take;
    this.#max = Math.max(1, max);
  }

  /** The caller's slot, from the next round trip for `key`. */
  next(key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.#waiting.get(key);
      if (queue) {
        queue.push({ resolve, reject });
        return;
      }
      this.#waiting.set(key, [{ resolve, reject }]);
      void this.#drain(key);
    });
  }

  /** Round trips for `key` until no caller waits; a failed one fails only its own callers. */
  async #drain(key: string): Promise<void> {
    for (;;) {
      const queue = this.#waiting.get(key) ?? [];
      if (queue.length === 0) {
        this.#waiting.delete(key);
        return;
      }
      const batch = queue.splice(0, this.#max);
      try {
        const slots = await this.#take(key, batch.length);
        batch.forEach((waiter, i) => {
          const slot = slots[i];
          if (slot === undefined)
            waiter.reject(new Error(`${slots.length} slots for ${batch.length} callers`));
          else waiter.resolve(slot);
        });
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
  }
}
