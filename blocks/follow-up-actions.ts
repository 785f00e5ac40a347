/**
 * The follow-ups a finished request offers on its summary (one actions block: "Retry failed (N)";
 * undo adds its button beside it), and the words that say what a follow-up request follows up.
 * The buttons carry the request id only: the listener checks everything again from the store and
 * the signed user. Pure.
 */
import type { ActionsBlock } from '@slack/types';
import { retryableFailures } from '../src/licensing/follow-up.js';
import type { ChangeRequest } from '../src/licensing/model.js';
import { actions, button, slackDate } from './elements.js';
import { usableUrl } from './failure-text.js';
import { ids } from './ids.js';
import { escapeMrkdwn } from './limits.js';

/** The summary's follow-up buttons of a completed request, or null when it offers none. */
export function followUpActions(request: ChangeRequest): ActionsBlock | null {
  if (request.status !== 'completed') return null;
  const retryable = retryableFailures(request).length;
  if (retryable === 0) return null;
  return actions(
    [
      button({
        actionId: ids.actions.retryFailed,
        text: `Retry failed (${retryable})`,
        value: request.id,
        accessibilityLabel: `Retry the ${retryable} failed changes that can be tried again`,
      }),
    ],
    ids.blocks.followUpActions,
  );
}

/** What a follow-up is, as its headline starts: "Retry". */
export function followUpName(request: Pick<ChangeRequest, 'followUpOf'>): string | null {
  switch (request.followUpOf?.kind) {
    case 'retry':
      return 'Retry';
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
