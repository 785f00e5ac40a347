/**
 * The Store on one JSON file (`<dataDir>/licensedesk.json`) through lowdb. State lives in memory;
 * every mutation marks it dirty and one coalesced write follows `writeDelayMs` later, so a
 * 1,000-user run rewrites the file a handful of times instead of once per user. Writes are atomic
 * (steno writes a temporary file and renames it). Compare-and-set transitions run synchronously on
 * the in-memory data, which is what makes a decision happen once within the process.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { newId } from '../licensing/ids.js';
import {
  type ChangeRequest,
  type ItemResult,
  type RequestHeader,
  type RequestStatus,
  resultKey,
} from '../licensing/model.js';
import { type RequestFilter, type Store, StoreError, type StoreHealth } from './store.js';
import {
  type Approval,
  type AuditEntry,
  Draft,
  emptyStoreFile,
  type NewDraft,
  StoreFile,
} from './store-schema.js';

export interface LowdbStoreOptions {
  dataDir: string;
  now?: () => Date;
  /** How long an untouched draft lives; every update extends it (default 120). */
  draftTtlMinutes?: number;
  /** Delay between a mutation and the write that carries it (default 250). */
  writeDelayMs?: number;
}

export const STORE_FILE_NAME = 'licensedesk.json';

export class LowdbStore implements Store {
  readonly filePath: string;
  readonly #dataDir: string;
  readonly #now: () => Date;
  readonly #draftTtlMs: number;
  readonly #writeDelayMs: number;
  readonly #db: Low<StoreFile>;
  #state: 'closed' | 'open' | 'refused' = 'closed';
  #dirty = false;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;
  #lastWriteError: unknown = null;
  #writeCount = 0;

  constructor(options: LowdbStoreOptions) {
    this.#dataDir = options.dataDir;
    this.filePath = path.join(options.dataDir, STORE_FILE_NAME);
    this.#now = options.now ?? (() => new Date());
    this.#draftTtlMs = (options.draftTtlMinutes ?? 120) * 60_000;
    this.#writeDelayMs = options.writeDelayMs ?? 250;
    this.#db = new Low(new JSONFile<StoreFile>(this.filePath), emptyStoreFile());
  }

