/**
 * The views after "Apply" / "Request approval": "Sending request" while it is checked and saved,
 * then "Request sent" / "Sent for approval" (the same for a retried delivery, from the stored
 * request), plan changes named by plan when the customer's catalogue tells the plans' names.
 */
import type { ModalView } from '@slack/types';
import { ids } from '../../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../../blocks/loading.js';
import { replaceLines, replaceTotals } from '../../../blocks/replace-words.js';
import { productLabel } from '../../../blocks/run-summary.js';
import { planChangeLines, renderSubmitted, type SubmittedData } from '../../../blocks/submitted.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { approvalReason } from '../../licensing/policy.js';
import type { PostedSummary } from '../runs/summary-message.js';
import type { ListenerDeps } from './deps.js';

export const ALREADY_SUBMITTED =
  'This request was already submitted: its summary is posted where you ran /licenses. Run /licenses again for another change.';

export type Submitted = {
  ok: true;
  request: ChangeRequest;
  needsApproval: boolean;
  assignments: number;
  /** Of `assignments`, holders who only change plans (from the stored items for a retried delivery). */
  planChanges?: number;
  revocations: number;
  /** It needed approval and runs at once (break-glass): its notice goes to the approvals channel. */
  breakGlass?: true;
  /** A retried delivery of a submission that already took effect: show it, start nothing. */
  repeated?: true;
};

/** Planned changes of a stored request, as the submitted view counts them. */
export function plannedCounts(request: ChangeRequest) {
  let [assignments, planChanges, revocations] = [0, 0, 0];
  for (const item of request.items) {
    assignments += item.change.assign.length;
    planChanges += item.planChanges?.length ?? 0;
    revocations += item.change.revoke.length;
  }
  return { assignments, planChanges, revocations };
}

/** The outcome a first delivery had, for a retried one: same view, nothing run twice. */
export function repeatedOutcome(request: ChangeRequest): Submitted {
  return {
    ok: true,
    request,
    needsApproval: request.approvalRequired ?? request.status === 'pending_approval',
    ...plannedCounts(request),
    repeated: true,
  };
}

export function sendingView(): ModalView {
  return renderLoading({
    callbackId: ids.views.submitted,
    title: 'Sending request',
    text: 'Checking and saving the request…',
  });
}

export function alreadySubmittedView(): ModalView {
  return renderNotice({ callbackId: ids.views.submitted, title: 'Request sent', text: ALREADY_SUBMITTED });
}

export async function submittedView(
  deps: ListenerDeps,
  channelId: string,
  outcome: Submitted,
  summary?: PostedSummary,
): Promise<ModalView> {
  // Read once per request and only when it changes holders' plans (cached by the notifier).
  const catalog = await deps.approvals.planCatalog(outcome.request);
  const lines = catalog === undefined ? null : planChangeLines(outcome.request, catalog);
  const { request } = outcome;
  // A replacement is said as one line; its parts are not counted again as assignments and revocations.
  const replaced = replaceTotals(request);
  const replacedAssignments = replaced.reduce((n, t) => n + t.users - t.hadTo, 0);
  const replacedRevocations = replaced.reduce((n, t) => n + t.users, 0);
  const data: SubmittedData = {
    requestId: outcome.request.id,
    customerName: outcome.request.customerName,
    requestedBy: outcome.request.requestedBy,
    status: outcome.needsApproval ? 'pending_approval' : 'running',
    resultsChannelId: summary?.channel ?? channelId,
    resultsInDm: summary?.movedToDm ?? false,
    assignments: outcome.assignments - replacedAssignments,
    ...(outcome.planChanges === undefined ? {} : { planChanges: outcome.planChanges }),
    ...(lines === null ? {} : { planChangeLines: lines }),
    revocations: outcome.revocations - replacedRevocations,
    replaceLines: replaceLines(request, (skuId) => productLabel(request, skuId)),
    ...(outcome.needsApproval && outcome.request.approvalBasis !== undefined
      ? { approvalReason: approvalReason(outcome.request.approvalBasis) }
      : {}),
    ...(outcome.needsApproval
      ? {
          approvers: deps.config.APPROVER_USER_IDS,
          approvalChannelId: deps.config.APPROVAL_CHANNEL_ID ?? null,
        }
      : {}),
  };
  return renderSubmitted(data);
}
