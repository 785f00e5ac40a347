/**
 * The Store on files in DATA_DIR (layout 2, see store-schema.ts), through lowdb with an adapter
 * that replaces the main file atomically and syncs it.
 *
 * - Durable methods change memory, commit the main file (group commit through one
 *   CoalescingWriter) and resolve after the fsync; if the commit fails they undo exactly their
 *   change and reject, so "nothing was changed" is true. Durable changes of one record run one
 *   after another, so none builds on a change that may still be undone.
 * - Coalesced changes reach the disk within `writeDelayMs`, or at `flush()`: drafts through the
 *   main file; results and audit rows appended to their logs, synced by a second writer.
 * - While a writer cannot write, both keep probing; health() says so, durable methods refuse at
 *   once, coalesced changes wait in memory and reach the disk when it recovers.
 * - Items and results of unfinished requests stay in memory; finished ones are read from their
 *   files when asked for, through a small cache.
 */

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { newId } from '../licensing/ids.js';
import { ChangeRequest, ItemResult, RequestHeader, type RequestStatus } from '../licensing/model.js';
import { resultKey } from '../licensing/result-key.js';
import { defaultLogger } from '../logger.js';
import { AppendLog } from '../persistence/append-log.js';
import { CoalescingWriter, type WriterHealth } from '../persistence/coalescing-writer.js';
import { type DurableFs, nodeFs, writeFileDurably } from '../persistence/durable-file.js';
import { Archive } from './archive.js';
import { auditFileOf, readAuditFile, writeAuditFile } from './audit-file.js';
import { BufferedLogs } from './buffered-logs.js';
import { DurableJsonFile } from './durable-json-file.js';
import { OneAtATime } from './one-at-a-time.js';
import { RequestBodies } from './request-bodies.js';
import { type LoadedBody, RequestFiles } from './request-files.js';
import { archiveExpired, isFinished } from './retention.js';
import {
  type RequestFilter,
  type Store,
  StoreError,
  type StoreHealth,
  StoreUnavailableError,
} from './store.js';
import { StoreHealthMonitor, type StoreLogger } from './store-health.js';
import { migrateFromV1 } from './store-migration.js';
import {
  Approval,
  AuditEntry,
  Draft,
  emptyStoreFile,
  type NewDraft,
  StoreFile,
  type StoreFileV2,
} from './store-schema.js';
import { checkedValue, refuse } from './value-check.js';

export type { StoreLogger } from './store-health.js';

export interface LowdbStoreOptions {
  dataDir: string;
  now?: () => Date;
  /** How long an untouched draft lives; every update extends it (default 120). */
  draftTtlMinutes?: number;
  /**
   * How long a draft lives while no customer is chosen, i.e. a modal that never went past its
   * first step (default 60, and never longer than `draftTtlMinutes`).
   */
  firstStepDraftTtlMinutes?: number;
  /** Finished requests and audit rows older than this many days go to the archive (default 90). */
  retentionDays?: number;
  /** Delay between a coalesced change and the write that carries it (default 250). */
  writeDelayMs?: number;
  /** Pause between write attempts while the disk refuses them, growing from `initial` to `max` (default 250 ms, 5 s). */
  retryDelayMs?: { initial: number; max: number };
  /** How long close() keeps retrying a failed write (default 5 s). */
  closeRetryMs?: number;
  /** Finished requests whose items and results stay in memory once read (default 8). */
  finishedRequestCacheSize?: number;
  /** Default: the process-wide fallback logger (warnings and errors). */
  logger?: StoreLogger;
  /** File operations of every write; tests inject a full or read-only disk here. */
  fs?: DurableFs;
}

export const STORE_FILE_NAME = 'licensedesk.json';
/**
 * Written and removed at open to learn whether the disk takes writes before anyone relies on it;
 * named per process and open, so that two stores opening one directory do not trip over it.
 */
const PROBE_FILE_NAME = '.licensedesk.probe';
let probes = 0;
/** Files in requests/ that no request owns are removed at open once they are this old. */
const STRAY_AGE_MS = 10 * 60_000;

