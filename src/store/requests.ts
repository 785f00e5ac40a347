/**
 * Change requests in the store: headers in the main file, changed durably; items and results in
 * each request's own files (request-files.ts). Results recorded as they land are appended to the
 * request's results log, which the logs writer syncs. Bodies of unfinished requests stay in
 * memory; finished ones are read from their files when asked for (request-bodies.ts).
 */
import { z } from 'zod';
import { ChangeRequest, ItemResult, RequestHeader } from '../licensing/model.js';
import { resultKey } from '../licensing/result-key.js';
import { BufferedLogs } from './buffered-logs.js';
import { describeError } from './describe-error.js';
import { DurableRecords } from './durable-records.js';
import { RequestBodies } from './request-bodies.js';
import { type LoadedBody, RequestFiles, resultsByKey } from './request-files.js';
import { matchingHeaders } from './request-filter.js';
import { isFinished } from './retention.js';
import type { RequestFilter, RequestTransition } from './store.js';
import type { StoreLogger } from './store-health.js';
import type { StoreWriters } from './store-writers.js';
import { checkedValue, refuse } from './value-check.js';

const ItemResults = z.array(ItemResult);
/** Files in requests/ that no request owns are removed at open once they are this old. */
const STRAY_AGE_MS = 10 * 60_000;

export class Requests {
  readonly #headers: DurableRecords<RequestHeader>;
  readonly #bodies: RequestBodies;
  /** The results logs, by request id. */
  readonly #results: BufferedLogs;
  readonly #files: RequestFiles;
  readonly #writers: StoreWriters;
  readonly #logger: StoreLogger;

  constructor(options: {
    files: RequestFiles;
    writers: StoreWriters;
    logger: StoreLogger;
    cacheSize: number;
  }) {
    this.#files = options.files;
    this.#writers = options.writers;
    this.#logger = options.logger;
    this.#headers = new DurableRecords(options.writers);
    this.#bodies = new RequestBodies(options.files, options.cacheSize);
    this.#results = new BufferedLogs((id) => options.files.openResultsLog(id));
  }

  /** The headers as they are in memory (not copies), for the main file and retention. */
  headers(): IterableIterator<RequestHeader> {
    return this.#headers.values();
  }

  /** Takes the headers read at open; their bodies are read by readUnfinishedBodies(). */
  load(headers: readonly RequestHeader[]): void {
    this.#headers.load(headers, (header) => header.id);
    this.#bodies.clear();
  }

  /** At open: reads the items and results of every request still under way. */
  async readUnfinishedBodies(): Promise<void> {
    for (const header of this.#headers.values()) {
      if (!isFinished(header.status)) this.#bodies.keep(header.id, await this.#files.read(header.id), false);
    }
  }

  /** At open: removes files no request owns, saying so in the log; a failure is only logged. */
  async removeStrayFiles(): Promise<void> {
    const { dir } = this.#files;
    try {
      const removed = await this.#files.removeStray((id) => this.#headers.has(id), STRAY_AGE_MS);
      if (removed > 0)
        this.#logger.info(`[store] removed ${removed} file(s) in ${dir} that no request owns.`);
    } catch (error) {
      this.#logger.warn(`[store] could not remove stray files in ${dir}: ${describeError(error)}`);
    }
  }

  /** Writes the request's files, then commits its header; its files stay if that fails (see removeStrayFiles). */
  async save(request: ChangeRequest): Promise<void> {
    const saved = checkedValue(ChangeRequest, request, 'saveRequest', this.#logger);
    const { id } = saved;
    if (!RequestFiles.fits(id)) {
      throw refuse('saveRequest', 'id: too long, or not text, to name its files', this.#logger);
    }
    this.#writers.requireWritable('saveRequest');
    await this.#headers.inTurn(id, async () => {
      if (this.#headers.has(id)) {
        throw refuse('saveRequest', `id: request ${id} exists already`, this.#logger);
      }
      this.#writers.requireWritable('saveRequest');
      try {
        await this.#files.write(saved);
      } catch (error) {
        // Awaited, so that health() tells the truth when the caller hears of the refusal.
        await this.#writers.writeMainNow();
        throw this.#writers.unavailable('saveRequest', error);
      }
      const { items, results, ...header } = saved;
      this.#bodies.keep(
        id,
        { items, results: resultsByKey(Object.values(results)) },
        isFinished(header.status),
      );
      await this.#headers.put('saveRequest', id, header, () => this.#bodies.forget(id));
    });
  }

