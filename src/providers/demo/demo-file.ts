/**
 * Keeps the demo tenant in `<dataDir>`: a snapshot `demo-tenant.json` and a write-ahead change
 * log `demo-tenant.log.jsonl` beside it. Every change the provider makes is appended to the log
 * and synced before the provider reports it (concurrent changes share one fsync); at start-up
 * the log is replayed onto the snapshot. Compaction folds the log into the snapshot and moves it
 * to `archive/`, so the archive keeps every change the tenant ever took.
 */

import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defaultLogger } from '../../logger.js';
import { AppendLog } from '../../persistence/append-log.js';
import { CoalescingWriter, type WriterHealth } from '../../persistence/coalescing-writer.js';
import {
  type DurableFs,
  nodeFs,
  readTextIfExists,
  syncDirectory,
  writeFileDurably,
} from '../../persistence/durable-file.js';
import {
  archivedLogName,
  DEMO_ARCHIVE_DIR,
  DEMO_CHANGE_LOG_FILE,
  type DemoChangeEvent,
  type DemoChangeRecord,
  readChangeRecords,
  replayChanges,
} from './demo-change-log.js';
import type { DemoJournal } from './demo-provider.js';
import { DemoTenantData } from './demo-tenant.js';
import { generateDemoTenant } from './generator.js';

export { DEMO_ARCHIVE_DIR, DEMO_CHANGE_LOG_FILE } from './demo-change-log.js';
export const DEMO_TENANT_FILE = 'demo-tenant.json';

export interface DemoLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OpenDemoTenantOptions {
  /** Seed of the generator, used only when the file does not exist yet. */
  seed?: number;
  /** What a new file starts with (default: generateDemoTenant with `seed`); tests pass a small tenant. */
  initial?: () => DemoTenantData;
  /** Log records after which the log is folded into the snapshot (default 10,000). */
  compactAfterRecords?: number;
  /** persist() calls within this window become one snapshot write (default 250 ms). */
  coalesceMs?: number;
  /** Pauses between attempts while the snapshot cannot be written (default 250 ms growing to 5 s). */
  retryDelayMs?: { initial: number; max: number };
  /** File operations of every write (tests inject a full or read-only disk). */
  fs?: DurableFs;
  /** One line when the log or the snapshot turns unwritable, one when it recovers (default console). */
  logger?: DemoLogger;
  now?: () => Date;
}

export interface DemoTenantCloseReport {
  /** One line per thing not tidied up (already logged); empty when the snapshot holds everything. */
  problems: string[];
}

export interface DemoTenantFile {
  /** The tenant; give it to DemoProvider with `journal`, which mutates it in place. */
  data: DemoTenantData;
  /** Makes each change durable in the change log before the provider reports it. */
  journal: DemoJournal;
  /** Schedules a snapshot write (coalesced) that also folds the log in; for a provider without a journal. */
  persist: () => void;
  /** Writes the snapshot now, folding the log in, and waits for it; rejects while the disk refuses. */
  flush: () => Promise<void>;
  /**
   * Folds the log into the snapshot, retrying a failed write for `retryForMs` (default 5 s), then
   * closes the log; later changes are refused. Never rejects: what stays in the log is replayed
   * at the next start and is reported here.
   */
  close: (options?: { retryForMs?: number }) => Promise<DemoTenantCloseReport>;
  /** Snapshot writes attempted so far (for tests and benchmarks). */
  readonly writes: number;
  /** Records in the current change log. */
  readonly logRecords: number;
  /** Whether the change log and the snapshot can be written now. */
  health(): { log: WriterHealth; snapshot: WriterHealth };
}

/**
 * Opens (or creates) the demo tenant: reads the snapshot, replays the change log onto it and, when
 * the log held anything, compacts. A snapshot or log that is not valid JSON or does not match its
 * schema stops start-up with an Error naming the file, and is never overwritten.
 */
export async function openDemoTenant(
  dataDir: string,
  options: OpenDemoTenantOptions = {},
): Promise<DemoTenantFile> {
  await mkdir(dataDir, { recursive: true });
  const fs = options.fs ?? nodeFs;
  const snapshotFile = path.join(dataDir, DEMO_TENANT_FILE);
  const logFile = path.join(dataDir, DEMO_CHANGE_LOG_FILE);
  const text = await readTextIfExists(snapshotFile);
  const records = await readChangeRecords(logFile);

  let data: DemoTenantData;
  let seeded = false;
  if (text === null) {
    if (records.length > 0) {
      throw new Error(
        `The demo tenant's change log ${logFile} holds ${records.length} change(s) but the tenant file ${snapshotFile} is missing. Restore the tenant file, or move the log away to start from a fresh demo tenant.`,
      );
    }
    data =
      options.initial?.() ?? generateDemoTenant(options.seed === undefined ? {} : { seed: options.seed });
    await writeFileDurably(snapshotFile, JSON.stringify(data), { fs }).catch((error: unknown) => {
      throw new Error(`Cannot create the demo tenant file ${snapshotFile}: ${message(error)}`, {
        cause: error,
      });
    });
    seeded = true;
  } else {
    data = replayed(snapshotFile, text, logFile, records);
  }

  const tenant = new DurableDemoTenant(data, dataDir, fs, options, seeded ? 1 : 0);
  await tenant.start(records.length > 0);
  return tenant;
}

