/**
 * The modal of a follow-up request: what it sends (a retry: the failures sent again and why; an
 * undo: what is put back per product), what it comes to against the tenant as it is now, the
 * approval it needs, and the reason. private_metadata `{ draftId }`; the parts themselves are
 * derived again from the store on submit, never read from this view.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ChangeRequest, FollowUpKind, ItemResult } from '../src/licensing/model.js';
import type { UserParts } from '../src/licensing/plan.js';
import { resultKey } from '../src/licensing/result-key.js';
import { breakGlassInput } from './break-glass.js';
import { context, modal, plural, section, userMention } from './elements.js';
import type { FailureMessages } from './failure-text.js';
import { followedUpRequest } from './follow-up-actions.js';
import { ids } from './ids.js';
import { reasonInput } from './licenses-step.js';
import { encodeMetadata, escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';
import { failureGroupLines } from './run-progress.js';
import { productLabel } from './run-summary.js';

/** A follow-up's parts as planned now (plan.ts counts). */
export interface FollowUpCounts {
  assignments: number;
  /** Of `assignments`, holders who keep the product and change plans. */
  planChanges: number;
  revocations: number;
  /** Parts done by now (no change). */
  noops: number;
}

/** What the follow-up sends: a retry, the original's failed parts sent again; an undo, each user's parts that put back. */
export type FollowUpSent =
  | { kind: 'retry'; retried: readonly ItemResult[] }
  | { kind: 'undo'; undone: readonly UserParts[] };

export type FollowUpModalData = FollowUpSent & {
  draftId: string;
  original: ChangeRequest;
  /** Permalink of the original's summary, when known. */
  summaryLink?: string | null;
  planned: FollowUpCounts;
  needsApproval: boolean;
  /** Why it needs approval, in one sentence (policy.ts approvalReason). */
  approvalReason?: string;
  /** Offer break-glass (the signed user is in BREAK_GLASS_USER_IDS); shown only when approval is needed. */
  breakGlass?: boolean;
  /** Pass `failureMessages` from src/licensing/model.ts. */
  failureMessages?: FailureMessages;
  /** The preview of the planned parts (blocks/preview.ts), shown instead of the counts when given. */
  preview?: readonly KnownBlock[];
};

/** The follow-up's modal title, and what the submit button says when no approval is needed. */
export const FOLLOW_UP_TITLE: Record<FollowUpKind, string> = { retry: 'Retry failed', undo: 'Undo' };
const SUBMIT: Record<FollowUpKind, string> = { retry: 'Retry', undo: 'Undo' };
/** Parts found done by now (retry) or changed since (undo): no change either way. */
const NOOP_WORDS: Record<FollowUpKind, string> = {
  retry: 'done by now (no change)',
  undo: 'changed since or as before already (left as they are)',
};

/** "2 licenses to assign · 1 done by now (no change)". */
function plannedText(p: FollowUpCounts, kind: FollowUpKind): string {
  const parts: string[] = [];
  const fresh = p.assignments - p.planChanges;
  if (fresh > 0) parts.push(`${plural(fresh, 'license')} to assign`);
  if (p.planChanges > 0) parts.push(`plans to change for ${plural(p.planChanges, 'user')}`);
  if (p.revocations > 0) parts.push(`${plural(p.revocations, 'license')} to revoke`);
  if (p.noops > 0) parts.push(`${p.noops} ${NOOP_WORDS[kind]}`);
  return parts.join(' · ');
}

/** The retried failures under a heading, grouped by product and reason as the summary groups them. */
function retriedText(data: FollowUpModalData & { kind: 'retry' }): string {
  const { original, retried } = data;
  const results = Object.fromEntries(retried.map((r) => [resultKey(r.userId, r.skuId, r.op), r]));
  const lines = failureGroupLines(
    { ...original, results },
    (skuId) => productLabel(original, skuId),
    data.failureMessages,
  );
  const heading = `*${plural(retried.length, 'change')} to try again:*`;
  const [text] = packLinesCapped([heading, ...lines], 1, (n) => `…and ${plural(n, 'more cause')}`);
  return text ?? heading;
}

/**
 * What an undo puts back, a line per product: "• *Visio*: back to 2 users with the plans they had
 * off · taken back from 3 users who did not have it".
 */
function undoneText(original: ChangeRequest, undone: readonly UserParts[]): string {
  const bySku = new Map<string, { back: number; away: number }>();
  const count = (skuId: string) => {
    const counts = bySku.get(skuId) ?? { back: 0, away: 0 };
    bySku.set(skuId, counts);
    return counts;
  };
  for (const user of undone) {
    for (const choice of user.assign) count(choice.skuId).back++;
    for (const skuId of user.revoke) count(skuId).away++;
  }
  const lines = [...bySku].map(([skuId, { back, away }]) => {
    const what: string[] = [];
    if (back > 0) what.push(`back to ${plural(back, 'user')} with the plans they had off`);
    if (away > 0) what.push(`taken back from ${plural(away, 'user')} who did not have it`);
    return `• *${productLabel(original, skuId)}*: ${what.join(' · ')}`;
  });
  const heading = `*${plural(undone.length, 'user')} to put back as before:*`;
  const [text] = packLinesCapped([heading, ...lines], 1, (n) => `…and ${plural(n, 'more product')}`);
  return text ?? heading;
}

/** The modal's opening: what the follow-up does, of which request. */
function introText(data: FollowUpModalData): string {
  const { original } = data;
  const of = followedUpRequest({
    followUpOf: {
      kind: data.kind,
      requestId: original.id,
      ...(data.summaryLink ? { summaryLink: data.summaryLink } : {}),
    },
  });
  const by = `by ${userMention(original.requestedBy)} for *${customerOf(original)}*`;
  return data.kind === 'retry'
    ? `*Send again what failed* in ${of} ${by}. What succeeded is never sent again.`
    : `*Put back what ${of} changed* ${by}: each user's license of each product it changed, as it was before it ran, with the plans they had off. What was changed since is left as it is.`;
}

function customerOf(original: ChangeRequest): string {
  return escapeMrkdwn(truncate(oneLine(original.customerName), 200));
}

export function renderFollowUpModal(data: FollowUpModalData): ModalView {
  const { original, kind } = data;
  const customer = customerOf(original);
  const blocks: KnownBlock[] = [
    section(introText(data)),
    section(kind === 'retry' ? retriedText(data) : undoneText(original, data.undone)),
  ];
  if (data.preview !== undefined) blocks.push(...data.preview);
  else {
    const again = kind === 'retry' ? ' again' : '';
    blocks.push(
      context([`Planned${again} against ${customer} as it is now: ${plannedText(data.planned, kind)}`]),
    );
  }
  if (data.needsApproval) {
    const why = data.approvalReason === undefined ? '' : ` ${escapeMrkdwn(oneLine(data.approvalReason))}`;
    blocks.push(
      section(
        `:lock: *This ${kind} needs a manager's approval:*${why} Give a reason below; nothing changes until it is approved.`,
        { blockId: ids.blocks.approvalWarning },
      ),
    );
    if (data.breakGlass === true) blocks.push(breakGlassInput());
  }
  blocks.push(reasonInput(data.needsApproval));
  return modal({
    callbackId: ids.views.followUp,
    title: FOLLOW_UP_TITLE[kind],
    submit: data.needsApproval ? 'Request approval' : SUBMIT[kind],
    close: 'Cancel',
    blocks: blocks.slice(0, limits.viewBlocks),
    privateMetadata: encodeMetadata({ draftId: data.draftId }),
  });
}
