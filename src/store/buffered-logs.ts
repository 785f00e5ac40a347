/**
 * JSON Lines logs the store appends to (one per request's results; the audit log), each opened
 * when first needed. `append` only buffers, so a record is never lost to a failed write; it
 * schedules nothing itself: the store's logs writer (a CoalescingWriter, store-writers.ts) calls
 * `syncAll`, which puts every record buffered before it on disk (one fsync per log) and retries
 * what did not reach the disk, including opening a log whose file could not be created.
 */
import type { AppendLog } from '../persistence/append-log.js';

interface OpenLog {
  log: AppendLog | null;
  /** Records waiting for the log to open. */
  waiting: unknown[];
  /** Records handed to the log and not yet synced. */
  unsynced: number;
}

export class BufferedLogs {
  readonly #openLog: (key: string) => Promise<AppendLog>;
  readonly #open = new Map<string, OpenLog>();

  constructor(openLog: (key: string) => Promise<AppendLog>) {
    this.#openLog = openLog;
  }

  /** Buffers records for the log `key`; they reach the disk at the next syncAll(). */
  append(key: string, records: readonly unknown[]): void {
    let entry = this.#open.get(key);
    if (entry === undefined) {
      entry = { log: null, waiting: [], unsynced: 0 };
      this.#open.set(key, entry);
    }
    if (entry.log === null) {
      entry.waiting.push(...records);
      return;
    }
    for (const record of records) entry.log.append(record);
    entry.unsynced += records.length;
  }

  isOpen(key: string): boolean {
    return this.#open.has(key);
  }

  /** Puts every record buffered before the call on disk; rejects with the first failure after trying every log. */
  async syncAll(): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      [...this.#open.entries()].map(([key, entry]) =>
        this.#sync(key, entry).catch((error: unknown) => {
          failures.push(error);
        }),
      ),
    );
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Closes the logs `done` names that have nothing left to write, and returns their keys; a later
   * record reopens the log.
   */
  closeSettled(done: (key: string) => boolean): string[] {
    const closed: string[] = [];
    for (const [key, entry] of this.#open) {
      if (entry.log === null || entry.unsynced > 0 || !done(key)) continue;
      this.#open.delete(key);
      closed.push(key);
      void entry.log.close().catch(() => {});
    }
    return closed;
  }

  /**
   * Forgets the log `key` and what it still had to write, for a caller that is about to replace
   * its file with content that includes those records; the next record opens the new file.
   */
  async detach(key: string): Promise<void> {
    const entry = this.#open.get(key);
    this.#open.delete(key);
    await entry?.log?.close().catch(() => {});
  }

  /** Closes every log; what could not be written by then stays unwritten (the caller flushed first). */
  async closeAll(): Promise<void> {
    const entries = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(entries.map((entry) => entry.log?.close().catch(() => {})));
  }

  async #sync(key: string, entry: OpenLog): Promise<void> {
    if (entry.log === null) {
      const log = await this.#openLog(key);
      // Whatever arrived while opening goes in the order it came.
      for (const record of entry.waiting) log.append(record);
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
