/**
 * The approval policy: large revocations wait for a second person. Revocations are planned
 * users × products actually revoked (no-ops do not count).
 */
import type { Approval } from '../store/store.js';

/** True when the request's revocations reach the threshold (`APPROVAL_REVOKE_THRESHOLD`). */
export function needsApproval(revocations: number, threshold: number): boolean {
  return revocations > 0 && revocations >= threshold;
}

/** When an approval created at `createdAt` stops being decidable. */
export function approvalExpiresAt(createdAt: Date, ttlHours: number): Date {
  return new Date(createdAt.getTime() + ttlHours * 3_600_000);
}

/** A pending approval past its expiry can no longer be decided. */
export function isApprovalExpired(approval: Pick<Approval, 'expiresAt'>, now: Date): boolean {
  return Date.parse(approval.expiresAt) <= now.getTime();
}
