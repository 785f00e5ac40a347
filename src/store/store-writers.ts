/**
 * The store's two CoalescingWriters, the project's one coalescing file writer: the main file
 * (drafts, request headers, approvals) and the logs (every request's results and the audit log,
 * synced together), with the one health made of theirs. A durable change commits the main file
 * through `commit`, which takes the change back out of memory when the write fails, so "nothing
 * was changed" is true.
 */
import { CoalescingWriter, type WriterHealth } from '../persistence/coalescing-writer.js';
import { describeError } from './describe-error.js';
import { type StoreHealth, StoreUnavailableError } from './store.js';
import { StoreHealthMonitor, type StoreLogger } from './store-health.js';

export interface StoreWritersOptions {
  /** Writes the main file. */
  writeMain: () => Promise<void>;
  /** Syncs the results logs and the audit log. */
  syncLogs: () => Promise<void>;
  /** The data directory, as refusals and health lines name it. */
  where: string;
  logger: StoreLogger;
  now: () => Date;
  delayMs: number;
  retryDelayMs: { initial: number; max: number } | undefined;
}

export class StoreWriters {
  readonly #options: StoreWritersOptions;
  #health: StoreHealthMonitor;
  #main: CoalescingWriter;
  #logs: CoalescingWriter;

  constructor(options: StoreWritersOptions) {
    this.#options = options;
    this.#health = this.#newHealth();
    this.#main = this.#newWriter('main', options.writeMain);
    this.#logs = this.#newWriter('logs', options.syncLogs);
  }

  /** Fresh writers and health, for a store that opens (again: close() stops the writers for good). */
  restart(): void {
    this.#health = this.#newHealth();
    this.#main = this.#newWriter('main', this.#options.writeMain);
    this.#logs = this.#newWriter('logs', this.#options.syncLogs);
  }

  health(): StoreHealth {
    return this.#health.current();
  }

  /** Writes of the main file attempted since open. */
  get mainWrites(): number {
    return this.#main.writes;
  }

  /** Syncs of the logs attempted since open. */
  get logsWrites(): number {
    return this.#logs.writes;
  }

  /** A coalesced change of the main file: it reaches the disk within the write delay. */
  mainChanged(): void {
    this.#main.markDirty();
  }

  /** A coalesced change of the logs. */
  logsChanged(): void {
    this.#logs.markDirty();
  }

  /** Writes the main file now; a failure shows in health() (so it tells the truth), not here. */
  writeMainNow(): Promise<void> {
    this.#main.markDirty();
    return this.#main.commit().catch(() => {});
  }

  /** Refuses a durable change at once while the store cannot write. */
  requireWritable(method: string): void {
    const health = this.#health.current();
    if (health.writable) return;
    throw new StoreUnavailableError(
      `${method}: the store cannot write to ${this.#options.where} (${health.error ?? 'unknown error'}); nothing was changed.`,
    );
  }

  unavailable(method: string, error: unknown): StoreUnavailableError {
    return new StoreUnavailableError(
      `${method}: cannot write to ${this.#options.where} (${describeError(error)}); nothing was changed.`,
      { cause: error },
    );
  }

  /** Commits the main file; when that fails, `undo` takes this change back out of memory. */
  async commit(method: string, undo: () => void): Promise<void> {
    this.#main.markDirty();
    try {
      await this.#main.commit();
    } catch (error) {
      undo();
      throw this.unavailable(method, error);
    }
  }

  /** Resolves once every change so far is on disk, in both writers. */
  commitAll(method: string): Promise<void> {
    return this.#bothOrUnavailable(method, [this.#main.commit(), this.#logs.commit()]);
  }

  /** Commits both, retrying a failed write for `retryForMs`, and stops them. */
  close(retryForMs: number): Promise<void> {
    return this.#bothOrUnavailable('close', [this.#main.close(retryForMs), this.#logs.close(retryForMs)]);
  }

  async #bothOrUnavailable(method: string, writes: Promise<void>[]): Promise<void> {
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw this.unavailable(method, failed.reason);
  }

  #newHealth(): StoreHealthMonitor {
    const { logger, where, now } = this.#options;
    return new StoreHealthMonitor({ logger, where, now });
  }

  #newWriter(name: string, write: () => Promise<void>): CoalescingWriter {
    const { delayMs, retryDelayMs, now } = this.#options;
    return new CoalescingWriter({
      write,
      delayMs,
      ...(retryDelayMs ? { retryDelayMs } : {}),
      now,
      onHealthChange: (health: WriterHealth) => this.#health.update(name, health),
    });
  }
}
