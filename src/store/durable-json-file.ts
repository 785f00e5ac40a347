/**
 * A lowdb adapter for one JSON file that is replaced atomically and synced on every write
 * (lowdb's JSONFile renames without fsync, and JSONFilePreset keeps data in memory under
 * NODE_ENV=test). Compact JSON: the file is for the store, not for people, and every byte is
 * rewritten on each write.
 */
import type { Adapter } from 'lowdb';
import { type DurableFs, readTextIfExists, writeFileDurably } from '../persistence/durable-file.js';

export interface DurableJsonFileOptions<T> {
  /** Turns the parsed JSON into a value, throwing when it does not fit (e.g. a zod schema's parse). */
  parse: (raw: unknown) => T;
  fs?: DurableFs;
}

export class DurableJsonFile<T> implements Adapter<T> {
  readonly file: string;
  readonly #parse: (raw: unknown) => T;
  readonly #fs: DurableFs | undefined;

  constructor(file: string, options: DurableJsonFileOptions<T>) {
    this.file = file;
    this.#parse = options.parse;
    this.#fs = options.fs;
  }

  /** The file's value, or null when there is no file; throws when it is not JSON or does not parse. */
  async read(): Promise<T | null> {
    const text = await readTextIfExists(this.file);
    return text === null ? null : this.#parse(JSON.parse(text));
  }

  /** Serialises `data` before returning, so a change made while the write runs is not in it. */
  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    return writeFileDurably(this.file, text, this.#fs === undefined ? {} : { fs: this.#fs });
  }
}