/**
 * The tenant as the next start would see it (snapshot and log replayed), read without writing
 * anything: for tests that inspect what a stopped or killed bot left behind.
 */
export async function readDemoTenant(dataDir: string): Promise<DemoTenantData> {
  const snapshotFile = path.join(dataDir, DEMO_TENANT_FILE);
  const logFile = path.join(dataDir, DEMO_CHANGE_LOG_FILE);
  const text = await readTextIfExists(snapshotFile);
  if (text === null) throw new Error(`There is no demo tenant file ${snapshotFile}.`);
  return replayed(snapshotFile, text, logFile, await readChangeRecords(logFile));
}

function replayed(
  snapshotFile: string,
  text: string,
  logFile: string,
  records: readonly DemoChangeRecord[],
): DemoTenantData {
  const data = parseSnapshot(snapshotFile, text);
  try {
    replayChanges(data, records);
  } catch (error) {
    throw new Error(
      `The demo tenant's change log ${logFile} does not fit the tenant file ${snapshotFile}: ${message(error)}. Move the log away to start from the tenant file alone.`,
      { cause: error },
    );
  }
  return data;
}

function parseSnapshot(file: string, text: string): DemoTenantData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The demo tenant file ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix it, or move it away to start from a fresh demo tenant.`,
      { cause: error },
    );
  }
  const parsed = DemoTenantData.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new Error(
      `The demo tenant file ${file} does not match the demo tenant schema${where}. Fix it, or move it away to start from a fresh demo tenant.`,
    );
  }
  return parsed.data;
}

class DurableDemoTenant implements DemoTenantFile {
  readonly data: DemoTenantData;
  readonly journal: DemoJournal;
  readonly #dataDir: string;
  readonly #snapshotFile: string;
  readonly #logFile: string;
  readonly #fs: DurableFs;
  readonly #logger: DemoLogger;
  readonly #now: () => Date;
  readonly #compactAfter: number;
  readonly #writer: CoalescingWriter;
  readonly #seedWrites: number;
  /** Null between moving a full log away and opening its successor, and after close. */
  #log: AppendLog | null = null;
  #logHealth: WriterHealth;
  /** Changes in memory whose record is not on disk yet. */
  #recording = 0;
  #onRecorded: Array<() => void> = [];
  /** Set while compaction copies the tenant: changes wait for it before they are made. */
  #hold: Promise<void> | undefined;
  #reopening: Promise<AppendLog> | undefined;
  #compactionAsked = false;
  #closing = false;
  #closed: Promise<DemoTenantCloseReport> | undefined;

  constructor(
    data: DemoTenantData,
    dataDir: string,
    fs: DurableFs,
    options: OpenDemoTenantOptions,
    seedWrites: number,
  ) {
    this.data = data;
    this.#dataDir = dataDir;
    this.#snapshotFile = path.join(dataDir, DEMO_TENANT_FILE);
    this.#logFile = path.join(dataDir, DEMO_CHANGE_LOG_FILE);
    this.#fs = fs;
    this.#logger = options.logger ?? defaultLogger();
    this.#now = options.now ?? (() => new Date());
    this.#compactAfter = options.compactAfterRecords ?? 10_000;
    this.#seedWrites = seedWrites;
    this.#logHealth = { writable: true, since: this.#now().toISOString() };
    this.#writer = new CoalescingWriter({
      write: () => this.#compact(),
      delayMs: options.coalesceMs ?? 250,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      now: this.#now,
      onHealthChange: (health) => {
        if (health.writable)
          this.#logger.info(`The demo tenant file ${this.#snapshotFile} is written again.`);
        else
          this.#logger.warn(
            `The demo tenant file ${this.#snapshotFile} cannot be written (${health.error}); changes stay in ${this.#logFile} and writing is retried.`,
          );
      },
    });
    this.journal = {
      gate: () => this.#hold,
      record: (event) => this.#record(event),
    };
  }

  get writes(): number {
    return this.#seedWrites + this.#writer.writes;
  }

  get logRecords(): number {
    return this.#log?.lineCount ?? 0;
  }

  health(): { log: WriterHealth; snapshot: WriterHealth } {
    return { log: { ...this.#logHealth }, snapshot: this.#writer.health() };
  }

  /** Opens the log; a replayed log is folded into the snapshot at once. */
  async start(replayed: boolean): Promise<void> {
    // A disk that refuses writes now (read-only, full) does not keep the bot from starting:
    // changes are refused as transient until the log opens, and the snapshot write is retried.
    await this.#reopenLog().catch((error: unknown) => {
      this.#setLogHealth({ writable: false, since: this.#now().toISOString(), error: message(error) });
    });
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
    if (this.logRecords > 0 || this.#log === null) this.#writer.markDirty();
    try {
      await this.#writer.close(retryForMs);
    } catch (error) {
      problems.push(
        `The demo tenant file ${this.#snapshotFile} could not be written (${message(error)}); the ${this.logRecords} change(s) in ${this.#logFile} are replayed at the next start.`,
      );
    }
    const log = this.#log;
    this.#log = null;
    await log?.close().catch((error: unknown) => {
      problems.push(
        `The demo tenant's change log ${this.#logFile} did not close cleanly (${message(error)}).`,
      );
    });
    for (const problem of problems) this.#logger.warn(problem);
    return { problems };
  }

  #record(event: DemoChangeEvent): Promise<void> {
    if (this.#closing) {
      return Promise.reject(new Error(`The demo tenant's change log ${this.#logFile} is closed.`));
    }
    this.#recording += 1;
    const record = { at: this.#now().toISOString(), ...event };
    return this.#append(record).finally(() => {
      this.#recording -= 1;
      if (this.#recording === 0) for (const wake of this.#onRecorded.splice(0)) wake();
    });
  }

  async #append(record: object): Promise<void> {
    let log: AppendLog;
    try {
      log = this.#log ?? (await this.#reopenLog());
      await log.appendDurably(record);
    } catch (error) {
      this.#setLogHealth({ writable: false, since: this.#now().toISOString(), error: message(error) });
      throw error;
    }
    this.#setLogHealth({ writable: true, since: this.#now().toISOString() });
    if (!this.#compactionAsked && log.lineCount >= this.#compactAfter) {
      this.#compactionAsked = true;
      this.#writer.markDirty();
    }
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
  async #compact(): Promise<void> {
    let release = () => {};
    this.#hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await this.#whenRecorded();
      const text = JSON.stringify(this.data);
      await writeFileDurably(this.#snapshotFile, text, { fs: this.#fs });
      if (this.#log === null || this.#log.lineCount > 0) await this.#archiveLog();
      this.#compactionAsked = false;
    } finally {
      this.#hold = undefined;
      release();
    }
  }

  /** After a compaction could not open the next log: one open shared by every waiting change. */
  #reopenLog(): Promise<AppendLog> {
    this.#reopening ??= AppendLog.open(this.#logFile, { fs: this.#fs }).then(
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

  #whenRecorded(): Promise<void> {
    if (this.#recording === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onRecorded.push(resolve));
  }

  async #archiveLog(): Promise<void> {
    const archive = path.join(this.#dataDir, DEMO_ARCHIVE_DIR);
    await mkdir(archive, { recursive: true });
    await this.#reopening?.catch(() => {});
    const log = this.#log;
    this.#log = null;
    await log?.close();
    const exists = await access(this.#logFile).then(
      () => true,
      () => false,
    );
    if (exists) {
      const target = await this.#freeArchiveName(archive);
      try {
        await this.#fs.rename(this.#logFile, target);
      } finally {
        // A new log after the move, or the same one again when the move failed.
        await this.#reopenLog();
      }
      await syncDirectory(archive, this.#fs);
      await syncDirectory(this.#dataDir, this.#fs);
    } else {
      await this.#reopenLog();
    }
  }

  async #freeArchiveName(archive: string): Promise<string> {
    const time = this.#now();
    for (let attempt = 0; ; attempt++) {
      const candidate = path.join(archive, archivedLogName(time, attempt));
      const taken = await access(candidate).then(
        () => true,
        () => false,
      );
      if (!taken) return candidate;
    }
  }

  #setLogHealth(next: WriterHealth): void {
    if (next.writable === this.#logHealth.writable) return;
    this.#logHealth = next;
    if (next.writable) this.#logger.info(`The demo tenant's change log ${this.#logFile} is written again.`);
    else
      this.#logger.warn(
        `The demo tenant's change log ${this.#logFile} cannot be written (${next.error}); changes are refused as transient until it can.`,
      );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
