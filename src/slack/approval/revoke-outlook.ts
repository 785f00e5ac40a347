/**
 * How many of a pending request's revocations are expected to fail, for the approval message
 * ("1 of the 4 revocations is expected to fail: held through a group"). Predicted by the service
 * (eligibility.ts, the manage step's rules) once per request while it waits for a decision;
 * without it the message says nothing of it.
 */
import type { Logger } from '@slack/bolt';
import type { RevocationOutlook } from '../../../blocks/approval-request.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import type { Approval } from '../../store/store.js';
import { PerRequestMemo } from './per-request-memo.js';

/** The outlook of a pending request with revocations, or undefined (decided, none, not known). */
export type RevokeOutlooks = (
  request: ChangeRequest,
  approval: Approval,
) => Promise<RevocationOutlook | undefined>;

export function revokeOutlooks(service: LicensingService, logger: Logger): RevokeOutlooks {
  const outlooks = new PerRequestMemo<RevocationOutlook>(
    logger,
    (id) => `predicting the revocations of ${id} failed; the message leaves it out`,
  );
  return async (request, approval) => {
    if (approval.status !== 'pending') return undefined;
    const revocations = request.items.reduce((n, item) => n + item.change.revoke.length, 0);
    if (revocations === 0) return undefined;
    return outlooks.of(request.id, async () => {
      const refusals = await service.revocationOutlook(request);
      const byReason = new Map<string, number>();
      for (const r of refusals) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
      return { revocations, failing: refusals.length, byReason: [...byReason] };
    });
  };
}