type State = 'new' | 'open' | 'refused' | 'closed';
type ApprovalPatch = Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>;
type RequestPatch = Partial<Omit<ChangeRequest, 'id' | 'status' | 'results' | 'items'>>;

const ItemResults = z.array(ItemResult);
/** The audit log's key among the buffered logs. */
const AUDIT = 'audit';

export class LowdbStore implements Store {
  readonly filePath: string;
  readonly #dataDir: string;
  readonly #now: () => Date;
  readonly #draftTtlMs: number;
  readonly #firstStepDraftTtlMs: number;
  readonly #retentionDays: number;
  readonly #writeDelayMs: number;
  readonly #retryDelayMs: { initial: number; max: number } | undefined;
  readonly #closeRetryMs: number;
  readonly #logger: StoreLogger;
  readonly #fs: DurableFs;
  readonly #db: Low<StoreFile>;
  readonly #files: RequestFiles;
  readonly #auditFile: string;
  readonly #results: BufferedLogs;
  readonly #auditLog: BufferedLogs;
  readonly #archive: Archive;
  #state: State = 'new';
  #refusal = '';
  #health: StoreHealthMonitor;
  #main: CoalescingWriter | null = null;
  /** Syncs the results logs and the audit log. */
  #logs: CoalescingWriter | null = null;
  /** Set when retention removed audit rows: the next logs write rewrites the audit file. */
  #auditRewrite = false;

  readonly #drafts = new Map<string, Draft>();
  readonly #headers = new Map<string, RequestHeader>();
  readonly #approvals = new Map<string, Approval>();
  #audit: AuditEntry[] = [];
  readonly #bodies: RequestBodies;
  /** Durable changes, one at a time per record (`request:<id>`, `approval:<id>`). */
  readonly #changes = new OneAtATime();
  #archiving: Promise<{ requests: number; drafts: number; audit: number }> | null = null;

  constructor(options: LowdbStoreOptions) {
    this.#dataDir = options.dataDir;
    this.filePath = path.join(options.dataDir, STORE_FILE_NAME);
    this.#now = options.now ?? (() => new Date());
    this.#draftTtlMs = (options.draftTtlMinutes ?? 120) * 60_000;
    this.#firstStepDraftTtlMs = Math.min(this.#draftTtlMs, (options.firstStepDraftTtlMinutes ?? 60) * 60_000);
    this.#retentionDays = options.retentionDays ?? 90;
    this.#writeDelayMs = options.writeDelayMs ?? 250;
    this.#retryDelayMs = options.retryDelayMs;
    this.#closeRetryMs = options.closeRetryMs ?? 5_000;
    this.#logger = options.logger ?? defaultLogger();
    this.#fs = options.fs ?? nodeFs;
    this.#files = new RequestFiles(options.dataDir, this.#fs);
    this.#bodies = new RequestBodies(this.#files, options.finishedRequestCacheSize ?? 8);
    this.#auditFile = auditFileOf(options.dataDir);
    this.#results = new BufferedLogs((id) => this.#files.openResultsLog(id));
    this.#auditLog = new BufferedLogs(() => AppendLog.open(this.#auditFile, { fs: this.#fs }));
    this.#archive = new Archive(options.dataDir, this.#fs);
    this.#db = new Low<StoreFile>(
      new DurableJsonFile(this.filePath, { parse: (raw) => StoreFile.parse(raw), fs: this.#fs }),
      emptyStoreFile(),
    );
    this.#health = this.#newHealth();
  }

  /** Writes of the main file attempted since open (for tests and benchmarks). */
  get writeCount(): number {
    return this.#main?.writes ?? 0;
  }

  /** Syncs of the results and audit logs attempted since open (for tests and benchmarks). */
  get logsWriteCount(): number {
    return this.#logs?.writes ?? 0;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    const file = await this.#readMainFile();
    this.#load(file.data);
    this.#health = this.#newHealth();
    this.#main = this.#newWriter('main', async () => {
      const snapshot = this.#snapshot();
      await makeDirectory(this.#dataDir);
      this.#db.data = snapshot;
      await this.#db.write();
    });
    this.#logs = this.#newWriter('logs', () => this.#syncLogs());
    try {
      this.#audit = file.audit ?? (await readAuditFile(this.#auditFile));
      for (const header of this.#headers.values()) {
        if (!isFinished(header.status))
          this.#bodies.keep(header.id, await this.#files.read(header.id), false);
      }
    } catch (error) {
      throw this.#refuseOpen(error instanceof Error ? error.message : String(error), error);
    }
    this.#state = 'open';
    await this.#removeStrayFiles();
    if (file.created) {
      // A new store is created now, so a disk that takes no writes shows in health() from the start.
      this.#main.markDirty();
      await this.#main.commit().catch(() => {});
    } else {
      await this.#probe();
    }
  }

