/** The summary message of a request, posted where `/licenses` ran and updated in place. */
import type { KnownBlock } from '@slack/types';
import type { ChangeRequest, Operation, RunCounts } from '../src/licensing/model.js';
import { countResults, isPlanChangeIn, itemParts } from '../src/licensing/run-counts.js';
import type { Approval } from '../src/store/store-schema.js';
import { context, listFirst, plural, section, sentence, slackDate, userMention } from './elements.js';
import type { FailureMessages } from './failure-text.js';
import { followedUpRequest, followUpActions, followUpName } from './follow-up-actions.js';
import { escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';
import { type PlanCatalog, planChangeText, requestPlansOffMrkdwn } from './plan-change-words.js';
import { productLabel } from './product-label.js';
import { groupByProductOp } from './product-ops.js';
import { replaceLines, replacementOf, replacementsOf } from './replace-words.js';
import { failureGroupLines, progressBar, timeLeft } from './run-progress.js';
import { verificationLine, verificationWords } from './verification.js';

export interface SlackMessage {
  /** Fallback text (notifications, screen readers); ≤ 4,000 characters. */
  text: string;
  blocks: KnownBlock[];
}

export interface RunSummaryInput {
  request: ChangeRequest;
  /** Counts over the results; computed from the request when omitted. */
  counts?: RunCounts;
  /** The approval record, when the request needed one. */
  approval?: Approval | null;
  /** Slack user ids who may approve (shown while pending). */
  approvers?: readonly string[];
  /** Approvals channel (shown while pending). */
  approvalChannelId?: string | null;
  /** The time now (ms since the epoch): with the request's `startedAt`, the pace of a running request. */
  now?: number;
  /**
   * Where the pace is measured from when not the request's `startedAt` with nothing done: a run
   * resumed after a restart, from its resumption and the parts done by then.
   */
  paceFrom?: { at: string; done: number };
  /**
   * The plain-language message per reason, for the failure groups of a completed request: pass
   * `failureMessages` from src/licensing/model.ts. Without it the reason code is shown in words.
   */
  failureMessages?: FailureMessages;
  /** UNDO_DAYS: with `now`, a completed request offers Undo until that many days after it finished. */
  undoDays?: number;
}

export { productLabel } from './product-label.js';

/**
 * Users per product and operation in the request's product order, assignments first: `users`
 * are the users whose license actually changes (for an assignment, those who get it),
 * `planChanges` the holders who keep it and only change plans (assignments only), `unchanged`
 * those for whom it is a planned no-op (already had it / did not have it). The one count of a
 * request's parts by what they are: the summary, the approval message and App Home read it.
 */
export function changeTotals(
  request: ChangeRequest,
): { skuId: string; op: Operation; users: number; planChanges: number; unchanged: number }[] {
  const isPlanChange = isPlanChangeIn(request);
  const parts = request.items.flatMap((item) =>
    itemParts(item).map((part) => {
      const kind = part.noop ? 'noop' : isPlanChange({ ...part, userId: item.userId }) ? 'plans' : 'changes';
      return { ...part, userId: item.userId, kind };
    }),
  );
  return groupByProductOp(request, parts).map(({ skuId, op, parts }) => {
    const usersOf = (kind: string) => new Set(parts.filter((p) => p.kind === kind).map((p) => p.userId));
    const changed = usersOf('changes');
    const replanned = usersOf('plans');
    // A user whose license changes is not also counted as unchanged (a no-op of the same part).
    const unchanged = [...usersOf('noop')].filter((u) => !changed.has(u) && !replanned.has(u));
    return { skuId, op, users: changed.size, planChanges: replanned.size, unchanged: unchanged.length };
  });
}

/**
 * "Assign *Office 365 E3* to 4 users (5 already have it)" / "Assign *Office 365 E3* to 9 users ·
 * turn off Microsoft 365 Apps for 13 who have it" / "Turn off Microsoft 365 Apps for 13 users who
 * have *Office 365 E3*" / "Revoke *Visio Plan 2* from 12 users (3 do not have it)" lines (mrkdwn):
 * the users counted are those whose license really changes, a plan change said as what it is,
 * by plan as the request stored the names when planned or `catalog` names them
 * (plan-change-words.ts), else "change plans" (a request stored before the names were kept).
 * Replacements come first, one line each ("Replace *A* with *B*: 12 users", replace-words.ts).
 */
export function describeChanges(request: ChangeRequest, catalog?: PlanCatalog): string[] {
  const pairs = replacementsOf(request);
  const others = changeTotals(request).filter((t) => replacementOf(pairs, t) === undefined);
  const replaced = replaceLines(request, (skuId) => productLabel(request, skuId));
  return [
    ...replaced,
    ...others.map(({ skuId, op, users, planChanges, unchanged }) => {
      const product = `*${productLabel(request, skuId)}*`;
      if (op === 'assign') {
        const note = unchanged > 0 ? ` (${unchanged} already ${unchanged === 1 ? 'has' : 'have'} it)` : '';
        const off = requestPlansOffMrkdwn(request, skuId, catalog);
        if (users === 0 && planChanges > 0)
          return `${sentence(planChangeText({ users: planChanges, off, product }))}${note}`;
        if (users === 0)
          return `Assign ${product}: ${unchanged === 1 ? 'the user already has it' : `all ${unchanged} users already have it`}`;
        const replan = planChanges > 0 ? ` · ${planChangeText({ users: planChanges, off })}` : '';
        return `Assign ${product} to ${plural(users, 'user')}${replan}${note}`;
      }
      if (users === 0)
        return `Revoke ${product}: ${unchanged === 1 ? 'the user does not have it' : `none of the ${unchanged} users has it`}`;
      const note = unchanged > 0 ? ` (${unchanged} ${unchanged === 1 ? 'does' : 'do'} not have it)` : '';
      return `Revoke ${product} from ${plural(users, 'user')}${note}`;
    }),
  ];
}

/** Users and revocations (users × products) a request revokes. */
export function revokeTotals(request: ChangeRequest): { users: number; revocations: number } {
  let users = 0;
  let revocations = 0;
  for (const item of request.items) {
    if (item.change.revoke.length > 0) users += 1;
    revocations += item.change.revoke.length;
  }
  return { users, revocations };
}

/** "<@U1>, <@U2> and 3 more": at most 20 mentions. */
export function mentions(userIds: readonly string[]): string {
  return listFirst(userIds, 20, userMention);
}

/**
 * Who may decide a request: the approvers except its requester, who never decides their own
 * request; `selfNote` says so (" <@U> cannot approve their own request.") when the list named them.
 */
export function decidersOf(
  approvers: readonly string[],
  requestedBy: string,
): { deciders: string[]; selfNote: string } {
  const deciders = approvers.filter((id) => id !== requestedBy);
  const named = deciders.length < approvers.length;
  return {
    deciders,
    selfNote: named ? ` ${userMention(requestedBy)} cannot approve their own request.` : '',
  };
}

/** "✓ 990 succeeded · 5 no change · ✗ 5 failed". */
export function countsText(counts: RunCounts): string {
  return `:white_check_mark: ${counts.success} succeeded · ${counts.noop} no change · :x: ${counts.failed} failed`;
}

/** " (approved by @x on <date>)" when the request went through an approval. */
function approvedByText(approval: Approval | null | undefined): string {
  if (approval?.status !== 'approved' || !approval.decidedBy) return '';
  const at = approval.decidedAt ? ` ${slackDate(approval.decidedAt)}` : '';
  return ` (approved by ${userMention(approval.decidedBy)}${at})`;
}

/** One status line (mrkdwn) for a request in any state. */
export function statusLine(input: RunSummaryInput): string {
  const { request, approval } = input;
  const counts = input.counts ?? countResults(request);
  const approvedBy = approvedByText(approval);
  switch (request.status) {
    case 'pending_approval': {
      const { deciders, selfNote } = decidersOf(input.approvers ?? [], request.requestedBy);
      const who = deciders.length > 0 ? ` by ${mentions(deciders)}` : '';
      const where = input.approvalChannelId ? ` in <#${input.approvalChannelId.replace(/[<>&|]/g, '')}>` : '';
      const until = approval?.expiresAt ? ` · expires ${slackDate(approval.expiresAt)}` : '';
      return `:hourglass: *Waiting for approval*${who}${where}${until}. Nothing changes until it is approved.${selfNote}`;
    }
    case 'approved':
      return `:hourglass_flowing_sand: *Queued*${approvedBy}: starts in a moment.`;
    case 'running':
      return runningLine(input, counts) + approvedBy;
    case 'completed': {
      const at = request.finishedAt ? ` ${slackDate(request.finishedAt)}` : '';
      return `*Completed*${at}${approvedBy}: ${countsText(counts)}`;
    }
    case 'rejected': {
      const by = approval?.decidedBy ? ` by ${userMention(approval.decidedBy)}` : '';
      const at = approval?.decidedAt ? ` ${slackDate(approval.decidedAt)}` : '';
      const why = approval?.decisionReason
        ? `: “${escapeMrkdwn(truncate(oneLine(approval.decisionReason), 1000))}”`
        : '';
      return `:no_entry: *Rejected*${by}${at}${why}. Nothing was changed.`;
    }
    case 'expired': {
      const at = approval?.expiresAt ? ` ${slackDate(approval.expiresAt)}` : '';
      return `:alarm_clock: *Expired*${at} without a decision. Nothing was changed; submit it again if it is still needed.`;
    }
  }
}

/**
 * "*Running:* ▰▰▰▰▱▱▱▱▱▱ 48 of 120 changes done · about 2 min left · 40 succeeded · 2 no change ·
 * 6 failed": the estimate once there is a pace to measure (some parts done, `now` given).
 */
function runningLine(input: RunSummaryInput, counts: RunCounts): string {
  const { now, paceFrom } = input;
  const from = paceFrom ?? { at: input.request.startedAt, done: 0 };
  const left = now === undefined ? null : timeLeft(from.at, counts.done, counts.total, now, from.done);
  const sofar =
    counts.done > 0
      ? ` · ${counts.success} succeeded · ${counts.noop} no change · ${counts.failed} failed`
      : '';
  const done = `${progressBar(counts.done, counts.total)} ${counts.total === 1 ? 'change' : 'changes'} done`;
  return `:arrows_counterclockwise: *Running:* ${done}${left === null ? '' : ` · ${left}`}${sofar}`;
}

/** The status in plain words for the notification text ("is waiting for approval", "completed: …"). */
function plainStatus(input: RunSummaryInput, counts: RunCounts): string {
  switch (input.request.status) {
    case 'pending_approval':
      return 'is waiting for approval';
    case 'approved':
      return 'is queued';
    case 'running':
      return `is running (${counts.done} of ${plural(counts.total, 'change')} done)`;
    case 'completed':
      return `completed: ${counts.success} succeeded, ${counts.noop} no change, ${counts.failed} failed${verificationWords(input.request)}`;
    case 'rejected':
      return 'was rejected; nothing was changed';
    case 'expired':
      return 'expired without a decision; nothing was changed';
  }
}

/** The summary message: who, which customer, what changes for how many users, and the status line. */
export function renderRunSummary(input: RunSummaryInput): SlackMessage {
  const { request } = input;
  const counts = input.counts ?? countResults(request);
  const customer = escapeMrkdwn(truncate(oneLine(request.customerName), 200));
  const users = request.items.length;
  const followUp = followUpName(request);
  const what = followUp === null ? '*License request*' : `*${followUp}* of ${followedUpRequest(request)}`;
  const blocks: KnownBlock[] = [
    section(`${what} by ${userMention(request.requestedBy)} for *${customer}* (${plural(users, 'user')})`),
  ];
  const changes = describeChanges(request).map((l) => `• ${l}`);
  const [changeText] = packLinesCapped(
    changes.length > 0 ? changes : ['• No license changes'],
    1,
    (n) => `…and ${n} more`,
  );
  blocks.push(section(changeText ?? ' '));
  if (request.reason) {
    blocks.push(context([`*Reason:* ${escapeMrkdwn(truncate(oneLine(request.reason), 1000))}`]));
  }
  blocks.push(section(statusLine({ ...input, counts })));
  const groups =
    request.status === 'completed'
      ? failureGroupLines(request, (sku) => productLabel(request, sku), input.failureMessages)
      : [];
  if (groups.length > 0) {
    const [groupText] = packLinesCapped(groups, 1, (n) => `…and ${plural(n, 'more cause')}: see the thread`);
    blocks.push(section(groupText ?? ' '));
  }
  const verified = request.status === 'completed' ? verificationLine(request) : null;
  if (verified !== null) blocks.push(section(verified));
  // The request id is for looking it up (App Home, the CSV's name, support), not a headline.
  const where =
    request.status === 'running'
      ? ['Results per user are posted in the thread when the run ends.']
      : request.status === 'completed'
        ? ['Results per user are in the thread.']
        : [];
  const { undoDays, now } = input;
  const undo = undoDays === undefined || now === undefined ? undefined : { undoDays, now };
  const followUps = followUpActions(request, undo);
  if (followUps !== null) blocks.push(followUps);
  blocks.push(context([...where, `Request ${escapeMrkdwn(request.id)}`]));
  const text = escapeMrkdwn(
    `${followUp ?? 'License request'} for ${oneLine(request.customerName)} ${plainStatus(input, counts)}`,
  );
  return { text: truncate(text, limits.messageText), blocks };
}