  has(id: string): boolean {
    return this.#headers.has(id);
  }

  async get(id: string): Promise<ChangeRequest | null> {
    const header = this.#headers.get(id);
    return header ? this.#whole(header) : null;
  }

  async findByDraft(draftId: string): Promise<ChangeRequest | null> {
    for (const header of this.#headers.values()) {
      if (header.draftId === draftId) return this.#whole(header);
    }
    return null;
  }

  async list(filter: RequestFilter): Promise<ChangeRequest[]> {
    const found: ChangeRequest[] = [];
    for (const header of matchingHeaders(this.#headers.values(), filter))
      found.push(await this.#whole(header));
    return found;
  }

  listHeaders(filter: RequestFilter): RequestHeader[] {
    return matchingHeaders(this.#headers.values(), filter).map((header) => structuredClone(header));
  }

  transition(...[id, from, to, patch = {}]: RequestTransition): Promise<ChangeRequest | null> {
    return this.#headers.compareAndSet({
      method: 'transitionRequest',
      id,
      from,
      change: (current) =>
        checkedValue(
          RequestHeader,
          { ...current, ...patch, id, status: to },
          'transitionRequest',
          this.#logger,
        ),
      done: (updated) => {
        if (isFinished(to)) this.#retireWhenSynced(id);
        return this.#whole(updated);
      },
    });
  }

  /** Coalesced: the results are in memory now, and in the request's results log at the next logs write. */
  async record(requestId: string, results: readonly ItemResult[]): Promise<void> {
    const header = this.#headers.get(requestId);
    if (!header) {
      throw refuse('recordResults', `requestId: request ${requestId} is not in the store`, this.#logger);
    }
    const valid = checkedValue(ItemResults, results, 'recordResults', this.#logger);
    const body = await this.#bodies.of(header, (id) => this.#headers.get(id)?.status);
    if (!this.#headers.has(requestId)) {
      throw refuse('recordResults', `requestId: request ${requestId} was archived`, this.#logger);
    }
    // An open log keeps the body in memory: what is not on disk yet must not be read from it.
    this.#bodies.keep(requestId, body, false);
    for (const result of valid) body.results.set(resultKey(result.userId, result.skuId, result.op), result);
    this.#results.append(requestId, valid);
    this.#writers.logsChanged();
  }

  /** The logs writer's share: every buffered result to disk. */
  syncResults(): Promise<void> {
    return this.#results.syncAll();
  }

  /** After a logs write: finished requests whose results are all on disk close their logs and leave memory. */
  retireSettled(): void {
    const done = (id: string) => {
      const header = this.#headers.get(id);
      return header === undefined || isFinished(header.status);
    };
    for (const id of this.#results.closeSettled(done)) this.#bodies.retire(id);
  }

  /** False while the request's results log still has results to write: retention waits for it. */
  canArchive(id: string): boolean {
    return !this.#results.isOpen(id);
  }

  /** The whole request for its archive line, read from its files when it is not in memory (and not cached). */
  async forArchive(header: RequestHeader): Promise<ChangeRequest> {
    const { items, results } = this.#bodies.peek(header.id) ?? (await this.#files.read(header.id));
    return { ...header, items, results: Object.fromEntries(results) };
  }

  /**
   * Forgets the archived requests that are still exactly as archived and have no open log, in
   * memory only; returns their ids (the caller removes their files once the main file is written).
   */
  forgetArchived(archived: readonly RequestHeader[]): string[] {
    const gone: string[] = [];
    for (const header of archived) {
      if (this.#headers.get(header.id) !== header || this.#results.isOpen(header.id)) continue;
      this.#headers.delete(header.id);
      this.#bodies.forget(header.id);
      gone.push(header.id);
    }
    return gone;
  }

  removeFiles(ids: readonly string[]): Promise<void> {
    return this.#files.remove(ids);
  }

  closeLogs(): Promise<void> {
    return this.#results.closeAll();
  }

  async #whole(header: RequestHeader): Promise<ChangeRequest> {
    const body: LoadedBody = await this.#bodies.of(header, (id) => this.#headers.get(id)?.status);
    return structuredClone({ ...header, items: body.items, results: Object.fromEntries(body.results) });
  }

  /** A finished request's body leaves memory once its results log has nothing left to write. */
  #retireWhenSynced(id: string): void {
    if (this.#results.isOpen(id)) this.#writers.logsChanged();
    else this.#bodies.retire(id);
  }
}
