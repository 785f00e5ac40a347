/**
 * The approval policy: large revocations wait for a second person.
 *
 * What counts as a revocation:
 * - each user × product the request revokes (no-ops do not count);
 * - each user × product whose service plans it turns off while the user keeps the product: a
 *   re-assignment whose disabled plans include a plan the user has enabled now takes those
 *   services away, which is a revocation of them (one per user × product, however many plans).
 *   Turning every plan off is the extreme case, not a loophole.
 *
 * Where it counts: one operator's revocations on one customer over the approval window
 * (APPROVAL_WINDOW_HOURS), so splitting a large change into small requests does not dodge the
 * threshold. Earlier requests count when they ran, or will run, without a manager's approval
 * (approved, running or completed, and not approval-required); a request a manager approved was
 * reviewed, and a rejected or expired one revoked nothing. A request that revokes nothing never
 * needs approval, whatever came before it. Requests saved before the policy recorded their count
 * (no `revocations`) count as none.
 */
import type { ApprovalBasis, RequestHeader, RequestStatus } from './model.js';

export type { ApprovalBasis } from './model.js';

/** Statuses of earlier requests whose revocations took, or will take, effect. */
export const WINDOW_STATUSES: readonly RequestStatus[] = ['approved', 'running', 'completed'];

/** What one request takes away, as the policy counts it. */
export interface RequestRevocations {
  /** Users × products revoked. */
  revocations: number;
  /** Users × products whose enabled service plans shrink (re-assigned with plans turned off). */
  planRemovals: number;
}

/** The approval rule's settings: APPROVAL_THRESHOLD over APPROVAL_WINDOW_HOURS. */
export interface ApprovalPolicy {
  threshold: number;
  windowHours: number;
}

/** True when a request taking away `own` reaches the threshold together with `earlier`. */
export function needsApproval(own: number, threshold: number, earlier = 0): boolean {
  return own > 0 && own + earlier >= threshold;
}

/** Whether an earlier request's revocations count toward the window. */
export function countsInWindow(request: Pick<RequestHeader, 'status' | 'approvalRequired'>): boolean {
  return WINDOW_STATUSES.includes(request.status) && request.approvalRequired !== true;
}

/**
 * True for a request that needed a manager's approval and was saved to run without one:
 * break-glass. The request itself says so, so it is known even when its audit row is not.
 */
export function ranWithoutApproval(
  request: Pick<RequestHeader, 'approvalRequired' | 'approvalBasis'>,
): boolean {
  return request.approvalBasis?.needsApproval === true && request.approvalRequired !== true;
}

/** Where the window starts for a request made at `now`. */
export function windowStart(now: Date, windowHours: number): Date {
  return new Date(now.getTime() - windowHours * 3_600_000);
}

export function approvalBasis(
  request: RequestRevocations,
  earlier: readonly Pick<RequestHeader, 'status' | 'approvalRequired' | 'revocations'>[],
  policy: ApprovalPolicy,
): ApprovalBasis {
  const counted = earlier.filter(countsInWindow);
  const own = request.revocations + request.planRemovals;
  const earlierRevocations = counted.reduce((sum, header) => sum + (header.revocations ?? 0), 0);
  return {
    revocations: request.revocations,
    planRemovals: request.planRemovals,
    own,
    earlierRequests: counted.filter((header) => (header.revocations ?? 0) > 0).length,
    earlierRevocations,
    total: own + earlierRevocations,
    threshold: policy.threshold,
    windowHours: policy.windowHours,
    needsApproval: needsApproval(own, policy.threshold, earlierRevocations),
  };
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * What a request takes away, without zero counts: "revokes 2 licenses and turns service plans off
 * on 3 licenses users keep".
 */
export function takenAwayText(revocations: number, planRemovals: number): string {
  const taken: string[] = [];
  if (revocations > 0) taken.push(`revokes ${counted(revocations, 'license')}`);
  if (planRemovals > 0)
    taken.push(`turns service plans off on ${counted(planRemovals, 'license')} users keep`);
  return taken.join(' and ');
}

/**
 * One plain sentence on why a request needs approval, for the operator and the manager: "it
 * revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6
 * revocations, and 5 or more need a manager's approval."
 */
export function approvalReason(basis: ApprovalBasis): string {
  const what = `it ${takenAwayText(basis.revocations, basis.planRemovals)}`;
  const rule = `${basis.threshold} or more need a manager's approval.`;
  if (basis.earlierRevocations === 0) return `${what}: ${counted(basis.own, 'revocation')}, and ${rule}`;
  const earlier = counted(basis.earlierRequests, 'earlier request');
  return (
    `${what}; with your ${earlier} on this customer in the last ${basis.windowHours} h: ` +
    `${counted(basis.total, 'revocation')}, and ${rule}`
  );
}

/** When an approval created at `createdAt` stops being decidable. */
export function approvalExpiresAt(createdAt: Date, ttlHours: number): Date {
  return new Date(createdAt.getTime() + ttlHours * 3_600_000);
}

/** A pending approval past its expiry can no longer be decided. */
export function isApprovalExpired(approval: { expiresAt: string }, now: Date): boolean {
  return Date.parse(approval.expiresAt) <= now.getTime();
}
