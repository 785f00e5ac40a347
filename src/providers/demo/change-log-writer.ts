/**
 * The demo tenant's current change log as the tenant writes it: appends that are durable before
 * they resolve (concurrent ones share an fsync), one line when it turns unwritable and one when
 * it recovers, and moving a folded log to `archive/` with a new, empty one in its place.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AppendLog } from '../../persistence/append-log.js';
import type { WriterHealth } from '../../persistence/coalescing-writer.js';
import { type DurableFs, syncDirectory } from '../../persistence/durable-file.js';
import { archivedLogName, DEMO_ARCHIVE_DIR, DEMO_CHANGE_LOG_FILE } from './demo-change-log.js';
import type { DemoLogger } from './demo-file.js';
import { messageOf } from './file-errors.js';

export class ChangeLogWriter {
  readonly file: string;
  readonly #dataDir: string;
  readonly #fs: DurableFs;
  readonly #logger: DemoLogger;
  readonly #now: () => Date;
  /** Null between moving a full log away and opening its successor, and after close. */
  #log: AppendLog | null = null;
  #reopening: Promise<AppendLog> | undefined;
  #health: WriterHealth;

  constructor(dataDir: string, fs: DurableFs, logger: DemoLogger, now: () => Date) {
    this.file = path.join(dataDir, DEMO_CHANGE_LOG_FILE);
    this.#dataDir = dataDir;
    this.#fs = fs;
    this.#logger = logger;
    this.#now = now;
    this.#health = { writable: true, since: now().toISOString() };
  }

  /** Records in the current log. */
  get lineCount(): number {
    return this.#log?.lineCount ?? 0;
  }

  get isOpen(): boolean {
    return this.#log !== null;
  }

  health(): WriterHealth {
    return { ...this.#health };
  }

  /**
   * Opens the log at start-up. A disk that refuses writes now (read-only, full) does not keep the
   * bot from starting: the log is reported unwritable, and the next append tries to open it again.
   */
  async open(): Promise<void> {
    await this.#reopen().catch((error: unknown) => {
      this.#setHealth({ writable: false, since: this.#now().toISOString(), error: messageOf(error) });
    });
  }

  /** Appends a record durably; resolves with the number of records the log then holds. */
  async append(record: object): Promise<number> {
    let log: AppendLog;
    try {
      log = this.#log ?? (await this.#reopen());
      await log.appendDurably(record);
    } catch (error) {
      this.#setHealth({ writable: false, since: this.#now().toISOString(), error: messageOf(error) });
      throw error;
    }
    this.#setHealth({ writable: true, since: this.#now().toISOString() });
    return log.lineCount;
  }

  /** Moves the log to archive/ (rename, directory fsyncs) and opens a new, empty one. */
  async archive(): Promise<void> {
    const archive = path.join(this.#dataDir, DEMO_ARCHIVE_DIR);
    await mkdir(archive, { recursive: true });
    await this.#reopening?.catch(() => {});
    await this.close();
    if (!(await exists(this.file))) {
      await this.#reopen();
      return;
    }
    const target = await this.#freeArchiveName(archive);
    try {
      await this.#fs.rename(this.file, target);
    } finally {
      // A new log after the move, or the same one again when the move failed.
      await this.#reopen();
    }
    await syncDirectory(archive, this.#fs);
    await syncDirectory(this.#dataDir, this.#fs);
  }

  /** Closes the log; a later append opens it again. */
  async close(): Promise<void> {
    const log = this.#log;
    this.#log = null;
    await log?.close();
  }

  /** One open shared by every append waiting for the log (after a compaction could not open the next one). */
  #reopen(): Promise<AppendLog> {
    this.#reopening ??= AppendLog.open(this.file, { fs: this.#fs }).then(
      (log) => {
        this.#reopening = undefined;
        this.#log = log;
        return log;
      },
      (error: unknown) => {
        this.#reopening = undefined;
        throw error;
      },
    );
    return this.#reopening;
  }

  async #freeArchiveName(archive: string): Promise<string> {
    const time = this.#now();
    for (let attempt = 0; ; attempt++) {
      const candidate = path.join(archive, archivedLogName(time, attempt));
      if (!(await exists(candidate))) return candidate;
    }
  }

  #setHealth(next: WriterHealth): void {
    if (next.writable === this.#health.writable) return;
    this.#health = next;
    if (next.writable) this.#logger.info(`The demo tenant's change log ${this.file} is written again.`);
    else
      this.#logger.warn(
        `The demo tenant's change log ${this.file} cannot be written (${next.error}); changes are refused as transient until it can.`,
      );
  }
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