  health(): StoreHealth {
    return this.#health.current();
  }

  async createDraft(draft: NewDraft): Promise<Draft> {
    this.#requireOpen();
    const now = this.#now();
    const created = this.#withExpiry(
      checkedValue(
        Draft,
        { ...draft, id: newId('drf'), createdAt: now.toISOString(), expiresAt: now.toISOString() },
        'createDraft',
        this.#logger,
      ),
      now,
    );
    this.#drafts.set(created.id, created);
    this.#main!.markDirty();
    return structuredClone(created);
  }

  async getDraft(id: string): Promise<Draft | null> {
    this.#requireOpen();
    const draft = this.#liveDraft(id);
    return draft ? structuredClone(draft) : null;
  }

  async updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null> {
    this.#requireOpen();
    const current = this.#liveDraft(id);
    if (!current) return null;
    const changed = change(structuredClone(current));
    // The id, owner and creation time are not the caller's to change; use extends the life.
    const updated = this.#withExpiry(
      checkedValue(
        Draft,
        { ...changed, id: current.id, ownerId: current.ownerId, createdAt: current.createdAt },
        'updateDraft',
        this.#logger,
      ),
      this.#now(),
    );
    this.#drafts.set(id, updated);
    this.#main!.markDirty();
    return structuredClone(updated);
  }

  async takeDraft(id: string, ownerId: string): Promise<Draft | null> {
    this.#requireOpen();
    // No await between the read and the delete: a concurrent call finds the draft gone.
    const draft = this.#liveDraft(id);
    if (!draft || draft.ownerId !== ownerId) return null;
    this.#drafts.delete(id);
    return structuredClone(draft);
  }

  async restoreDraft(draft: Draft): Promise<Draft> {
    this.#requireOpen();
    const restored = this.#withExpiry(checkedValue(Draft, draft, 'restoreDraft', this.#logger), this.#now());
    this.#drafts.set(restored.id, restored);
    this.#main!.markDirty();
    return structuredClone(restored);
  }

  async saveRequest(request: ChangeRequest): Promise<void> {
    this.#requireOpen();
    const saved = checkedValue(ChangeRequest, request, 'saveRequest', this.#logger);
    const { id } = saved;
    if (!RequestFiles.fits(id)) {
      throw refuse('saveRequest', 'id: too long, or not text, to name its files', this.#logger);
    }
    this.#requireWritable('saveRequest');
    await this.#changes.run(`request:${id}`, async () => {
      if (this.#headers.has(id)) {
        throw refuse('saveRequest', `id: request ${id} exists already`, this.#logger);
      }
      this.#requireWritable('saveRequest');
      try {
        await this.#files.write(saved);
      } catch (error) {
        // Awaited, so that health() tells the truth when the caller hears of the refusal.
        await this.#probeAfterFailure();
        throw this.#unavailable('saveRequest', error);
      }
      const { items, results, ...header } = saved;
      const body: LoadedBody = { items, results: resultsByKey(Object.values(results)) };
      this.#headers.set(id, header);
      this.#bodies.keep(id, body, isFinished(header.status));
      // The files just written stay if this fails: the stray sweep at open removes them.
      await this.#commit('saveRequest', () => {
        if (this.#headers.get(id) !== header) return;
        this.#headers.delete(id);
        this.#bodies.forget(id);
      });
    });
  }

  async getRequest(id: string): Promise<ChangeRequest | null> {
    this.#requireOpen();
    const header = this.#headers.get(id);
    return header ? this.#whole(header) : null;
  }

  async findRequestByDraft(draftId: string): Promise<ChangeRequest | null> {
    this.#requireOpen();
    for (const header of this.#headers.values()) {
      if (header.draftId === draftId) return this.#whole(header);
    }
    return null;
  }

  async listRequests(filter: RequestFilter): Promise<ChangeRequest[]> {
    const found: ChangeRequest[] = [];
    for (const header of this.#matching(filter)) found.push(await this.#whole(header));
    return found;
  }

  async listRequestHeaders(filter: RequestFilter): Promise<RequestHeader[]> {
    return this.#matching(filter).map((header) => structuredClone(header));
  }

  async transitionRequest(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    patch: RequestPatch = {},
  ): Promise<ChangeRequest | null> {
    this.#requireOpen();
    this.#requireWritable('transitionRequest');
    return this.#changes.run(`request:${id}`, async () => {
      const current = this.#headers.get(id);
      if (!current || !from.includes(current.status)) return null;
      const updated = checkedValue(
        RequestHeader,
        { ...current, ...patch, id, status: to },
        'transitionRequest',
        this.#logger,
      );
      this.#requireWritable('transitionRequest');
      this.#headers.set(id, updated);
      await this.#commit('transitionRequest', () => {
        if (this.#headers.get(id) === updated) this.#headers.set(id, current);
      });
      if (isFinished(to)) this.#retireWhenSynced(id);
      return this.#whole(updated);
    });
  }

  async recordResults(requestId: string, results: readonly ItemResult[]): Promise<void> {
    this.#requireOpen();
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
    this.#logs!.markDirty();
  }

  async saveApproval(approval: Approval): Promise<void> {
    this.#requireOpen();
    const saved = checkedValue(Approval, approval, 'saveApproval', this.#logger);
    const id = saved.requestId;
    this.#requireWritable('saveApproval');
    await this.#changes.run(`approval:${id}`, async () => {
      this.#requireWritable('saveApproval');
      const previous = this.#approvals.get(id);
      this.#approvals.set(id, saved);
      await this.#commit('saveApproval', () => {
        if (this.#approvals.get(id) !== saved) return;
        if (previous) this.#approvals.set(id, previous);
        else this.#approvals.delete(id);
      });
    });
  }

  async getApproval(requestId: string): Promise<Approval | null> {
    this.#requireOpen();
    const approval = this.#approvals.get(requestId);
    return approval ? structuredClone(approval) : null;
  }

  async listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]> {
    this.#requireOpen();
    return [...this.#approvals.values()]
      .filter((approval) => filter.status === undefined || filter.status.includes(approval.status))
      .sort(newestFirst)
      .slice(0, filter.limit)
      .map((approval) => structuredClone(approval));
  }

  async decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: ApprovalPatch,
  ): Promise<Approval | null> {
    this.#requireOpen();
    this.#requireWritable('decideApproval');
    return this.#changes.run(`approval:${requestId}`, async () => {
      const current = this.#approvals.get(requestId);
      if (!current || !from.includes(current.status)) return null;
      const updated = checkedValue(
        Approval,
        { ...current, ...patch, requestId },
        'decideApproval',
        this.#logger,
      );
      this.#requireWritable('decideApproval');
      this.#approvals.set(requestId, updated);
      await this.#commit('decideApproval', () => {
        if (this.#approvals.get(requestId) === updated) this.#approvals.set(requestId, current);
      });
      return structuredClone(updated);
    });
  }

  async appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    this.#requireOpen();
    const row = checkedValue(
      AuditEntry,
      { ...entry, at: entry.at ?? this.#now().toISOString() },
      'appendAudit',
      this.#logger,
    );
    this.#audit.push(row);
    this.#auditLog.append(AUDIT, [row]);
    this.#logs!.markDirty();
  }

  async listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]> {
    this.#requireOpen();
    const audit = this.#audit;
    const found: AuditEntry[] = [];
    for (let i = audit.length - 1; i >= 0 && found.length < filter.limit; i--) {
      const entry = audit[i];
      if (entry && (filter.requestId === undefined || entry.requestId === filter.requestId)) {
        found.push(structuredClone(entry));
      }
    }
    return found;
  }

  archiveOld(): Promise<{ requests: number; drafts: number; audit: number }> {
    this.#archiving ??= this.#archiveOld().finally(() => {
      this.#archiving = null;
    });
    return this.#archiving;
  }

  async flush(): Promise<void> {
    this.#requireOpen();
    const outcomes = await Promise.allSettled([this.#main!.commit(), this.#logs!.commit()]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw this.#unavailable('flush', failed.reason);
  }

  async close(): Promise<void> {
    if (this.#state !== 'open') return;
    try {
      const outcomes = await Promise.allSettled([
        this.#main!.close(this.#closeRetryMs),
        this.#logs!.close(this.#closeRetryMs),
      ]);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw this.#unavailable('close', failed.reason);
    } finally {
      await Promise.all([this.#results.closeAll(), this.#auditLog.closeAll()]);
      this.#state = 'closed';
    }
  }

  /** The main file's content; with the audit rows too when they came from a migrated layout-1 file. */
  async #readMainFile(): Promise<{ data: StoreFileV2; created: boolean; audit?: AuditEntry[] }> {
    let read: StoreFile | null;
    // A directory that cannot be created now (a read-only or full disk) is no reason to refuse:
    // the writers create it when they first succeed, and health() says so until then.
    await mkdir(this.#dataDir, { recursive: true }).catch(() => {});
    try {
      const absent = emptyStoreFile();
      this.#db.data = absent;
      await this.#db.read();
      read = this.#db.data === absent ? null : this.#db.data;
    } catch (error) {
      throw this.#refuseOpen(describeReadError(error), error);
    }
    if (read === null) return { data: emptyStoreFile(), created: true };
    if (read.version === 2) return { data: read, created: false };
    try {
      const target = { files: this.#files, auditFile: this.#auditFile, fs: this.#fs };
      const migrated = await migrateFromV1(read, target, this.#logger);
      await this.#db.adapter.write(migrated.file);
      this.#logger.info(
        `[store] ${this.filePath} migrated to layout 2: the items and results of ${migrated.file.requests.length} request(s) are now in ${this.#files.dir}, the audit log in ${this.#auditFile}.`,
      );
      return { data: migrated.file, created: false, audit: migrated.audit };
    } catch (error) {
      throw this.#refuseOpen(`migration to layout 2 failed: ${describe(error)}`, error);
    }
  }

  #refuseOpen(why: string, cause: unknown): StoreError {
    this.#state = 'refused';
    this.#refusal = `The store file ${this.filePath} was refused (${why}). It was left untouched; repair or move it away and start again.`;
    return new StoreError(this.#refusal, { cause });
  }

  #load(file: StoreFileV2): void {
    this.#drafts.clear();
    this.#headers.clear();
    this.#approvals.clear();
    this.#bodies.clear();
    for (const draft of file.drafts) this.#drafts.set(draft.id, draft);
    for (const header of file.requests) this.#headers.set(header.id, header);
    for (const approval of file.approvals) this.#approvals.set(approval.requestId, approval);
  }

  #snapshot(): StoreFileV2 {
    return {
      version: 2,
      drafts: [...this.#drafts.values()],
      requests: [...this.#headers.values()],
      approvals: [...this.#approvals.values()],
    };
  }

  #newHealth(): StoreHealthMonitor {
    return new StoreHealthMonitor({ logger: this.#logger, where: this.#dataDir, now: this.#now });
  }

  #newWriter(name: string, write: () => Promise<void>): CoalescingWriter {
    return new CoalescingWriter({
      write,
      delayMs: this.#writeDelayMs,
      ...(this.#retryDelayMs ? { retryDelayMs: this.#retryDelayMs } : {}),
      now: this.#now,
      onHealthChange: (health: WriterHealth) => this.#health.update(name, health),
    });
  }

  /**
   * The logs writer's write: the audit file rewritten when retention asked for it, every buffered
   * record to disk, then the results logs of finished requests closed.
   */
  async #syncLogs(): Promise<void> {
    if (this.#auditRewrite) {
      // The rewrite holds every row in memory, so what the old log still had to write is in it.
      const rows = [...this.#audit];
      await this.#auditLog.detach(AUDIT);
      await writeAuditFile(this.#auditFile, rows, this.#fs);
      this.#auditRewrite = false;
    }
    await Promise.all([this.#results.syncAll(), this.#auditLog.syncAll()]);
    const done = (id: string) => {
      const header = this.#headers.get(id);
      return header === undefined || isFinished(header.status);
    };
    for (const id of this.#results.closeSettled(done)) this.#bodies.retire(id);
  }

  /** Writes a probe file; when the disk refuses it, the main writer finds out and starts probing. */
  async #probe(): Promise<void> {
    try {
      const probe = path.join(this.#dataDir, `${PROBE_FILE_NAME}.${process.pid}.${probes++}`);
      await writeFileDurably(probe, 'probe\n', { fs: this.#fs });
      await this.#fs.unlink(probe);
    } catch {
      await this.#probeAfterFailure();
    }
  }

  /** A write outside the writers failed: let the main writer try, so health() tells the truth. */
  #probeAfterFailure(): Promise<void> {
    this.#main!.markDirty();
    return this.#main!.commit().catch(() => {});
  }

  async #removeStrayFiles(): Promise<void> {
    try {
      const removed = await this.#files.removeStray((id) => this.#headers.has(id), STRAY_AGE_MS);
      if (removed > 0) {
        this.#logger.info(`[store] removed ${removed} file(s) in ${this.#files.dir} that no request owns.`);
      }
    } catch (error) {
      this.#logger.warn(`[store] could not remove stray files in ${this.#files.dir}: ${describe(error)}`);
    }
  }

  #requireOpen(): void {
    if (this.#state === 'open') return;
    if (this.#state === 'refused') throw new StoreError(`${this.#refusal} Nothing is read or written.`);
    throw new StoreError('The store is not open: call open() first.', { code: 'store_closed' });
  }

  #requireWritable(method: string): void {
    const health = this.#health.current();
    if (health.writable) return;
    throw new StoreUnavailableError(
      `${method}: the store cannot write to ${this.#dataDir} (${health.error ?? 'unknown error'}); nothing was changed.`,
    );
  }

  #unavailable(method: string, error: unknown): StoreUnavailableError {
    return new StoreUnavailableError(
      `${method}: cannot write to ${this.#dataDir} (${describe(error)}); nothing was changed.`,
      { cause: error },
    );
  }

  /** Commits the main file; when that fails, `undo` takes this change back out of memory. */
  async #commit(method: string, undo: () => void): Promise<void> {
    this.#main!.markDirty();
    try {
      await this.#main!.commit();
    } catch (error) {
      undo();
      throw this.#unavailable(method, error);
    }
  }

  #liveDraft(id: string): Draft | null {
    const draft = this.#drafts.get(id);
    // An expired draft stays until archiveOld() moves it to the archive.
    if (!draft || Date.parse(draft.expiresAt) <= this.#now().getTime()) return null;
    return draft;
  }

  #withExpiry(draft: Draft, now: Date): Draft {
    const ttl = draft.customerId === null ? this.#firstStepDraftTtlMs : this.#draftTtlMs;
    return { ...draft, expiresAt: new Date(now.getTime() + ttl).toISOString() };
  }

  #matching(filter: RequestFilter): RequestHeader[] {
    this.#requireOpen();
    return [...this.#headers.values()]
      .filter((header) => filter.requestedBy === undefined || header.requestedBy === filter.requestedBy)
      .filter((header) => filter.customerId === undefined || header.customerId === filter.customerId)
      .filter((header) => filter.createdSince === undefined || header.createdAt >= filter.createdSince)
      .filter((header) => filter.status === undefined || filter.status.includes(header.status))
      .sort(newestFirst)
      .slice(0, filter.limit);
  }

  async #whole(header: RequestHeader): Promise<ChangeRequest> {
    const body = await this.#bodies.of(header, (id) => this.#headers.get(id)?.status);
    return structuredClone({ ...header, items: body.items, results: Object.fromEntries(body.results) });
  }

  /** A finished request's body leaves memory once its results log has nothing left to write. */
  #retireWhenSynced(id: string): void {
    if (this.#results.isOpen(id)) this.#logs!.markDirty();
    else this.#bodies.retire(id);
  }

  async #archiveOld(): Promise<{ requests: number; drafts: number; audit: number }> {
    this.#requireOpen();
    this.#requireWritable('archiveOld');
    let archived: Awaited<ReturnType<typeof archiveExpired>>;
    try {
      archived = await archiveExpired(
        {
          now: this.#now(),
          retentionDays: this.#retentionDays,
          requests: this.#headers.values(),
          drafts: this.#drafts.values(),
          audit: this.#audit,
          approvalOf: (id) => this.#approvals.get(id),
          load: async (header) => {
            const body = this.#bodies.peek(header.id);
            const { items, results } = body ?? (await this.#files.read(header.id));
            return { ...header, items, results: Object.fromEntries(results) };
          },
          canArchive: (id) => !this.#results.isOpen(id),
        },
        this.#archive,
      );
    } catch (error) {
      if (error instanceof StoreError) throw error;
      await this.#probeAfterFailure();
      throw this.#unavailable('archiveOld', error);
    }
    // Only what is still exactly what was archived leaves; a record changed meanwhile waits for the next round.
    const gone: string[] = [];
    for (const header of archived.requests) {
      if (this.#headers.get(header.id) !== header || this.#results.isOpen(header.id)) continue;
      this.#headers.delete(header.id);
      this.#approvals.delete(header.id);
      this.#bodies.forget(header.id);
      gone.push(header.id);
    }
    let drafts = 0;
    for (const draft of archived.drafts) {
      if (this.#drafts.get(draft.id) !== draft) continue;
      this.#drafts.delete(draft.id);
      drafts++;
    }
    const oldAudit = new Set(archived.audit);
    const audit = this.#audit.filter((entry) => oldAudit.has(entry)).length;
    this.#audit = this.#audit.filter((entry) => !oldAudit.has(entry));
    this.#main!.markDirty();
    if (audit > 0) {
      this.#auditRewrite = true;
      this.#logs!.markDirty();
    }
    // Kept out of memory when this fails: the archive holds them and the writers retry. The
    // requests' files go at the next open then.
    const outcomes = await Promise.allSettled([this.#main!.commit(), this.#logs!.commit()]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw this.#unavailable('archiveOld', failed.reason);
    try {
      await this.#files.remove(gone);
    } catch (error) {
      this.#logger.warn(`[store] archived requests' files stay until the next start: ${describe(error)}`);
    }
    return { requests: gone.length, drafts, audit };
  }
}

/** mkdir -p, naming the real cause: Node reports a missing directory on a read-only disk as ENOENT. */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir);
  }
}

function resultsByKey(results: readonly ItemResult[]): Map<string, ItemResult> {
  return new Map(results.map((result) => [resultKey(result.userId, result.skuId, result.op), result]));
}

function newestFirst(a: { createdAt: string }, b: { createdAt: string }): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeReadError(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid content';
  }
  if (error instanceof SyntaxError) return `not JSON: ${error.message}`;
  return describe(error);
}
