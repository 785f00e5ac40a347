/**
 * The bot's own memory behind one port: drafts of open modals, change requests with their
 * per-user results, approvals and an audit log. The lowdb adapter serves one process; a shared
 * database can implement the same port for several replicas.
 *
 * Durability contract (DESIGN.md §8): the methods marked *durable* resolve only once the change
 * is on disk (file synced and replaced atomically, or committed). While the store cannot write,
 * they reject with StoreUnavailableError and keep nothing of the change, so a caller can tell the
 * person "nothing was changed" truthfully. The other mutations are coalesced: they reach the disk
 * within a short delay, or at `flush()`. Every value is parsed with the same zod schema on write
 * as on read; an invalid one is refused with StoreError (code `invalid_value`), never stored.
 */
import type { CodedError } from '../errors.js';
import type {
  ChangeRequest,
  ItemResult,
  PriorState,
  RequestHeader,
  RequestStatus,
} from '../licensing/model.js';
import type { Approval, AuditEntry, Draft, NewDraft } from './store-schema.js';

export type { Approval, AuditEntry, Draft, NewDraft } from './store-schema.js';

/** Whether the store can write; `since` is when it last changed. */
export interface StoreHealth {
  writable: boolean;
  since: string;
  /** The last write error while not writable (e.g. "ENOSPC: no space left on device"). */
  error?: string;
}

export interface RequestFilter {
  requestedBy?: string;
  customerId?: string;
  status?: readonly RequestStatus[];
  /** Only requests created at or after this ISO time. */
  createdSince?: string;
  limit: number;
}

/** What a transition may change besides the status (a key given as undefined removes the field). */
export type RequestPatch = Partial<Omit<ChangeRequest, 'id' | 'status' | 'results' | 'items'>>;

/** transitionRequest's arguments, as the stores' parts take them. */
export type RequestTransition = Parameters<Store['transitionRequest']>;

export interface Store {
  /**
   * Reads and validates the files; throws StoreError when they are corrupt (and leaves them
   * untouched). A disk that takes no writes does not fail open(): health() says so.
   */
  open(): Promise<void>;
  /** Writable or not, right now; changes by itself when the disk recovers. */
  health(): StoreHealth;

  /** Coalesced. */
  createDraft(draft: NewDraft): Promise<Draft>;
  /** The draft, or null when unknown, expired, or `id` is not a draft id at all. */
  getDraft(id: string): Promise<Draft | null>;
  /** Applies `change` to the current draft atomically; null when unknown or expired. Coalesced. */
  updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null>;
  /**
   * Removes the draft and returns it in one step, when it is live and belongs to `ownerId`; null
   * otherwise. Of concurrent calls for one draft exactly one gets it, which is what makes a
   * submission of the same modal create one request even when Slack delivers it twice. In memory
   * only: the request saved next (durable) carries the removal to disk.
   */
  takeDraft(id: string, ownerId: string): Promise<Draft | null>;
  /** Puts back a draft taken with takeDraft, with a fresh expiry, when what followed did not happen. */
  restoreDraft(draft: Draft): Promise<Draft>;

  /** Durable. A new request (its items and results included); an id already saved is refused (`invalid_value`). */
  saveRequest(request: ChangeRequest): Promise<void>;
  getRequest(id: string): Promise<ChangeRequest | null>;
  /** The request submitted from draft `draftId`, if any (a retried delivery of that submission). */
  findRequestByDraft(draftId: string): Promise<ChangeRequest | null>;
  /** Most recent first, with items and results. */
  listRequests(filter: RequestFilter): Promise<ChangeRequest[]>;
  /** Most recent first, without items and results (cheap at any store size). */
  listRequestHeaders(filter: RequestFilter): Promise<RequestHeader[]>;
  /**
   * Durable. Moves a request to `to` only when its status is one of `from` (compare-and-set);
   * returns the updated request, or null when the status did not match. This is what makes
   * decisions happen once.
   */
  transitionRequest(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    patch?: RequestPatch,
  ): Promise<ChangeRequest | null>;
  /**
   * Records per-user results as they land. Coalesced: `flush()` before telling anyone about them.
   * A result for a part that already has one replaces it. An unknown request is refused (`invalid_value`).
   */
  recordResults(requestId: string, results: readonly ItemResult[]): Promise<void>;

  /**
   * Durable. Records, for a request, each user's licenses of the products its run is about to
   * change, before it changes them (what an undo restores). First write wins: a user already
   * recorded for the request keeps that record, so a resumed run, reading holdings it has changed
   * itself, never overwrites the state before the run. An unknown request is refused (`invalid_value`).
   */
  recordPriorState(requestId: string, states: readonly PriorState[]): Promise<void>;
  /** The state recorded for the request's users before its run changed them (none for an unknown request). */
  getPriorState(requestId: string): Promise<PriorState[]>;

  /** Durable. */
  saveApproval(approval: Approval): Promise<void>;
  getApproval(requestId: string): Promise<Approval | null>;
  listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]>;
  /** Durable. Compare-and-set on the approval's status, like transitionRequest. */
  decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>,
  ): Promise<Approval | null>;

  /** Coalesced. */
  appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void>;
  listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]>;

  /**
   * Retention: archives (never silently drops) finished requests, expired drafts and audit rows
   * older than the retention period; returns how many of each went to the archive. Records leave
   * the store only once their archive lines are on disk, so an interruption can leave a record in
   * both, never in neither. Rejects with StoreUnavailableError when it cannot write.
   */
  archiveOld(): Promise<{ requests: number; drafts: number; audit: number }>;

  /**
   * Runs `work` while no other caller holding `key` runs, across every process sharing the store
   * (lowdb: this process; PostgreSQL: an advisory lock); callers of one key run in turn, and a
   * failed `work` does not stop the next. What `work` throws is passed on; failing to take the
   * lock rejects with StoreUnavailableError.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;

  /** Waits until everything recorded so far is on disk; rejects with StoreUnavailableError if it cannot. */
  flush(): Promise<void>;
  /** Flushes (retrying a failed write for a bounded time) and stops the write timer. */
  close(): Promise<void>;
}

/**
 * Why the store refused, stable for callers and start-up to branch on: `store_corrupt` (a file
 * cannot be read or does not parse; it is left untouched), `store_unavailable` (the disk takes no
 * writes now), `invalid_value` (a value the schema refuses; nothing was stored), `store_closed`
 * (used before open() or after close()).
 */
export type StoreErrorCode = 'store_corrupt' | 'store_unavailable' | 'invalid_value' | 'store_closed';

export class StoreError extends Error implements CodedError {
  override readonly name: string = 'StoreError';
  readonly code: StoreErrorCode;
  constructor(message: string, options: { code: StoreErrorCode; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/** The store cannot write right now; the change that got this was not kept. */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, code: 'store_unavailable' });
  }
}

/** What a person is told when the store refuses a change. */
export const CANNOT_SAVE_TEXT =
  'LicenseDesk cannot save right now; nothing was changed. Try again in a few minutes.';
