/**
 * The Store on files in DATA_DIR (layout 2, see store-schema.ts), in named parts:
 *
 * - the main file (main-file.ts) holds drafts (drafts.ts), request headers (requests.ts) and
 *   approvals (approvals.ts); durable methods change memory, commit it through the main writer
 *   (store-writers.ts: group commit) and resolve after the fsync; if the commit fails they undo
 *   exactly their change and reject, so "nothing was changed" is true. Durable changes of one
 *   record run one after another (durable-records.ts).
 * - Coalesced changes reach the disk within `writeDelayMs`, or at `flush()`: drafts through the
 *   main file; results and audit rows (audit-trail.ts) appended to their logs, synced by the
 *   logs writer.
 * - While a writer cannot write, both keep probing; health() says so, durable methods refuse at
 *   once, coalesced changes wait in memory and reach the disk when it recovers.
 * - Items and results of unfinished requests stay in memory; finished ones are read from their
 *   files when asked for, through a small cache.
 */
import type { ChangeRequest, ItemResult, PriorState, RequestHeader } from '../licensing/model.js';
import { defaultLogger } from '../logger.js';
import { nodeFs } from '../persistence/durable-file.js';
import { type ApprovalPatch, Approvals } from './approvals.js';
import { Archive } from './archive.js';
import { type ArchivedCounts, archiveRound, type StoreParts } from './archive-round.js';
import { AuditTrail } from './audit-trail.js';
import { describeError } from './describe-error.js';
import { Drafts } from './drafts.js';
import type { LowdbStoreOptions } from './lowdb-store-options.js';
import { MainFile } from './main-file.js';
import { OneAtATime } from './one-at-a-time.js';
import { PriorStates } from './prior-states.js';
import { RequestFiles } from './request-files.js';
import { Requests } from './requests.js';
import {
  type RequestFilter,
  type RequestTransition,
  type Store,
  StoreError,
  type StoreHealth,
} from './store.js';
import type { Approval, AuditEntry, Draft, NewDraft, StoreFileV2 } from './store-schema.js';
import { StoreWriters } from './store-writers.js';

export type { LowdbStoreOptions } from './lowdb-store-options.js';
export { STORE_FILE_NAME } from './main-file.js';
export type { StoreLogger } from './store-health.js';

type State = 'new' | 'open' | 'refused' | 'closed';

export class LowdbStore implements Store {
  readonly filePath: string;
  readonly #closeRetryMs: number;
  readonly #mainFile: MainFile;
  readonly #writers: StoreWriters;
  /** The drafts, requests, approvals and audit behind the Store's methods, and what retention needs besides. */
  readonly #parts: StoreParts;
  #state: State = 'new';
  #refusal = '';
  #archiving: Promise<ArchivedCounts> | null = null;
  /** exclusive(): one process holds this store, so its turns are in memory. */
  readonly #exclusive = new OneAtATime();

