/**
 * The files of one request under `requests/`: `<id>.json` (its items, written once, durably,
 * before the main file names the request), `<id>.results.jsonl` (its results, one line each,
 * appended as they land) and `<id>.prior.jsonl` (its users' licenses before the run changed them,
 * prior-states.ts). Kept out of the main file so that a write of a draft costs the same
 * whatever the requests hold.
 */

import { readdir, stat } from 'node:fs/promises';
import { type ChangeRequest, ItemResult } from '../licensing/model.js';
import { resultKey } from '../licensing/result-key.js';
import { AppendLog, readJsonLines } from '../persistence/append-log.js';
import { type DurableFs, nodeFs, readTextIfExists, writeFileDurably } from '../persistence/durable-file.js';
import { DataFolder } from './data-folder.js';
import { describeError } from './describe-error.js';
import { StoreError } from './store.js';
import { RequestBody } from './store-schema.js';

/** A request's items and its results by part (`resultKey`). */
export interface LoadedBody {
  items: RequestBody['items'];
  results: Map<string, ItemResult>;
}

const BODY_SUFFIX = '.json';
const RESULTS_SUFFIX = '.results.jsonl';
const PRIOR_SUFFIX = '.prior.jsonl';
/** Every suffix of a request's files; the longest first, so a name is matched to its own. */
const SUFFIXES = [RESULTS_SUFFIX, PRIOR_SUFFIX, BODY_SUFFIX];
/** File names stay well below the usual 255-byte limit. */
const MAX_NAME_BYTES = 200;

export class RequestFiles {
  readonly #folder: DataFolder;

  constructor(dataDir: string, fs: DurableFs = nodeFs) {
    this.#folder = new DataFolder(dataDir, 'requests', fs);
  }

  get dir(): string {
    return this.#folder.dir;
  }

  /** Whether `id` can name the request's files. */
  static fits(id: string): boolean {
    try {
      return Buffer.byteLength(fileStem(id)) + RESULTS_SUFFIX.length <= MAX_NAME_BYTES;
    } catch {
      // encodeURIComponent refuses lone surrogates.
      return false;
    }
  }

  bodyPath(id: string): string {
    return this.#folder.pathOf(fileStem(id) + BODY_SUFFIX);
  }

  resultsPath(id: string): string {
    return this.#folder.pathOf(fileStem(id) + RESULTS_SUFFIX);
  }

  priorPath(id: string): string {
    return this.#folder.pathOf(fileStem(id) + PRIOR_SUFFIX);
  }

  /** Writes a new request's items, and its results when it has any, durably. */
  async write(request: ChangeRequest): Promise<void> {
    await this.#folder.create();
    const { fs } = this.#folder;
    const results = Object.values(request.results);
    if (results.length > 0) {
      await writeFileDurably(this.resultsPath(request.id), results.map(jsonLine).join(''), { fs });
    } else {
      // A leftover of an earlier attempt that was refused must not lend results to this one.
      await this.#folder.unlinkIfExists(this.resultsPath(request.id));
    }
    // Nor a prior state: a new request has run nothing.
    await this.#folder.unlinkIfExists(this.priorPath(request.id));
    const body: RequestBody = { id: request.id, items: request.items };
    await writeFileDurably(this.bodyPath(request.id), JSON.stringify(body), { fs });
  }

  /** Reads a request's items and results; StoreError when its items file is missing or does not parse. */
  async read(id: string): Promise<LoadedBody> {
    const file = this.bodyPath(id);
    let body: RequestBody;
    try {
      const text = await readTextIfExists(file);
      if (text === null) throw new Error('the file is missing');
      body = RequestBody.parse(JSON.parse(text));
    } catch (error) {
      throw new StoreError(`Cannot read the items of request ${id} from ${file}: ${describeError(error)}`, {
        code: 'store_corrupt',
        cause: error,
      });
    }
    const resultsFile = this.resultsPath(id);
    try {
      const results = (await readJsonLines(resultsFile)).map((line) => ItemResult.parse(line));
      return { items: body.items, results: resultsByKey(results) };
    } catch (error) {
      throw new StoreError(
        `Cannot read the results of request ${id} from ${resultsFile}: ${describeError(error)}`,
        { code: 'store_corrupt', cause: error },
      );
    }
  }

  openResultsLog(id: string): Promise<AppendLog> {
    return AppendLog.open(this.resultsPath(id), { fs: this.#folder.fs });
  }

  /** Opens the request's prior-state log for appending (creating the folder and the file). */
  async openPriorLog(id: string): Promise<AppendLog> {
    await this.#folder.create();
    return AppendLog.open(this.priorPath(id), { fs: this.#folder.fs });
  }

  /** Deletes a request's files (gone already is fine) and makes the deletion durable. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) {
      await this.#folder.unlinkIfExists(this.bodyPath(id));
      await this.#folder.unlinkIfExists(this.resultsPath(id));
      await this.#folder.unlinkIfExists(this.priorPath(id));
    }
    await this.#folder.sync();
  }

  /**
   * Deletes files no request in `known` owns: items written for a request whose main-file commit
   * failed (it was refused, nobody was told it exists), files of archived requests whose deletion
   * a crash interrupted, and temporary files of interrupted writes. Only files older than
   * `olderThanMs`: another store reading this directory (a test, a tool) must not delete the
   * files of a request the running bot is saving right now. Returns how many went.
   */
  async removeStray(known: (id: string) => boolean, olderThanMs: number): Promise<number> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const stray: string[] = [];
    const limit = Date.now() - olderThanMs;
    for (const name of names) {
      const id = idOfFileName(name);
      if (!name.endsWith('.tmp') && (id === null || known(id))) continue;
      const modified = await stat(this.#folder.pathOf(name)).then(
        (stats) => stats.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      if (modified < limit) stray.push(name);
    }
    for (const name of stray) await this.#folder.unlinkIfExists(this.#folder.pathOf(name));
    if (stray.length > 0) await this.#folder.sync();
    return stray.length;
  }
}

/** Results by part (`resultKey`); of two for one part, the later wins. */
export function resultsByKey(results: readonly ItemResult[]): Map<string, ItemResult> {
  return new Map(results.map((result) => [resultKey(result.userId, result.skuId, result.op), result]));
}

export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * The id as a file name: letters, digits, `_` and `-` stay, everything else (`.`, `/`, `%`…) is
 * percent-encoded, so no id can leave the directory or collide with another's files.
 */
function fileStem(id: string): string {
  return encodeURIComponent(id).replace(
    /[.!~*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function idOfFileName(name: string): string | null {
  const suffix = SUFFIXES.find((end) => name.endsWith(end));
  if (suffix === undefined) return null;
  const stem = name.slice(0, -suffix.length);
  try {
    return decodeURIComponent(stem);
  } catch {
    return null;
  }
}
