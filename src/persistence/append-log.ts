/**
 * A JSON Lines file that only grows, with group commit: lines are buffered, and one write + fsync
 * carries every line buffered while the previous one ran. Used where whole-file rewrites would
 * cost more with every record (per-request results, the demo tenant's change log, the archive).
 *
 * A crash can leave a torn last line; `readJsonLines` ignores it and `AppendLog.open` cuts it off
 * so the next line starts clean.
 */
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { type DurableFs, nodeFs, readTextIfExists, syncDirectory } from './durable-file.js';

interface Pending {
  line: string;
  /**
   * Set by appendDurably: told how the write carrying this line ended. A failed line is dropped
   * (the caller undoes its change), so each caller must hear about its own line: a later sync()
   * finds nothing left to write and would resolve.
   */
  settle?: { resolve: () => void; reject: (error: unknown) => void };
}

export class AppendLog {
  readonly file: string;
  readonly #fs: DurableFs;
  #handle: FileHandle | null = null;
  #pending: Pending[] = [];
  #chain: Promise<void> = Promise.resolve();
  /** Bytes known to be whole lines on disk; a failed write is cut back to this. */
  #length = 0;
  #lines = 0;
  /** True when cutting back a failed write failed too: the next write cuts back first. */
  #tornTail = false;

  private constructor(file: string, fs: DurableFs) {
    this.file = file;
    this.#fs = fs;
  }

  /** Opens (creating) the log for appending, cutting off a torn last line. */
  static async open(file: string, options: { fs?: DurableFs } = {}): Promise<AppendLog> {
    const log = new AppendLog(file, options.fs ?? nodeFs);
    const existing = await readTextIfExists(file);
    const text = existing ?? '';
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    log.#handle = await log.#fs.open(file, 'a+');
    if (whole.length !== text.length) {
      await log.#handle.truncate(Buffer.byteLength(whole));
      await log.#handle.sync();
    }
    if (existing === null) await syncDirectory(path.dirname(file), log.#fs);
    log.#length = Buffer.byteLength(whole);
    log.#lines = whole === '' ? 0 : whole.split('\n').length - 1;
    return log;
  }

  /** Whole lines on disk or buffered. */
  get lineCount(): number {
    return this.#lines + this.#pending.length;
  }

  /** Buffers a record; it reaches the disk at the next sync(), and is retried until it does. */
  append(value: unknown): void {
    this.#pending.push({ line: `${JSON.stringify(value)}\n` });
  }

  /** Appends a record and resolves once it is on disk; if that write fails, the record is dropped and this rejects. */
  appendDurably(value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, settle: { resolve, reject } });
      // The outcome reaches this caller through `settle`, whichever sync carries the line.
      this.sync().catch(() => {});
    });
  }

  /** Resolves once every record buffered before the call is on disk. */
  sync(): Promise<void> {
    const next = this.#chain.then(() => this.#drain());
    // The chain itself never rejects, so one failed write does not fail every later sync.
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Empties the log (after its content went into a snapshot). */
  async truncate(): Promise<void> {
    await this.sync();
    const handle = this.#open();
    await handle.truncate(0);
    await handle.sync();
    this.#length = 0;
    this.#lines = 0;
  }

  async close(): Promise<void> {
    await this.sync().catch(() => {});
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }

  async #drain(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const text = batch.map((entry) => entry.line).join('');
    try {
      const handle = this.#open();
      if (this.#tornTail) {
        await handle.truncate(this.#length);
        this.#tornTail = false;
      }
      await handle.appendFile(text);
      await handle.sync();
    } catch (error) {
      // Cut back to the last whole line so the retry (or the next record) starts clean.
      await this.#handle?.truncate(this.#length).then(
        () => {
          this.#tornTail = false;
        },
        () => {
          this.#tornTail = true;
        },
      );
      this.#pending = [...batch.filter((entry) => entry.settle === undefined), ...this.#pending];
      for (const entry of batch) entry.settle?.reject(error);
      throw error;
    }
    this.#length += Buffer.byteLength(text);
    this.#lines += batch.length;
    for (const entry of batch) entry.settle?.resolve();
  }

  #open(): FileHandle {
    if (this.#handle === null) throw new Error(`The log ${this.file} is closed.`);
    return this.#handle;
  }
}

/** The records of a JSON Lines file (none when it does not exist); a torn last line is ignored. */
export async function readJsonLines(file: string): Promise<unknown[]> {
  const text = await readTextIfExists(file);
  if (text === null) return [];
  // The last element is '' after a final newline, or a torn line: either way not a record.
  return text
    .split('\n')
    .slice(0, -1)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
