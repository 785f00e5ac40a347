/**
 * The open demo tenant file: every change is recorded in the change log before the provider
 * reports it, and the one CoalescingWriter of the snapshot folds the log into the snapshot
 * (compaction) when asked, when the log grows long, and at close.
 */
import { CoalescingWriter, type WriterHealth } from '../../persistence/coalescing-writer.js';
import { type DurableFs, writeFileDurably } from '../../persistence/durable-file.js';
import { ChangeLogWriter } from './change-log-writer.js';
import type { DemoJournal } from './change-recorder.js';
import { CompactionFence } from './compaction-fence.js';
import type { DemoChangeEvent } from './demo-change-log.js';
import type { DemoLogger, DemoTenantCloseReport, DemoTenantFile } from './demo-file.js';
import { demoTenantFiles } from './demo-snapshot.js';
import type { DemoTenantData } from './demo-tenant.js';
import { messageOf } from './file-errors.js';

export interface DurableDemoTenantOptions {
  dataDir: string;
  fs: DurableFs;
  logger: DemoLogger;
  now: () => Date;
  compactAfterRecords: number;
  coalesceMs: number;
  retryDelayMs: { initial: number; max: number } | undefined;
  /** Snapshot writes made before opening (1 when the snapshot was just created). */
  seedWrites: number;
}

export class DurableDemoTenant implements DemoTenantFile {
  readonly data: DemoTenantData;
  readonly journal: DemoJournal;
  readonly #snapshotFile: string;
  readonly #fs: DurableFs;
  readonly #logger: DemoLogger;
  readonly #now: () => Date;
  readonly #compactAfter: number;
  readonly #seedWrites: number;
  readonly #writer: CoalescingWriter;
  readonly #changeLog: ChangeLogWriter;
  readonly #fence = new CompactionFence();
  #compactionAsked = false;
  #closing = false;
  #closed: Promise<DemoTenantCloseReport> | undefined;

  constructor(data: DemoTenantData, options: DurableDemoTenantOptions) {
    this.data = data;
    this.#snapshotFile = demoTenantFiles(options.dataDir).snapshot;
    this.#fs = options.fs;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#compactAfter = options.compactAfterRecords;
    this.#seedWrites = options.seedWrites;
    this.#changeLog = new ChangeLogWriter(options.dataDir, options.fs, options.logger, options.now);
    this.#writer = new CoalescingWriter({
      write: () => this.#compact(),
      delayMs: options.coalesceMs,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      now: this.#now,
      onHealthChange: (health) => {
        if (health.writable)
          this.#logger.info(`The demo tenant file ${this.#snapshotFile} is written again.`);
        else
          this.#logger.warn(
            `The demo tenant file ${this.#snapshotFile} cannot be written (${health.error}); changes stay in ${this.#changeLog.file} and writing is retried.`,
          );
      },
    });
    this.journal = {
      gate: () => this.#fence.gate(),
      record: (event) => this.#record(event),
    };
  }

  get writes(): number {
    return this.#seedWrites + this.#writer.writes;
  }

  get logRecords(): number {
    return this.#changeLog.lineCount;
  }

  health(): { log: WriterHealth; snapshot: WriterHealth } {
    return { log: this.#changeLog.health(), snapshot: this.#writer.health() };
  }

  /** Opens the log (changes are refused as transient while it cannot be); a replayed log is folded into the snapshot at once. */
  async start(replayed: boolean): Promise<void> {
    await this.#changeLog.open();
    if (replayed) {
      this.#writer.markDirty();
      await this.#writer.commit().catch(() => {});
    }
  }

  persist = (): void => {
    this.#writer.markDirty();
  };

  flush = async (): Promise<void> => {
    await this.#writer.commit();
  };

  close = (options: { retryForMs?: number } = {}): Promise<DemoTenantCloseReport> => {
    this.#closed ??= this.#close(options.retryForMs ?? 5_000);
    return this.#closed;
  };

  async #close(retryForMs: number): Promise<DemoTenantCloseReport> {
    this.#closing = true;
    const problems: string[] = [];
    if (this.logRecords > 0 || !this.#changeLog.isOpen) this.#writer.markDirty();
    try {
      await this.#writer.close(retryForMs);
    } catch (error) {
      problems.push(
        `The demo tenant file ${this.#snapshotFile} could not be written (${messageOf(error)}); the ${this.logRecords} change(s) in ${this.#changeLog.file} are replayed at the next start.`,
      );
    }
    await this.#changeLog.close().catch((error: unknown) => {
      problems.push(
        `The demo tenant's change log ${this.#changeLog.file} did not close cleanly (${messageOf(error)}).`,
      );
    });
    for (const problem of problems) this.#logger.warn(problem);
    return { problems };
  }

  #record(event: DemoChangeEvent): Promise<void> {
    if (this.#closing) {
      return Promise.reject(new Error(`The demo tenant's change log ${this.#changeLog.file} is closed.`));
    }
    const record = { at: this.#now().toISOString(), ...event };
    return this.#fence.recording(async () => {
      const lineCount = await this.#changeLog.append(record);
      if (!this.#compactionAsked && lineCount >= this.#compactAfter) {
        this.#compactionAsked = true;
        this.#writer.markDirty();
      }
    });
  }

  /**
   * Writes the snapshot and starts a new log. The order is what makes a crash at any point safe:
   * 1. hold new changes and wait until every change in memory is in the log, so the copy holds
   *    only changes that were journaled (an undone change never reaches the snapshot);
   * 2. write the snapshot durably (temporary file, fsync, rename, directory fsync);
   * 3. move the log to archive/ (rename, directory fsyncs) and open a new, empty log.
   * A crash after 2 replays records the snapshot already holds, which changes nothing since each
   * record states the user's holdings; a crash after the move finds no log and starts one.
   */
  #compact(): Promise<void> {
    return this.#fence.whileHeld(async () => {
      const text = JSON.stringify(this.data);
      await writeFileDurably(this.#snapshotFile, text, { fs: this.#fs });
      if (!this.#changeLog.isOpen || this.#changeLog.lineCount > 0) await this.#changeLog.archive();
      this.#compactionAsked = false;
    });
  }
}
