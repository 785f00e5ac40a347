/**
 * The modal of a follow-up request (retry): what is sent again and why, what it comes to against
 * the tenant as it is now, the approval it needs, and the reason. private_metadata `{ draftId }`;
 * the parts themselves are derived again from the store on submit, never read from this view.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';
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

export interface FollowUpModalData {
  draftId: string;
  original: ChangeRequest;
  /** Permalink of the original's summary, when known. */
  summaryLink?: string | null;
  /** The original's failed parts that are sent again. */
  retried: readonly ItemResult[];
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
}

export const RETRY_TITLE = 'Retry failed';

/** "2 licenses to assign · 1 done by now (no change)". */
function plannedText(p: FollowUpCounts): string {
  const parts: string[] = [];
  const fresh = p.assignments - p.planChanges;
  if (fresh > 0) parts.push(`${plural(fresh, 'license')} to assign`);
  if (p.planChanges > 0) parts.push(`plans to change for ${plural(p.planChanges, 'user')}`);
  if (p.revocations > 0) parts.push(`${plural(p.revocations, 'license')} to revoke`);
  if (p.noops > 0) parts.push(`${p.noops} done by now (no change)`);
  return parts.join(' · ');
}

/** The retried failures under a heading, grouped by product and reason as the summary groups them. */
function retriedText(data: FollowUpModalData): string {
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

export function renderFollowUpModal(data: FollowUpModalData): ModalView {
  const { original } = data;
  const of = followedUpRequest({
    followUpOf: {
      kind: 'retry',
      requestId: original.id,
      ...(data.summaryLink ? { summaryLink: data.summaryLink } : {}),
    },
  });
  const customer = escapeMrkdwn(truncate(oneLine(original.customerName), 200));
  const blocks: KnownBlock[] = [
    section(
      `*Send again what failed* in ${of} by ${userMention(original.requestedBy)} for *${customer}*. What succeeded is never sent again.`,
    ),
    section(retriedText(data)),
  ];
  if (data.preview !== undefined) blocks.push(...data.preview);
  else blocks.push(context([`Planned again against ${customer} as it is now: ${plannedText(data.planned)}`]));
  if (data.needsApproval) {
    const why = data.approvalReason === undefined ? '' : ` ${escapeMrkdwn(oneLine(data.approvalReason))}`;
    blocks.push(
      section(
        `:lock: *This retry needs a manager's approval:*${why} Give a reason below; nothing changes until it is approved.`,
        { blockId: ids.blocks.approvalWarning },
      ),
    );
    if (data.breakGlass === true) blocks.push(breakGlassInput());
  }
  blocks.push(reasonInput(data.needsApproval));
  return modal({
    callbackId: ids.views.followUp,
    title: RETRY_TITLE,
    submit: data.needsApproval ? 'Request approval' : 'Retry',
    close: 'Cancel',
    blocks: blocks.slice(0, limits.viewBlocks),
    privateMetadata: encodeMetadata({ draftId: data.draftId }),
  });
}
