/**
 * What a follow-up (retry, undo) that cannot be made says, in words: the refusals of the follow-up
 * framework and the plan problems of its parts, worded for its kind.
 */
import { BREAK_GLASS_REASON_REQUIRED } from '../../../blocks/break-glass.js';
import type { FollowUpRefusal } from '../../licensing/licensing-service.js';
import type { FollowUpKind } from '../../licensing/model.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { approvalReason } from '../../licensing/policy.js';

const DONE: Record<FollowUpKind, string> = { retry: 'retried', undo: 'undone' };

export const NOTHING_LEFT: Record<FollowUpKind, string> = {
  retry:
    'Nothing is left to retry: every change that failed for a reason a retry can get past is done by now.',
  undo: 'Nothing is left to undo: this request was undone already, or nothing it changed can be put back.',
};

/** Every part of the follow-up would change nothing (the plan is empty). */
const NOTHING_TO_CHANGE: Record<FollowUpKind, string> = {
  retry: NOTHING_LEFT.retry,
  undo: 'Nothing is left to undo: every license this request changed is as it was before already, or was changed since and is left as it is.',
};

/** What a follow-up waiting or running says when another is asked for. */
const WAIT: Record<FollowUpKind, string> = {
  retry: 'Once it has finished, its own summary offers to retry what still fails.',
  undo: 'Once it has finished, undo this request again if anything is left to put back.',
};

/** Why no follow-up `kind` can be made now, in words; `undoDays` is UNDO_DAYS. */
export function refusalText(kind: FollowUpKind, refused: FollowUpRefusal, undoDays: number): string {
  switch (refused.why) {
    case 'not_found':
      return `LicenseDesk no longer has this request, so it cannot be ${DONE[kind]}.`;
    case 'not_finished':
      return kind === 'retry'
        ? 'This request has not finished yet: retry what failed once it has.'
        : 'This request has not finished yet: undo it once it has.';
    case 'in_progress': {
      const { pending } = refused;
      const { status } = pending;
      const state =
        status === 'pending_approval' ? 'waiting for approval' : status === 'approved' ? 'queued' : status;
      const what = pending.followUpOf?.kind === 'undo' ? 'An undo' : 'A retry';
      return `${what} of this request is already ${state} (request ${pending.id}). ${WAIT[kind]}`;
    }
    case 'nothing_left':
      return NOTHING_LEFT[kind];
    case 'too_late':
      return `This request can no longer be undone: undo is possible for ${undoDays} days after a request finished, and for this one that ended on ${refused.until.slice(0, 10)}.`;
  }
}

/** A plan problem of a follow-up, in words (every one is shown under the reason: the only input). */
export function problemText(
  kind: FollowUpKind,
  problems: readonly PlanProblem[],
  breakGlass: boolean,
): string {
  const [problem] = problems;
  switch (problem?.kind) {
    case 'empty':
      return NOTHING_TO_CHANGE[kind];
    case 'no_users':
      return `None of these users is in the customer’s directory any more: nothing to ${kind}.`;
    case 'reason_required':
      if (breakGlass) return BREAK_GLASS_REASON_REQUIRED;
      return problem.basis === undefined
        ? `This ${kind} needs a manager’s approval: give a reason.`
        : `This ${kind} needs a manager’s approval: ${approvalReason(problem.basis)} Give a reason.`;
    case 'unknown_customer':
      return 'This customer is no longer available.';
    default:
      return `A product of this request is no longer offered for this customer: it cannot be ${DONE[kind]}.`;
  }
}
