/**
 * Approval decisions. Approve, reject and expire are compare-and-set on the store, so a decision
 * is taken once even when two approvers click at the same moment; the request's status is the
 * decision of record, and reconcile() repairs a stop between the approval's and the request's.
 */
import type { Approval, Store } from '../store/store.js';
import type { ChangeRequest } from './model.js';
import { isApprovalExpired } from './policy.js';
import { type DecisionResult, MANY } from './service-types.js';

export interface DecisionsOptions {
  store: Store;
  now: () => Date;
  /** Requests made runnable here whose run has not begun (see LicensingService). */
  startingHere: Set<string>;
}

/** The patch that takes a decided approval back to pending. */
const undecided = {
  status: 'pending',
  decidedBy: undefined,
  decidedAt: undefined,
  decisionReason: undefined,
} as const;

export class Decisions {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #startingHere: Set<string>;

  constructor(options: DecisionsOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#startingHere = options.startingHere;
  }

  /** Pending approvals not past their time, oldest first as the store lists them. */
  async pending(limit: number): Promise<Approval[]> {
    const now = this.#now();
    const pending = await this.#store.listApprovals({ status: ['pending'], limit: MANY });
    return pending.filter((approval) => !isApprovalExpired(approval, now)).slice(0, limit);
  }

  /** Expires every pending approval past its time; returns those that expired now. */
  async expireDue(): Promise<Approval[]> {
    const now = this.#now();
    const pending = await this.#store.listApprovals({ status: ['pending'], limit: MANY });
    const expired: Approval[] = [];
    for (const approval of pending) {
      if (!isApprovalExpired(approval, now)) continue;
      const marked = await this.#expire(approval.requestId);
      if (marked) expired.push(marked);
    }
    return expired;
  }

  async decide(
    requestId: string,
    approverId: string,
    status: 'approved' | 'rejected',
    decisionReason?: string,
  ): Promise<DecisionResult> {
    const approval = await this.#store.getApproval(requestId);
    if (!approval) return { ok: false, why: 'not_found', approval: null };
    if (approval.requestedBy === approverId) return { ok: false, why: 'self_decision', approval };
    if (approval.status === 'expired') return { ok: false, why: 'expired', approval };
    if (approval.status !== 'pending') return { ok: false, why: 'already_decided', approval };
    if (isApprovalExpired(approval, this.#now())) {
      const expired = await this.#expire(requestId);
      return expired
        ? { ok: false, why: 'expired', approval: expired }
        : await this.#lostRace(requestId, approval);
    }
    const decided = await this.#store.decideApproval(requestId, ['pending'], {
      status,
      decidedBy: approverId,
      decidedAt: this.#now().toISOString(),
      ...(decisionReason === undefined ? {} : { decisionReason }),
    });
    if (!decided) return this.#lostRace(requestId, approval);
    const request = await this.#moveRequest(requestId, status);
    await this.#store.appendAudit({
      actor: approverId,
      action: status,
      requestId,
      outcome: request ? request.status : 'request_not_pending',
      ...(decisionReason === undefined ? {} : { details: { reason: decisionReason } }),
    });
    const current = request ?? (await this.#store.getRequest(requestId));
    if (!current) return { ok: false, why: 'not_found', approval: decided };
    return { ok: true, request: current, approval: decided };
  }

  /**
   * A stop between an approval's decision and its request's transition leaves the approval
   * decided and the request pending: the request's status is the decision of record, so an
   * approval or rejection goes back to pending (the manager decides again), an expiry completes.
   */
  async reconcile(): Promise<void> {
    const decided = await this.#store.listApprovals({
      status: ['approved', 'rejected', 'expired'],
      limit: MANY,
    });
    for (const approval of decided) {
      const request = await this.#store.getRequest(approval.requestId);
      if (request?.status !== 'pending_approval') continue;
      if (approval.status === 'expired') {
        await this.#store.transitionRequest(approval.requestId, ['pending_approval'], 'expired');
      } else {
        await this.#store.decideApproval(approval.requestId, [approval.status], undecided);
      }
      await this.#store.appendAudit({
        actor: 'system',
        action: 'decision_reconciled',
        requestId: approval.requestId,
        outcome: approval.status === 'expired' ? 'expired' : 'pending',
      });
    }
  }

  /** The request follows its approval's decision; if that fails, the approval goes back to pending. */
  async #moveRequest(requestId: string, status: 'approved' | 'rejected'): Promise<ChangeRequest | null> {
    if (status === 'approved') this.#startingHere.add(requestId);
    let request: ChangeRequest | null;
    try {
      request = await this.#store.transitionRequest(requestId, ['pending_approval'], status);
    } catch (error) {
      // The request's status is the decision of record: undo the approval's so both say "pending".
      this.#startingHere.delete(requestId);
      await this.#store.decideApproval(requestId, [status], undecided).catch(() => {});
      throw error;
    }
    if (request === null) this.#startingHere.delete(requestId);
    return request;
  }

  async #lostRace(requestId: string, fallback: Approval): Promise<DecisionResult> {
    const now = (await this.#store.getApproval(requestId)) ?? fallback;
    return { ok: false, why: now.status === 'expired' ? 'expired' : 'already_decided', approval: now };
  }

  async #expire(requestId: string): Promise<Approval | null> {
    const expired = await this.#store.decideApproval(requestId, ['pending'], {
      status: 'expired',
      decidedAt: this.#now().toISOString(),
    });
    if (!expired) return null;
    await this.#store.transitionRequest(requestId, ['pending_approval'], 'expired');
    await this.#store.appendAudit({
      actor: 'system',
      action: 'approval_expired',
      requestId,
      outcome: 'expired',
    });
    return expired;
  }
}
