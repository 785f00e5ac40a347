/**
 * The approval basis of a change: its own revocations plus the operator's earlier ones on the
 * same customer within the window, against the threshold (the rule itself is in policy.ts).
 */
import type { Store } from '../store/store.js';
import {
  type ApprovalBasis,
  type ApprovalPolicy,
  approvalBasis,
  WINDOW_STATUSES,
  windowStart,
} from './policy.js';
import { MANY } from './service-types.js';

export interface ApprovalWindowOptions extends ApprovalPolicy {
  store: Store;
  now: () => Date;
}

export class ApprovalWindow {
  constructor(private readonly options: ApprovalWindowOptions) {}

  /** Without `requestedBy` (or with nothing taken away) no earlier request counts. */
  async basis(
    requestedBy: string | undefined,
    customerId: string,
    own: { revocations: number; planRemovals: number },
  ): Promise<ApprovalBasis> {
    const { store, threshold, windowHours, now } = this.options;
    const policy = { threshold, windowHours };
    if (requestedBy === undefined || own.revocations + own.planRemovals === 0) {
      return approvalBasis(own, [], policy);
    }
    const earlier = await store.listRequestHeaders({
      requestedBy,
      customerId,
      status: WINDOW_STATUSES,
      createdSince: windowStart(now(), windowHours).toISOString(),
      limit: MANY,
    });
    return approvalBasis(own, earlier, policy);
  }
}
