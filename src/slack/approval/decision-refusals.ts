/**
 * What a clicker is told when they cannot decide a request: it is gone, it is their own (and who
 * can decide instead, never them), or it was decided or expired already. Their own decision
 * clicked again (a double click, a client still showing the buttons) is told nothing.
 */
import { slackDate, userMention } from '../../../blocks/elements.js';
import type { DecisionResult } from '../../licensing/licensing-service.js';
import type { Approval } from '../../store/store.js';
import type { ApprovalNotifier } from './approval-notifier.js';

export type DecisionRefusal = Extract<DecisionResult, { ok: false }>;

/** True when `userId` clicks again the decision they took themselves: nothing changes, nothing is said. */
export function isOwnDecisionAgain(
  approval: Approval | null,
  userId: string,
  decision: 'approved' | 'rejected',
): boolean {
  return approval?.status === decision && approval.decidedBy === userId;
}

/** Why `userId` cannot decide `approval` now (before asking for a reason); null when they can. */
export function refusalBeforeDecision(
  approval: Approval | null,
  userId: string,
  notifier: ApprovalNotifier,
): { why: DecisionRefusal['why']; text: string } | null {
  if (approval === null) return { why: 'not_found', text: 'This request no longer exists.' };
  if (approval.requestedBy === userId) {
    return { why: 'self_decision', text: selfDecisionText(notifier, userId) };
  }
  if (approval.status === 'expired') return { why: 'expired', text: alreadyDecidedText(approval) };
  if (approval.status !== 'pending') return { why: 'already_decided', text: alreadyDecidedText(approval) };
  return null;
}

function selfDecisionText(notifier: ApprovalNotifier, requestedBy: string | undefined): string {
  return `You asked for this request, so someone else must decide on it: ${notifier.decidersText(requestedBy)}.`;
}

function alreadyDecidedText(approval: Approval): string {
  const who = approval.decidedBy === undefined ? '' : ` by ${userMention(approval.decidedBy)}`;
  const when = approval.decidedAt === undefined ? '' : ` ${slackDate(approval.decidedAt)}`;
  switch (approval.status) {
    case 'approved':
      return `This request was already approved${who}${when}.`;
    case 'rejected':
      return `This request was already rejected${who}${when}.`;
    case 'expired':
      return `This request expired ${slackDate(approval.expiresAt)} and can no longer be decided.`;
    case 'pending':
      return 'This request is still waiting for a decision.';
  }
}

/** The explanation for a decision the service refused. */
export function refusalText(result: DecisionRefusal, notifier: ApprovalNotifier): string {
  switch (result.why) {
    case 'not_found':
      return 'This request no longer exists.';
    case 'self_decision':
      return selfDecisionText(notifier, result.approval?.requestedBy);
    case 'already_decided':
      return result.approval === null
        ? 'This request was already decided.'
        : alreadyDecidedText(result.approval);
    case 'expired':
      return result.approval === null
        ? 'This request expired and can no longer be decided.'
        : alreadyDecidedText({ ...result.approval, status: 'expired' });
  }
}
