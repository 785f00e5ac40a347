/**
 * Work run one at a time per key, in the order it was asked for; different keys do not wait on
 * each other. A failed piece of work does not stop the next one for its key.
 */
export class KeyedSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#tails.set(key, next);
    const forget = () => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  /** Keys with work queued or running (for tests: a finished key is forgotten). */
  get size(): number {
    return this.#tails.size;
  }
}
