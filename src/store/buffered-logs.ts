/**
 * The open results logs, one per request that is recording results. `append` only buffers, so a
 * result is never lost to a failed write: `syncAll` (group commit: one fsync per log for every
 * line buffered before it) retries what did not reach the disk, including opening a log whose
 * file could not be created.
 */
import type { ItemResult } from '../licensing/model.js';
import type { AppendLog } from '../persistence/append-log.js';
import type { RequestFiles } from './request-files.js';

interface OpenLog {
  log: AppendLog | null;
  /** Results waiting for the log to open. */
  waiting: ItemResult[];
  /** Lines handed to the log and not yet synced. */
  unsynced: number;
}

export class ResultsLogs {
  readonly #files: RequestFiles;
  readonly #open = new Map<string, OpenLog>();

  constructor(files: RequestFiles) {
    this.#files = files;
  }

  /** Buffers results for request `id`; they reach the disk at the next syncAll(). */
  append(id: string, results: readonly ItemResult[]): void {
    let entry = this.#open.get(id);
    if (entry === undefined) {
      entry = { log: null, waiting: [], unsynced: 0 };
      this.#open.set(id, entry);
    }
    if (entry.log === null) {
      entry.waiting.push(...results);
      return;
    }
    for (const result of results) entry.log.append(result);
    entry.unsynced += results.length;
  }

  /** True while request `id` has results that are not on disk yet. */
  hasPending(id: string): boolean {
    const entry = this.#open.get(id);
    return entry !== undefined && (entry.log === null || entry.unsynced > 0);
  }

  isOpen(id: string): boolean {
    return this.#open.has(id);
  }

  /** Puts every result buffered before the call on disk; rejects with the first failure after trying every log. */
  async syncAll(): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      [...this.#open.entries()].map(([id, entry]) =>
        this.#sync(id, entry).catch((error: unknown) => {
          failures.push(error);
        }),
      ),
    );
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Closes the logs of the requests `done` names that have nothing left to write, and returns
   * their ids; a later result reopens the log.
   */
  closeSettled(done: (id: string) => boolean): string[] {
    const closed: string[] = [];
    for (const [id, entry] of this.#open) {
      if (entry.log === null || entry.unsynced > 0 || !done(id)) continue;
      this.#open.delete(id);
      closed.push(id);
      void entry.log.close().catch(() => {});
    }
    return closed;
  }

  /** Closes every log; what could not be written by then stays unwritten (the caller flushed first). */
  async closeAll(): Promise<void> {
    const entries = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(entries.map((entry) => entry.log?.close().catch(() => {})));
  }

  async #sync(id: string, entry: OpenLog): Promise<void> {
    if (entry.log === null) {
      const log = await this.#files.openResultsLog(id);
      // Whatever arrived while opening goes in the order it came.
      for (const result of entry.waiting) log.append(result);
      entry.unsynced += entry.waiting.length;
      entry.waiting = [];
      entry.log = log;
    }
    const covered = entry.unsynced;
    if (covered === 0) return;
    await entry.log.sync();
    entry.unsynced -= covered;
  }
}
