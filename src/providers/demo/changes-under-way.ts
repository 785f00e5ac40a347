/**
 * Shutdown of the demo tenant's writes: counts the changes under way, and once stopped refuses
 * new ones (transient: another process may take them later) while waiting, for a bounded time,
 * for those under way to finish.
 */
import { setTimeout } from 'node:timers/promises';
import { stopping } from './demo-errors.js';

export class ChangesUnderWay {
  #stopped = false;
  #count = 0;
  readonly #onQuiet = new Set<() => void>();

  get stopped(): boolean {
    return this.#stopped;
  }

  get count(): number {
    return this.#count;
  }

  /** Throws the transient "shutting down" refusal once stopped. */
  refuseIfStopped(): void {
    if (this.#stopped) throw stopping();
  }

  /** Runs a change, counted as under way until it settles; refused once stopped. */
  async track(change: () => Promise<void>): Promise<void> {
    this.refuseIfStopped();
    this.#count += 1;
    try {
      await change();
    } finally {
      this.#count -= 1;
      if (this.#count === 0) for (const wake of this.#onQuiet) wake();
    }
  }

  /**
   * Refuses every change from now on and waits up to `waitMs` for the changes under way.
   * Resolves with how many are still under way.
   */
  async stop(waitMs: number): Promise<number> {
    this.#stopped = true;
    if (this.#count === 0) return 0;
    const quiet = new AbortController();
    const wake = () => quiet.abort();
    this.#onQuiet.add(wake);
    try {
      await setTimeout(waitMs, undefined, { signal: quiet.signal });
    } catch (error) {
      if (!quiet.signal.aborted) throw error;
    } finally {
      this.#onQuiet.delete(wake);
    }
    return this.#count;
  }
}
