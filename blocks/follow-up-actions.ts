/**
 * The follow-ups a finished request offers on its summary (one actions block: "Retry failed (N)",
 * "Undo" while its undo window is open), and the words that say what a follow-up request follows up.
 * The buttons carry the request id only: the listener checks everything again from the store and
 * the signed user. Pure.
 */
import type { ActionsBlock, Button } from '@slack/types';
import { retryableFailures } from '../src/licensing/follow-up.js';
import type { ChangeRequest } from '../src/licensing/model.js';
import { undoableUntil } from '../src/licensing/undo.js';
import { actions, button, slackDate } from './elements.js';
import { usableUrl } from './failure-text.js';
import { ids } from './ids.js';
import { escapeMrkdwn } from './limits.js';

/** When Undo is offered: for `undoDays` (UNDO_DAYS) after the request finished, as of `now` (ms). */
export interface UndoOffer {
  undoDays: number;
  now: number;
}

/** True when the request changed something and its undo window is still open at `offer.now`. */
function undoable(request: ChangeRequest, offer: UndoOffer | undefined): boolean {
  if (offer === undefined) return false;
  const until = undoableUntil(request, offer.undoDays);
  if (until === null || until.getTime() <= offer.now) return false;
  return Object.values(request.results).some((result) => result.outcome === 'success');
}

/** The summary's follow-up buttons of a completed request, or null when it offers none. */
export function followUpActions(request: ChangeRequest, offer?: UndoOffer): ActionsBlock | null {
  if (request.status !== 'completed') return null;
  const retryable = retryableFailures(request).length;
  const buttons: Button[] = [];
  if (retryable > 0) {
    buttons.push(
      button({
        actionId: ids.actions.retryFailed,
        text: `Retry failed (${retryable})`,
        value: request.id,
        accessibilityLabel: `Retry the ${retryable} failed changes that can be tried again`,
      }),
    );
  }
  if (undoable(request, offer)) {
    buttons.push(
      button({
        actionId: ids.actions.undo,
        text: 'Undo',
        value: request.id,
        accessibilityLabel: 'Put back the licenses this request changed as they were before it ran',
      }),
    );
  }
  return buttons.length === 0 ? null : actions(buttons, ids.blocks.followUpActions);
}

/** What a follow-up is, as its headline starts: "Retry", "Undo". */
export function followUpName(request: Pick<ChangeRequest, 'followUpOf'>): string | null {
  switch (request.followUpOf?.kind) {
    case 'retry':
      return 'Retry';
    case 'undo':
      return 'Undo';
    default:
      return null;
  }
}

/**
 * "<link|license request req_…>" (mrkdwn): the request a follow-up is made from, linked to its
 * summary when the link is known; `createdAt` adds its date.
 */
export function followedUpRequest(request: Pick<ChangeRequest, 'followUpOf'>, createdAt?: string): string {
  const of = request.followUpOf;
  if (of === undefined) return '';
  const when = createdAt === undefined ? '' : ` of ${slackDate(createdAt, '{date_short_pretty}')}`;
  const words = `license request ${escapeMrkdwn(of.requestId)}${when}`;
  const url = usableUrl(of.summaryLink);
  return url === null ? words : `<${url}|${words}>`;
}
