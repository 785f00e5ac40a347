/** App Home: the user's recent requests and, for approvers, the pending approvals. */
import type { HomeView, KnownBlock } from '@slack/types';
import type { ChangeRequest, RunCounts } from '../src/licensing/model.js';
import { countResults } from '../src/licensing/run-counts.js';
import type { Approval } from '../src/store/store-schema.js';
import { approvalButtons, approvalSummaryLines } from './approval-request.js';
import {
  actions,
  context,
  divider,
  header,
  homeView,
  section,
  sentence,
  slackDate,
  userMention,
} from './elements.js';
import { type HomeFilter, homeFilterBlock, homeListTitle } from './home-filter.js';
import { homeApprovalBlockId } from './ids.js';
import { escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';
import type { PlanCatalog } from './plan-change-words.js';
import { describeChanges, statusLine } from './run-summary.js';

/** Requests and approvals shown at most (the rest are counted), to stay within 100 blocks. */
export const HOME_MAX_RECENT = 20;
export const HOME_MAX_PENDING = 15;

export interface HomeData {
  userId: string;
  /** The user's recent requests, most recent first; counts computed when omitted. */
  recent: readonly (ChangeRequest | { request: ChangeRequest; counts: RunCounts })[];
  /** Whether the user may decide approvals (then `pending` is shown). */
  isApprover: boolean;
  /**
   * Pending approvals with their requests (request null when it is gone), and the service plans
   * of its products where known (plan changes are then named by plan, as in the approval message).
   */
  pending?: readonly { approval: Approval; request: ChangeRequest | null; plans?: PlanCatalog | undefined }[];
  /**
   * For operators and approvers: the filter of the requests list (then its controls are shown,
   * and `recent` holds the requests it matches) and the listed requests' approvals, by request id.
   */
  filter?: HomeFilter;
  approvals?: ReadonlyMap<string, Approval>;
  /** Home's private_metadata (the filter, kept by Slack per user). */
  privateMetadata?: string;
}

function unwrap(entry: ChangeRequest | { request: ChangeRequest; counts: RunCounts }): {
  request: ChangeRequest;
  counts: RunCounts;
} {
  return 'request' in entry ? entry : { request: entry, counts: countResults(entry) };
}

/**
 * For approvers: the pending approvals, each with Approve / Reject / View users. Their own
 * requests are not listed: nobody decides their own request (their summary says who can).
 */
function pendingBlocks(data: HomeData): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const pending = (data.pending ?? []).filter(({ approval }) => approval.requestedBy !== data.userId);
  blocks.push(
    header(
      pending.length > 0 ? `Waiting for your approval (${pending.length})` : 'Waiting for your approval',
    ),
  );
  if (pending.length === 0) {
    blocks.push(
      context(['Nothing is waiting for approval. Requests that revoke many licenses show up here.']),
    );
  }
  pending.slice(0, HOME_MAX_PENDING).forEach(({ approval, request, plans }, i) => {
    if (!request) {
      blocks.push(context([`Request ${escapeMrkdwn(approval.requestId)} is no longer available.`]));
      return;
    }
    const lines = approvalSummaryLines(request, approval, plans);
    const [text] = packLinesCapped(lines, 1, (n) => `…and ${n} more lines`);
    blocks.push(section(text ?? ' '));
    blocks.push(context([`Expires ${slackDate(approval.expiresAt)}`, requestIdText(request)]));
    blocks.push(actions(approvalButtons(request, i), homeApprovalBlockId(i)));
  });
  if (pending.length > HOME_MAX_PENDING) {
    blocks.push(context([`…and ${pending.length - HOME_MAX_PENDING} more in the approvals channel.`]));
  }
  blocks.push(divider());
  return blocks;
}

/** The request id, for looking it up (the CSV's name, support): a context line, not a headline. */
function requestIdText(request: ChangeRequest): string {
  return `Request ${escapeMrkdwn(request.id)}`;
}

/** Who asked (when the list is not only the user's own) and who decided, with the reason. */
function whoLines(request: ChangeRequest, data: HomeData): string[] {
  const lines: string[] = [];
  if (data.filter !== undefined && data.filter.scope !== 'mine') {
    lines.push(`Requested by ${userMention(request.requestedBy)}`);
  }
  const approval = data.approvals?.get(request.id);
  if (approval?.decidedBy !== undefined && approval.status !== 'pending') {
    const reason = approval.decisionReason ? `: “${escapeMrkdwn(oneLine(approval.decisionReason))}”` : '';
    const when = approval.decidedAt === undefined ? '' : ` · ${slackDate(approval.decidedAt)}`;
    const verb = sentence(approval.status);
    lines.push(truncate(`${verb} by ${userMention(approval.decidedBy)}${when}${reason}`, 500));
  }
  return lines;
}

/** The requests the filter matches (the user's recent ones by default), with status and outcome counts. */
function recentBlocks(data: HomeData): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const filtered =
    data.filter !== undefined && (data.filter.scope !== 'mine' || data.filter.customer !== null);
  blocks.push(header(data.filter === undefined ? 'Your recent requests' : homeListTitle(data.filter)));
  if (data.filter !== undefined) blocks.push(homeFilterBlock(data.filter));
  if (data.recent.length === 0) {
    blocks.push(
      context([
        filtered
          ? 'No requests match these filters.'
          : 'You have not made any request yet. Run `/licenses` to start one; its outcome will show up here.',
      ]),
    );
  }
  for (const entry of data.recent.slice(0, HOME_MAX_RECENT)) {
    const { request, counts } = unwrap(entry);
    const changes = describeChanges(request);
    const shown = [
      ...changes.slice(0, 3).map((c) => `• ${c}`),
      ...(changes.length > 3 ? [`• …and ${changes.length - 3} more`] : []),
    ].join('\n');
    const text = [
      `*${escapeMrkdwn(truncate(oneLine(request.customerName), 200))}* · ${slackDate(request.createdAt)}`,
      truncate(shown || 'No license changes', 1500),
      statusLine({ request, counts }),
      ...whoLines(request, data),
    ].join('\n');
    blocks.push(section(text));
    blocks.push(context([requestIdText(request)]));
  }
  if (data.recent.length > HOME_MAX_RECENT) {
    blocks.push(context([`Showing the last ${HOME_MAX_RECENT} requests.`]));
  }
  return blocks;
}

/**
 * The App Home view: recent requests with status and outcome counts; for approvers, pending
 * approvals with Approve / Reject / View users (action ids `approval_approve_<i>` etc., value =
 * request id; match with `patterns.approve` / `patterns.reject` / `patterns.viewRevokeList`).
 */
export function renderHome(data: HomeData): HomeView {
  const blocks: KnownBlock[] = [
    header('LicenseDesk'),
    context([
      'Assign or revoke licenses for many users of a customer at once: run `/licenses` in any channel, or `/licenses <customer>` to jump to that customer.',
    ]),
  ];

  if (data.isApprover) blocks.push(...pendingBlocks(data));
  blocks.push(...recentBlocks(data));
  return homeView(blocks.slice(0, limits.viewBlocks), data.privateMetadata);
}
