/**
 * Writing a file so that a crash at any moment leaves either the old or the new content, and a
 * write that returned is on disk: the data goes to a temporary file beside the target, is synced,
 * renamed over the target, and the directory is synced so the rename itself survives power loss.
 * lowdb's own JSONFile (steno) renames without syncing, which a kill -9 survives but a power cut
 * does not; the durability rule asks for both.
 */
import { type FileHandle, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The file operations durable writes use; tests inject failures (a full or read-only disk) here. */
export interface DurableFs {
  open(file: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

export const nodeFs: DurableFs = { open, rename, unlink };

let sequence = 0;

/** Replaces `file` with `data` atomically and durably. */
export async function writeFileDurably(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number; fs?: DurableFs } = {},
): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${sequence++}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(temporary, 'w', options.mode ?? 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, file);
  } catch (error) {
    await handle?.close().catch(() => {});
    await fs.unlink(temporary).catch(() => {});
    throw error;
  }
  await syncDirectory(path.dirname(file), fs);
}

/** Makes a rename or a new file in `directory` durable. */
export async function syncDirectory(directory: string, fs: DurableFs = nodeFs): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The file's text, or null when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
