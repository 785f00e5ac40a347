/**
 * `DATA_DIR/archive/<kind>-YYYY-MM.jsonl`: where retention moves what the store no longer keeps.
 * Lines are synced before the store forgets them, so a crash in between leaves a line twice
 * (once here, once still in the store), never nowhere.
 *
 * Not an AppendLog: that reads the whole file when opened, and a month of archived 1,000-user
 * requests is large. This only looks at the end of the file to cut off a torn line.
 */
import { type DurableFs, nodeFs } from '../persistence/durable-file.js';
import { DataFolder } from './data-folder.js';

export type ArchiveKind = 'requests' | 'drafts' | 'audit';

/** How far back from the end to look for the last newline at a time. */
const TAIL_CHUNK = 64 * 1024;

export class Archive {
  readonly #folder: DataFolder;

  constructor(dataDir: string, fs: DurableFs = nodeFs) {
    this.#folder = new DataFolder(dataDir, 'archive', fs);
  }

  fileOf(kind: ArchiveKind, month: string): string {
    return this.#folder.pathOf(`${kind}-${month}.jsonl`);
  }

  /** Appends `lines` (each ending with a newline) to the kind's file for `month` and syncs them. */
  async append(kind: ArchiveKind, month: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.#folder.create();
    const file = this.fileOf(kind, month);
    const handle = await this.#folder.fs.open(file, 'a+', 0o644);
    try {
      const whole = await wholeLinesLength(handle);
      const { size } = await handle.stat();
      if (whole !== size) await handle.truncate(whole);
      try {
        await handle.appendFile(lines.join(''));
        await handle.sync();
      } catch (error) {
        // Cut back to the last whole line, so the next attempt starts clean.
        await handle.truncate(whole).catch(() => {});
        throw error;
      }
    } finally {
      await handle.close().catch(() => {});
    }
    await this.#folder.sync();
  }
}

/** `YYYY-MM` of an ISO time, or of `fallback` when `iso` is not a time. */
export function monthOf(iso: string | undefined, fallback: Date): string {
  const time = iso === undefined ? Number.NaN : Date.parse(iso);
  return (Number.isNaN(time) ? fallback : new Date(time)).toISOString().slice(0, 7);
}

type Handle = Awaited<ReturnType<DurableFs['open']>>;

/** Bytes up to and including the file's last newline (0 when it has none). */
async function wholeLinesLength(handle: Handle): Promise<number> {
  const { size } = await handle.stat();
  let end = size;
  const buffer = Buffer.alloc(TAIL_CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}
