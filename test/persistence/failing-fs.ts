/**
 * A DurableFs over the real one that fails like a full or a read-only disk when told to:
 * - `ENOSPC`: writing data fails (opening, renaming and deleting still work, as on a full disk);
 * - `EROFS`: opening for writing, renaming and deleting fail.
 * It also counts the calls, so tests can check what a write did (syncs, renames).
 */
import type { FileHandle } from 'node:fs/promises';
import { type DurableFs, nodeFs } from '../../src/persistence/durable-file.js';

export type DiskFailure = 'ENOSPC' | 'EROFS';

const messages: Record<DiskFailure, string> = {
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

export function diskError(code: DiskFailure, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${messages[code]}, ${syscall} '${file}'`), {
    code,
    syscall,
    path: file,
    errno: code === 'ENOSPC' ? -28 : -30,
  });
}

export class FailingFs implements DurableFs {
  /** The failure every call meets now; null for a healthy disk. */
  failure: DiskFailure | null = null;
  /** When set, only paths for which it returns true fail. */
  only: ((file: string) => boolean) | null = null;
  readonly calls: { op: string; file: string }[] = [];
  /** Fails a data write after writing this many bytes of it (a torn write), then clears itself. */
  tearNextWriteAfter: number | null = null;

  count(op: string): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  #fails(code: DiskFailure, file: string): boolean {
    return this.failure === code && (this.only === null || this.only(file));
  }

  async open(file: string, flags: string, mode?: number): Promise<FileHandle> {
    this.calls.push({ op: 'open', file });
    if (flags !== 'r' && this.#fails('EROFS', file)) throw diskError('EROFS', 'open', file);
    const handle = await nodeFs.open(file, flags, mode);
    return this.#wrap(handle, file);
  }

  async rename(from: string, to: string): Promise<void> {
    this.calls.push({ op: 'rename', file: to });
    if (this.#fails('EROFS', to)) throw diskError('EROFS', 'rename', to);
    await nodeFs.rename(from, to);
  }

  async unlink(file: string): Promise<void> {
    this.calls.push({ op: 'unlink', file });
    if (this.#fails('EROFS', file)) throw diskError('EROFS', 'unlink', file);
    await nodeFs.unlink(file);
  }

  #wrap(handle: FileHandle, file: string): FileHandle {
    const writeData = (op: 'writeFile' | 'appendFile') => async (data: string | Uint8Array) => {
      this.calls.push({ op, file });
      const failure = this.failure;
      if (failure !== null && this.#fails(failure, file)) throw diskError(failure, 'write', file);
      if (this.tearNextWriteAfter !== null) {
        const part = Buffer.from(data).subarray(0, this.tearNextWriteAfter);
        this.tearNextWriteAfter = null;
        await handle[op](part);
        throw diskError('ENOSPC', 'write', file);
      }
      await handle[op](data);
    };
    const sync = async () => {
      this.calls.push({ op: 'sync', file });
      await handle.sync();
    };
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile') return writeData('writeFile');
        if (property === 'appendFile') return writeData('appendFile');
        if (property === 'sync') return sync;
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
