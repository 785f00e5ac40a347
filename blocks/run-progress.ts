/**
 * A run at a glance, for its summary: a progress bar made of text, the time left at the pace so
 * far, and at the end one line per group of failures (product × reason, with the number of users).
 */
import type { ChangeRequest, FailureReason } from '../src/licensing/model.js';
import { plural } from './elements.js';
import { groupFailuresByKind } from './failure-kinds.js';
import { type FailureMessages, reasonText } from './failure-text.js';
import { escapeMrkdwn } from './limits.js';
import { replacementOf, replacementsOf, replaceNames } from './replace-words.js';

/** Segments of the progress bar: fixed, so the bar does not jump as the numbers grow. */
export const PROGRESS_BAR_WIDTH = 10;

/**
 * "▰▰▰▰▱▱▱▱▱▱ 48 of 120": segments filled in proportion, rounded down, so the bar is full only
 * when every part is done.
 */
export function progressBar(done: number, total: number, width = PROGRESS_BAR_WIDTH): string {
  const share = total > 0 ? Math.max(0, Math.min(done, total)) / total : 0;
  const filled = Math.floor(share * width);
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${done} of ${total}`;
}

/**
 * The time left at the pace so far ("about 2 min left"): the time since `startedAt` per part
 * done since then, times the parts left. `doneBefore` parts were done before `startedAt` (a run
 * resumed after a restart measures its pace from the resumption). Null before there is a pace to
 * measure (nothing done since the start, no start time, a clock behind the start) and once
 * everything is done.
 */
export function timeLeft(
  startedAt: string | undefined,
  done: number,
  total: number,
  now: number,
  doneBefore = 0,
): string | null {
  const doneSince = done - doneBefore;
  if (startedAt === undefined || doneSince <= 0 || done >= total) return null;
  const elapsed = now - Date.parse(startedAt);
  if (!Number.isFinite(elapsed) || elapsed <= 0) return null;
  const minutes = Math.round(((elapsed / doneSince) * (total - done)) / 60_000);
  if (minutes < 1) return 'less than a minute left';
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest > 0 ? ` ${rest} min` : ''} left`;
}

/** The reason as a phrase inside a line: first letter lower case, no closing full stop. */
function reasonPhrase(reason: FailureReason | undefined, messages: FailureMessages | undefined): string {
  const text = reasonText(reason, messages).replace(/\.$/, '');
  return escapeMrkdwn(`${text.charAt(0).toLowerCase()}${text.slice(1)}`);
}

/**
 * One line per group of failures, as the thread has one section per group (the same grouping and
 * order: assignments first, the request's product order, then the larger group): "• *Office 365
 * E1* · the product cannot be combined with a product the user already has: 7 users"
 * (revocations say "(revoke)" after the product, named by `label`, mrkdwn).
 */
export function failureGroupLines(
  request: ChangeRequest,
  label: (skuId: string) => string,
  messages?: FailureMessages,
): string[] {
  const pairs = replacementsOf(request);
  return groupFailuresByKind(request, Object.values(request.results))
    .map((g) => {
      // A replacement's two parts fail together: one line for the pair, not one per product.
      const pair = replacementOf(pairs, g);
      const kind = g.op === 'revoke' ? ' (revoke)' : g.planChange ? ' (plan change)' : '';
      const product = pair ? `Replace ${replaceNames(pair, label)}` : `*${label(g.skuId)}*${kind}`;
      const quote = g.quote === undefined ? '' : ` (“${escapeMrkdwn(g.quote)}”)`;
      const users = new Set(g.userIds).size;
      return `• ${product} · ${reasonPhrase(g.reason, messages)}${quote}: ${plural(users, 'user')}`;
    })
    .filter((line, i, lines) => lines.indexOf(line) === i);
}
