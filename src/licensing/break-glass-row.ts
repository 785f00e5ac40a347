/**
 * The `break_glass` audit row of a request saved to run without the approval it needed: written
 * at submit, and again from the request at start when a stop cut it off (it is coalesced).
 */
import type { AuditEntry } from '../store/store.js';
import type { RequestHeader } from './model.js';

type BreakGlassRequest = Pick<
  RequestHeader,
  'id' | 'requestedBy' | 'status' | 'reason' | 'customerId' | 'approvalBasis'
>;

export function breakGlassRow(
  request: BreakGlassRequest,
  extra: Record<string, unknown> = {},
): Omit<AuditEntry, 'at'> {
  return {
    actor: request.requestedBy,
    action: 'break_glass',
    requestId: request.id,
    outcome: request.status,
    details: {
      reason: request.reason ?? '',
      customerId: request.customerId,
      revocations: request.approvalBasis?.own,
      threshold: request.approvalBasis?.threshold,
      ...extra,
    },
  };
}
