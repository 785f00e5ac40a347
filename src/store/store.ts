/**
 * The bot's own memory behind one port: drafts of open modals, change requests with their
 * per-user results, approvals and an audit log. The lowdb adapter serves one process; a shared
 * database can implement the same port for several replicas.
 */
import type { ChangeRequest, ItemResult, RequestStatus } from '../licensing/model.js';
import type { Approval, AuditEntry, Draft, NewDraft } from './store-schema.js';

export type { Approval, AuditEntry, Draft, NewDraft } from './store-schema.js';

export interface Store {
  /** Reads and validates the file; throws StoreError when it is corrupt (and leaves it untouched). */
  open(): Promise<void>;

  createDraft(draft: NewDraft): Promise<Draft>;
  /** The draft, or null when unknown or expired. */
  getDraft(id: string): Promise<Draft | null>;
  /** Applies `change` to the current draft atomically; null when unknown or expired. */
  updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null>;
  /**
   * Removes the draft and returns it in one step, when it is live and belongs to `ownerId`; null
   * otherwise. Of concurrent calls for one draft exactly one gets it, which is what makes a
   * submission of the same modal create one request even when Slack delivers it twice.
   */
  takeDraft(id: string, ownerId: string): Promise<Draft | null>;
  /** Puts back a draft taken with takeDraft, with a fresh expiry, when what followed did not happen. */
  restoreDraft(draft: Draft): Promise<Draft>;

  saveRequest(request: ChangeRequest): Promise<void>;
  getRequest(id: string): Promise<ChangeRequest | null>;
  /** Most recent first. */
  listRequests(filter: {
    requestedBy?: string;
    status?: RequestStatus[];
    limit: number;
  }): Promise<ChangeRequest[]>;
  /**
   * Moves a request to `to` only when its status is one of `from` (compare-and-set); returns the
   * updated request, or null when the status did not match. This is what makes decisions happen once.
   */
  transitionRequest(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    patch?: Partial<Omit<ChangeRequest, 'id' | 'status' | 'results'>>,
  ): Promise<ChangeRequest | null>;
  /** Records per-user results as they land; writes to disk are coalesced. */
  recordResults(requestId: string, results: readonly ItemResult[]): Promise<void>;

  saveApproval(approval: Approval): Promise<void>;
  getApproval(requestId: string): Promise<Approval | null>;
  listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]>;
  /** Compare-and-set on the approval's status, like transitionRequest. */
  decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>,
  ): Promise<Approval | null>;

  appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void>;
  listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]>;

  /** Waits until everything recorded so far is on disk. */
  flush(): Promise<void>;
  /** Flushes and stops the write timer. */
  close(): Promise<void>;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
}
