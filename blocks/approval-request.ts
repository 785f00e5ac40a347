/** The approval message in the approvals channel (its modals: approval-modals.ts). */
import type { Button, KnownBlock } from '@slack/types';
import type { ChangeRequest } from '../src/licensing/model.js';
import type { Approval } from '../src/store/store-schema.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  header,
  plural,
  section,
  slackDate,
  userMention,
} from './elements.js';
import { usableUrl } from './failure-text.js';
import { followedUpRequest, followUpName } from './follow-up-actions.js';
import { approveActionId, ids, rejectActionId, viewRevokeListActionId } from './ids.js';
import { escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';

export { type RejectReasonData, renderRejectReasonModal, renderRevokeListModal } from './approval-modals.js';

import type { PlanCatalog } from './plan-change-words.js';
import { decidersOf, describeChanges, revokeTotals, type SlackMessage } from './run-summary.js';

export interface ApprovalRequestInput {
  request: ChangeRequest;
  approval: Approval;
  /** Slack user ids of the approvers (APPROVER_USER_IDS): named while pending, the requester left out. */
  approvers?: readonly string[];
  /** The approvers' user group (APPROVER_GROUP_ID), named while pending. */
  approverGroupId?: string;
  /** The permalink of the requester's summary (chat.getPermalink): where the request is followed. */
  threadLink?: string;
  /** The service plans of the request's products: plan changes are named by plan with them. */
  plans?: PlanCatalog;
  /** How many of the revocations are expected to fail and why (eligibility.ts), while pending. */
  outlook?: RevocationOutlook;
}

/** The revocations of a request the run is expected to refuse, counted per reason. */
export interface RevocationOutlook {
  revocations: number;
  failing: number;
  byReason: readonly (readonly [string, number])[];
}

const OUTLOOK_REASONS: Readonly<Record<string, string>> = {
  inherited_from_group: 'held through a group',
  missing_prerequisite: 'needed by a product the user keeps',
};

/** "*Expected to fail:* 2 of the 12 revocations (1 held through a group, 1 needed by …)." */
export function outlookLine(outlook: RevocationOutlook): string {
  const of = `of the ${plural(outlook.revocations, 'revocation')}`;
  if (outlook.failing === 0) return `*Expected to fail:* none ${of}.`;
  const why = outlook.byReason.map(([reason, n]) => `${n} ${OUTLOOK_REASONS[reason] ?? 'refused'}`);
  return `*Expected to fail:* ${outlook.failing} ${of} (${why.join(', ')}).`;
}

/**
 * Who may decide, as mrkdwn: "<@U1>, <@U2> or a member of <!subteam^S1>"; `except` (the
 * requester) is left out, since nobody decides their own request.
 */
export function decidersText(
  approverIds: readonly string[],
  approverGroupId: string | undefined,
  except?: string,
): string {
  const others = approverIds.filter((id) => id !== except);
  // At most 20 named, so a long APPROVER_USER_IDS cannot overflow the text it goes in.
  const names = others.slice(0, 20).map(userMention);
  if (others.length > 20) names.push(`${others.length - 20} more approvers`);
  if (approverGroupId !== undefined && /^S[A-Z0-9]+$/.test(approverGroupId)) {
    names.push(`a member of <!subteam^${approverGroupId}>`);
  }
  if (names.length === 0) {
    return names.length < approverIds.length
      ? 'another approver (none is configured yet)'
      : 'an approver (none is configured yet)';
  }
  if (names.length === 1) return names[0] as string;
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * What approving takes away: "revoke 24 licenses from 12 users", "turn service plans off on 8
 * licenses users keep" (a re-assignment with plans off, which the threshold counts), or both.
 */
export function whatItTakes(request: ChangeRequest): string {
  const { users, revocations } = revokeTotals(request);
  const planRemovals = request.approvalBasis?.planRemovals ?? 0;
  const parts: string[] = [];
  if (revocations > 0 || planRemovals === 0) {
    parts.push(`revoke ${plural(revocations, 'license')} from ${plural(users, 'user')}`);
  }
  if (planRemovals > 0) parts.push(`turn service plans off on ${plural(planRemovals, 'license')} users keep`);
  return parts.join(' and ');
}

/** Approve (primary, confirm) / Reject (danger) / View users buttons; `index` makes ids unique on App Home. */
export function approvalButtons(request: ChangeRequest, index?: number): Button[] {
  const { users } = revokeTotals(request);
  const customer = truncate(oneLine(request.customerName), 100);
  return [
    button({
      actionId: approveActionId(index),
      text: 'Approve',
      style: 'primary',
      value: request.id,
      confirm: confirmDialog({
        title: 'Approve this request?',
        text: `This will ${whatItTakes(request)} at ${customer}. The change starts as soon as you approve.`,
        confirm: 'Approve and run',
        deny: 'Cancel',
        style: 'primary',
      }),
    }),
    button({ actionId: rejectActionId(index), text: 'Reject', style: 'danger', value: request.id }),
    button({
      actionId: viewRevokeListActionId(index),
      text: users > 0 ? `View the ${plural(users, 'user')}` : 'View users',
      value: request.id,
    }),
  ];
}

/** The lines describing a request for approvers (mrkdwn): who, customer, what, reason, expiry. */
export function approvalSummaryLines(
  request: ChangeRequest,
  approval: Approval,
  plans?: PlanCatalog,
): string[] {
  const customer = escapeMrkdwn(truncate(oneLine(request.customerName), 200));
  const lines = [
    `${userMention(approval.requestedBy)} ${approval.status === 'pending' ? 'asks' : 'asked'} to ${whatItTakes(request)} at *${customer}*.`,
  ];
  const followUp = followUpName(request);
  if (followUp !== null) lines.push(`*${followUp}* of ${followedUpRequest(request)}.`);
  const [changes] = packLinesCapped(
    describeChanges(request, plans).map((l) => `• ${l}`),
    1,
    (n) => `…and ${n} more`,
    1500,
  );
  if (changes) lines.push(changes);
  const basis = approvalBasisLine(request);
  if (basis !== null) lines.push(basis);
  lines.push(
    `*Reason:* ${escapeMrkdwn(truncate(oneLine(approval.reason || request.reason || 'none given'), 1000))}`,
  );
  return lines;
}

/** What the threshold counted: plan removals and the operator's earlier requests, when they mattered. */
function approvalBasisLine(request: ChangeRequest): string | null {
  const basis = request.approvalBasis;
  if (basis === undefined || (basis.planRemovals === 0 && basis.earlierRevocations === 0)) return null;
  const parts: string[] = [];
  if (basis.revocations > 0) parts.push(plural(basis.revocations, 'revocation'));
  if (basis.planRemovals > 0) {
    parts.push(`${plural(basis.planRemovals, 'license')} users keep with service plans turned off`);
  }
  if (basis.earlierRevocations > 0) {
    parts.push(
      `${plural(basis.earlierRevocations, 'revocation')} in ${plural(basis.earlierRequests, 'earlier request')} of the last ${basis.windowHours} h`,
    );
  }
  return `*Counted toward the threshold of ${basis.threshold}:* ${parts.join(' + ')} = ${basis.total}.`;
}

/** "Can decide: <@A> or <@B>. <@R> cannot approve their own request." (pending, approvers known). */
function whoDecides(input: ApprovalRequestInput): string {
  const { approval, approvers = [], approverGroupId } = input;
  if (approvers.length === 0 && approverGroupId === undefined) {
    return 'Any approver except the requester can decide.';
  }
  const { selfNote } = decidersOf(approvers, approval.requestedBy);
  return `Can decide: ${decidersText(approvers, approverGroupId, approval.requestedBy)}.${selfNote}`;
}

function decisionLine(approval: Approval): string {
  const by = approval.decidedBy ? ` by ${userMention(approval.decidedBy)}` : '';
  const at = approval.decidedAt ? ` ${slackDate(approval.decidedAt)}` : '';
  switch (approval.status) {
    case 'approved':
      return `:white_check_mark: *Approved*${by}${at}. The request runs now; the results go to the requester's thread.`;
    case 'rejected': {
      const why = approval.decisionReason
        ? `: “${escapeMrkdwn(truncate(oneLine(approval.decisionReason), 1000))}”`
        : '';
      return `:no_entry: *Rejected*${by}${at}${why}. Nothing was changed.`;
    }
    case 'expired':
      return `:alarm_clock: *Expired* ${slackDate(approval.expiresAt)} without a decision. Nothing was changed.`;
    case 'pending':
      return `:hourglass: Expires ${slackDate(approval.expiresAt)}.`;
  }
}

const HEADERS: Record<Approval['status'], string> = {
  pending: 'Approval needed: license revocation',
  approved: 'Approved: license revocation',
  rejected: 'Rejected: license revocation',
  expired: 'Expired: license revocation',
};

/**
 * The approval message: pending → Approve (primary, confirm) / Reject (danger) with value = request
 * id and a "View users" button; approved / rejected / expired → the decision, no buttons.
 */
export function renderApprovalRequest(input: ApprovalRequestInput): SlackMessage {
  const { request, approval } = input;
  const pending = approval.status === 'pending';
  const blocks: KnownBlock[] = [
    header(HEADERS[approval.status]),
    ...approvalSummaryLines(request, approval, input.plans).map((l) => section(l)),
  ];
  if (pending && input.outlook !== undefined) blocks.push(section(outlookLine(input.outlook)));
  // Pending: the expiry is a footnote under the buttons; decided: the decision is the news.
  // The request id is for looking it up (App Home, the CSV's name, support), not a headline.
  const id = `Request ${escapeMrkdwn(request.id)}`;
  const url = usableUrl(input.threadLink);
  const link =
    url === null ? [] : [`<${url}|The requester's thread>: its summary, and the results once it ran`];
  if (pending) {
    blocks.push(actions(approvalButtons(request), ids.blocks.approvalActions));
    blocks.push(context([`${decisionLine(approval)} ${whoDecides(input)}`, ...link, id]));
  } else {
    blocks.push(section(decisionLine(approval)));
    blocks.push(context([...link, id]));
  }
  const what = `${whatItTakes(request)} at ${oneLine(request.customerName)}`;
  const decidedBy = approval.decidedBy ? ` by ${userMention(approval.decidedBy)}` : '';
  const text =
    approval.status === 'pending'
      ? `Approval needed: ${escapeMrkdwn(what)}`
      : approval.status === 'expired'
        ? `Expired without a decision: ${escapeMrkdwn(what)}`
        : `${approval.status === 'approved' ? 'Approved' : 'Rejected'}${decidedBy}: ${escapeMrkdwn(what)}`;
  return { text: truncate(text, limits.messageText), blocks };
}
