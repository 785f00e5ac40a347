/**
 * One health for the store out of its writers' (the main file, the results logs): writable only
 * when all are. Logs one line when it turns unwritable (with the write error) and one when it
 * recovers, whatever the writers' retries do in between.
 */
import type { WriterHealth } from '../persistence/coalescing-writer.js';
import type { StoreHealth } from './store.js';

export interface StoreLogger {
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
}

export class StoreHealthMonitor {
  readonly #logger: StoreLogger;
  readonly #where: string;
  readonly #now: () => Date;
  readonly #writers = new Map<string, WriterHealth>();
  #health: StoreHealth;

  constructor(options: { logger: StoreLogger; where: string; now: () => Date }) {
    this.#logger = options.logger;
    this.#where = options.where;
    this.#now = options.now;
    this.#health = { writable: true, since: this.#now().toISOString() };
  }

  current(): StoreHealth {
    return { ...this.#health };
  }

  /** Takes a writer's new health (its onHealthChange). */
  update(writer: string, health: WriterHealth): void {
    this.#writers.set(writer, health);
    const failing = [...this.#writers.values()].find((each) => !each.writable);
    if (failing === undefined) {
      if (this.#health.writable) return;
      this.#health = { writable: true, since: this.#now().toISOString() };
      this.#logger.info(`[store] ${this.#where} is writable again; changes kept meanwhile are on disk.`);
      return;
    }
    const error = failing.error ?? 'unknown write error';
    if (!this.#health.writable) {
      this.#health = { ...this.#health, error };
      return;
    }
    this.#health = { writable: false, since: this.#now().toISOString(), error };
    this.#logger.error(
      `[store] cannot write to ${this.#where} (${error}); submissions and decisions are refused until it can, and other changes are kept in memory until then.`,
    );
  }
}