  constructor(options: LowdbStoreOptions) {
    const { dataDir } = options;
    const now = options.now ?? (() => new Date());
    const logger = options.logger ?? defaultLogger();
    const fs = options.fs ?? nodeFs;
    const draftTtlMs = (options.draftTtlMinutes ?? 120) * 60_000;
    this.#closeRetryMs = options.closeRetryMs ?? 5_000;
    this.#writers = new StoreWriters({
      writeMain: () => this.#mainFile.write(this.#snapshot()),
      syncLogs: () => this.#syncLogs(),
      where: dataDir,
      logger,
      now,
      delayMs: options.writeDelayMs ?? 250,
      retryDelayMs: options.retryDelayMs,
    });
    const writers = this.#writers;
    const files = new RequestFiles(dataDir, fs);
    const drafts = new Drafts({
      now,
      logger,
      ttlMs: draftTtlMs,
      firstStepTtlMs: Math.min(draftTtlMs, (options.firstStepDraftTtlMinutes ?? 60) * 60_000),
      changed: () => writers.mainChanged(),
    });
    const cacheSize = options.finishedRequestCacheSize ?? 8;
    const requests = new Requests({ files, writers, logger, cacheSize });
    const audit = new AuditTrail({ dataDir, fs, writers, logger, now });
    this.#mainFile = new MainFile({ dataDir, fs, logger, files, auditFile: audit.file });
    this.filePath = this.#mainFile.path;
    this.#parts = {
      now,
      retentionDays: options.retentionDays ?? 90,
      logger,
      writers,
      drafts,
      requests,
      priorStates: new PriorStates({ files, writers, logger, known: (id) => requests.has(id) }),
      approvals: new Approvals(writers, logger),
      audit,
      archive: new Archive(dataDir, fs),
    };
  }

  /** Writes of the main file attempted since open (for tests and benchmarks). */
  get writeCount(): number {
    return this.#writers.mainWrites;
  }

  /** Syncs of the results and audit logs attempted since open (for tests and benchmarks). */
  get logsWriteCount(): number {
    return this.#writers.logsWrites;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    const file = await this.#mainFile.read((why, cause) => this.#refuseOpen(why, cause));
    this.#load(file.data);
    this.#writers.restart();
    const { audit, requests } = this.#parts;
    try {
      await audit.load(file.audit);
      await requests.readUnfinishedBodies();
    } catch (error) {
      throw this.#refuseOpen(describeError(error), error);
    }
    this.#state = 'open';
    await requests.removeStrayFiles();
    // A new store is created now, so a disk that takes no writes shows in health() from the start;
    // an existing one is probed, and when the disk refuses, the main writer finds out and keeps probing.
    if (file.created || !(await this.#mainFile.takesWrites())) await this.#writers.writeMainNow();
  }

  health(): StoreHealth {
    return this.#writers.health();
  }

  async createDraft(draft: NewDraft): Promise<Draft> {
    return this.#whenOpen().drafts.create(draft);
  }

  async getDraft(id: string): Promise<Draft | null> {
    return this.#whenOpen().drafts.get(id);
  }

  async updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null> {
    return this.#whenOpen().drafts.update(id, change);
  }

  async takeDraft(id: string, ownerId: string): Promise<Draft | null> {
    return this.#whenOpen().drafts.take(id, ownerId);
  }

  async restoreDraft(draft: Draft): Promise<Draft> {
    return this.#whenOpen().drafts.restore(draft);
  }

  async saveRequest(request: ChangeRequest): Promise<void> {
    await this.#whenOpen().requests.save(request);
  }

  async getRequest(id: string): Promise<ChangeRequest | null> {
    return this.#whenOpen().requests.get(id);
  }

  async findRequestByDraft(draftId: string): Promise<ChangeRequest | null> {
    return this.#whenOpen().requests.findByDraft(draftId);
  }

  async listRequests(filter: RequestFilter): Promise<ChangeRequest[]> {
    return this.#whenOpen().requests.list(filter);
  }

  async listRequestHeaders(filter: RequestFilter): Promise<RequestHeader[]> {
    return this.#whenOpen().requests.listHeaders(filter);
  }

  async transitionRequest(...args: RequestTransition): Promise<ChangeRequest | null> {
    return this.#whenOpen().requests.transition(...args);
  }

  async recordResults(requestId: string, results: readonly ItemResult[]): Promise<void> {
    await this.#whenOpen().requests.record(requestId, results);
  }

  async recordPriorState(requestId: string, states: readonly PriorState[]): Promise<void> {
    await this.#whenOpen().priorStates.record(requestId, states);
  }

  async getPriorState(requestId: string): Promise<PriorState[]> {
    return this.#whenOpen().priorStates.read(requestId);
  }

  async saveApproval(approval: Approval): Promise<void> {
    await this.#whenOpen().approvals.save(approval);
  }

  async getApproval(requestId: string): Promise<Approval | null> {
    return this.#whenOpen().approvals.get(requestId);
  }

  async listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]> {
    return this.#whenOpen().approvals.list(filter);
  }

  async decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: ApprovalPatch,
  ): Promise<Approval | null> {
    return this.#whenOpen().approvals.decide(requestId, from, patch);
  }

  async appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    this.#whenOpen().audit.append(entry);
  }

  async listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]> {
    return this.#whenOpen().audit.list(filter);
  }

  archiveOld(): Promise<ArchivedCounts> {
    this.#archiving ??= this.#archiveOld().finally(() => {
      this.#archiving = null;
    });
    return this.#archiving;
  }

  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.#exclusive.run(key, work);
  }

  async flush(): Promise<void> {
    await this.#whenOpen().writers.commitAll('flush');
  }

  async close(): Promise<void> {
    if (this.#state !== 'open') return;
    try {
      await this.#writers.close(this.#closeRetryMs);
    } finally {
      await Promise.all([this.#parts.requests.closeLogs(), this.#parts.audit.closeLog()]);
      this.#state = 'closed';
    }
  }

  #refuseOpen(why: string, cause: unknown): StoreError {
    this.#state = 'refused';
    this.#refusal = `The store file ${this.filePath} was refused (${why}). It was left untouched; repair or move it away and start again.`;
    return new StoreError(this.#refusal, { code: 'store_corrupt', cause });
  }

  /** The parts, once the store is open; StoreError otherwise. */
  #whenOpen(): StoreParts {
    if (this.#state === 'open') return this.#parts;
    if (this.#state === 'refused') {
      throw new StoreError(`${this.#refusal} Nothing is read or written.`, { code: 'store_corrupt' });
    }
    throw new StoreError('The store is not open: call open() first.', { code: 'store_closed' });
  }

  #load(file: StoreFileV2): void {
    const { drafts, requests, approvals } = this.#parts;
    drafts.load(file.drafts);
    requests.load(file.requests);
    approvals.load(file.approvals);
  }

  /** The main file's content: taken whole before the write's first await, as the writer asks. */
  #snapshot(): StoreFileV2 {
    const { drafts, requests, approvals } = this.#parts;
    return {
      version: 2,
      drafts: [...drafts.values()],
      requests: [...requests.headers()],
      approvals: [...approvals.values()],
    };
  }

  /**
   * The logs writer's write: the audit file rewritten when retention asked for it, every buffered
   * record to disk, then the results logs of finished requests closed.
   */
  async #syncLogs(): Promise<void> {
    const { audit, requests } = this.#parts;
    await audit.rewriteIfAsked();
    await Promise.all([requests.syncResults(), audit.sync()]);
    requests.retireSettled();
  }

  async #archiveOld(): Promise<ArchivedCounts> {
    return archiveRound(this.#whenOpen());
  }
}
