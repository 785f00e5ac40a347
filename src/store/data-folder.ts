/**
 * A folder under DATA_DIR that the store writes into (`requests/`, `archive/`), through the file
 * operations that tests replace with a full or read-only disk.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type DurableFs, nodeFs, syncDirectory } from '../persistence/durable-file.js';

export class DataFolder {
  readonly dir: string;
  readonly fs: DurableFs;

  constructor(dataDir: string, name: string, fs: DurableFs = nodeFs) {
    this.dir = path.join(dataDir, name);
    this.fs = fs;
  }

  pathOf(name: string): string {
    return path.join(this.dir, name);
  }

  /** mkdir -p of the folder. */
  async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Makes the folder's new, renamed and removed files durable. */
  sync(): Promise<void> {
    return syncDirectory(this.dir, this.fs);
  }

  /** Removes a file; one already gone is fine. */
  async unlinkIfExists(file: string): Promise<void> {
    try {
      await this.fs.unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