  /** File writes started since construction (for tests and benchmarks). */
  get writeCount(): number {
    return this.#writeCount;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    let raw: unknown;
    try {
      await mkdir(this.#dataDir, { recursive: true });
      const text = await readFile(this.filePath, 'utf-8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      raw = text === null ? undefined : JSON.parse(text);
    } catch (error) {
      this.#state = 'refused';
      throw new StoreError(
        `Cannot read the store file ${this.filePath}: ${describe(error)}. It was left untouched; repair or move it away and start again.`,
        { cause: error },
      );
    }
    if (raw === undefined) {
      this.#db.data = emptyStoreFile();
      this.#state = 'open';
      this.#markDirty();
      await this.flush();
      return;
    }
    const parsed = StoreFile.safeParse(raw);
    if (!parsed.success) {
      this.#state = 'refused';
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid content';
      throw new StoreError(
        `The store file ${this.filePath} does not match schema version ${emptyStoreFile().version} (${where}). It was left untouched; repair or move it away and start again.`,
      );
    }
    this.#db.data = parsed.data;
    this.#state = 'open';
    if (this.#pruneDrafts()) this.#markDirty();
  }

  async createDraft(draft: NewDraft): Promise<Draft> {
    const data = this.#data();
    const now = this.#now();
    // Parsed, so that the fields the caller left out get their schema defaults.
    const created = Draft.parse({
      ...structuredClone(draft),
      id: newId('drf'),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#draftTtlMs).toISOString(),
    });
    data.drafts[created.id] = created;
    this.#markDirty();
    return structuredClone(created);
  }

  async getDraft(id: string): Promise<Draft | null> {
    const draft = this.#liveDraft(id);
    return draft ? structuredClone(draft) : null;
  }

  async updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null> {
    const current = this.#liveDraft(id);
    if (!current) return null;
    const changed = change(structuredClone(current));
    // The id, owner and creation time are not the caller's to change; use extends the life.
    const updated: Draft = {
      ...changed,
      id: current.id,
      ownerId: current.ownerId,
      createdAt: current.createdAt,
      expiresAt: new Date(this.#now().getTime() + this.#draftTtlMs).toISOString(),
    };
    this.#data().drafts[id] = updated;
    this.#markDirty();
    return structuredClone(updated);
  }

  async takeDraft(id: string, ownerId: string): Promise<Draft | null> {
    // No await between the read and the delete: a concurrent call finds the draft gone.
    const draft = this.#liveDraft(id);
    if (!draft || draft.ownerId !== ownerId) return null;
    delete this.#data().drafts[id];
    this.#markDirty();
    return structuredClone(draft);
  }

  async restoreDraft(draft: Draft): Promise<Draft> {
    const restored: Draft = {
      ...structuredClone(draft),
      expiresAt: new Date(this.#now().getTime() + this.#draftTtlMs).toISOString(),
    };
    this.#data().drafts[draft.id] = restored;
    this.#markDirty();
    return structuredClone(restored);
  }

  async saveRequest(request: ChangeRequest): Promise<void> {
    this.#data().requests[request.id] = structuredClone(request);
    this.#markDirty();
  }

  async getRequest(id: string): Promise<ChangeRequest | null> {
    const request = this.#data().requests[id];
    return request ? structuredClone(request) : null;
  }

  health(): StoreHealth {
    return { writable: true, since: new Date(0).toISOString() };
  }

  async findRequestByDraft(draftId: string): Promise<ChangeRequest | null> {
    const found = Object.values(this.#data().requests).find((request) => request.draftId === draftId);
    return found ? structuredClone(found) : null;
  }

  async listRequestHeaders(filter: RequestFilter): Promise<RequestHeader[]> {
    return (await this.listRequests(filter)).map(({ items: _items, results: _results, ...header }) => header);
  }

  async archiveOld(): Promise<{ requests: number; drafts: number; audit: number }> {
    return { requests: 0, drafts: 0, audit: 0 };
  }

  async listRequests(filter: RequestFilter): Promise<ChangeRequest[]> {
    return Object.values(this.#data().requests)
      .filter((request) => filter.requestedBy === undefined || request.requestedBy === filter.requestedBy)
      .filter((request) => filter.customerId === undefined || request.customerId === filter.customerId)
      .filter((request) => filter.createdSince === undefined || request.createdAt >= filter.createdSince)
      .filter((request) => filter.status === undefined || filter.status.includes(request.status))
      .sort(newestFirst)
      .slice(0, filter.limit)
      .map((request) => structuredClone(request));
  }

  async transitionRequest(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    patch: Partial<Omit<ChangeRequest, 'id' | 'status' | 'results' | 'items'>> = {},
  ): Promise<ChangeRequest | null> {
    const data = this.#data();
    const current = data.requests[id];
    if (!current || !from.includes(current.status)) return null;
    const updated: ChangeRequest = { ...current, ...structuredClone(patch), id, status: to };
    data.requests[id] = updated;
    this.#markDirty();
    return structuredClone(updated);
  }

  async recordResults(requestId: string, results: readonly ItemResult[]): Promise<void> {
    const request = this.#data().requests[requestId];
    if (!request) throw new StoreError(`Cannot record results: request ${requestId} is not in the store.`);
    for (const result of results) {
      request.results[resultKey(result.userId, result.skuId, result.op)] = { ...result };
    }
    this.#markDirty();
  }

  async saveApproval(approval: Approval): Promise<void> {
    this.#data().approvals[approval.requestId] = structuredClone(approval);
    this.#markDirty();
  }

  async getApproval(requestId: string): Promise<Approval | null> {
    const approval = this.#data().approvals[requestId];
    return approval ? structuredClone(approval) : null;
  }

  async listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]> {
    return Object.values(this.#data().approvals)
      .filter((approval) => filter.status === undefined || filter.status.includes(approval.status))
      .sort(newestFirst)
      .slice(0, filter.limit)
      .map((approval) => structuredClone(approval));
  }

  async decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>,
  ): Promise<Approval | null> {
    const data = this.#data();
    const current = data.approvals[requestId];
    if (!current || !from.includes(current.status)) return null;
    const updated: Approval = { ...current, ...structuredClone(patch), requestId };
    data.approvals[requestId] = updated;
    this.#markDirty();
    return structuredClone(updated);
  }

  async appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    this.#data().audit.push({ ...structuredClone(entry), at: entry.at ?? this.#now().toISOString() });
    this.#markDirty();
  }

  async listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]> {
    const audit = this.#data().audit;
    const found: AuditEntry[] = [];
    for (let i = audit.length - 1; i >= 0 && found.length < filter.limit; i--) {
      const entry = audit[i];
      if (entry && (filter.requestId === undefined || entry.requestId === filter.requestId)) {
        found.push(structuredClone(entry));
      }
    }
    return found;
  }

  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#lastWriteError = null;
    while (this.#inFlight || (this.#dirty && this.#state === 'open')) {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      if (this.#inFlight) await this.#inFlight;
      else this.#startWrite();
      if (this.#lastWriteError) {
        const error = this.#lastWriteError;
        this.#lastWriteError = null;
        throw new StoreError(`Cannot write the store file ${this.filePath}: ${describe(error)}`, {
          cause: error,
        });
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      if (this.#state === 'open') this.#state = 'closed';
    }
  }

  #data(): StoreFile {
    if (this.#state !== 'open') {
      throw new StoreError(
        this.#state === 'refused'
          ? `The store file ${this.filePath} was refused when opened; nothing is read or written.`
          : 'The store is not open: call open() first.',
      );
    }
    return this.#db.data;
  }

  #liveDraft(id: string): Draft | null {
    const data = this.#data();
    const draft = data.drafts[id];
    if (!draft) return null;
    if (Date.parse(draft.expiresAt) <= this.#now().getTime()) {
      delete data.drafts[id];
      this.#markDirty();
      return null;
    }
    return draft;
  }

  /** Drops expired drafts; true when any went. */
  #pruneDrafts(): boolean {
    const data = this.#db.data;
    const now = this.#now().getTime();
    let pruned = false;
    for (const [id, draft] of Object.entries(data.drafts)) {
      if (Date.parse(draft.expiresAt) <= now) {
        delete data.drafts[id];
        pruned = true;
      }
    }
    return pruned;
  }

  #markDirty(): void {
    this.#dirty = true;
    if (!this.#timer && !this.#inFlight) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#startWrite();
      }, this.#writeDelayMs);
    }
  }

  /** Starts one write of the current state; a mutation during it schedules the next one. */
  #startWrite(): void {
    if (this.#inFlight || !this.#dirty || this.#state !== 'open') return;
    this.#pruneDrafts();
    this.#dirty = false;
    this.#writeCount++;
    // lowdb serialises synchronously here, so the file gets the state as of this moment.
    this.#inFlight = this.#db
      .write()
      .catch((error: unknown) => {
        this.#dirty = true;
        this.#lastWriteError = error;
        console.error(`[store] write to ${this.filePath} failed; it will be retried:`, error);
      })
      .finally(() => {
        this.#inFlight = null;
        if (this.#dirty && !this.#timer && this.#state === 'open') {
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.#startWrite();
          }, this.#writeDelayMs);
        }
      });
  }
}

function newestFirst(a: { createdAt: string }, b: { createdAt: string }): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
