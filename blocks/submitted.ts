/** The modal shown after a successful submit. */
import type { KnownBlock, ModalView } from '@slack/types';
import { context, modal, plural, section, userMention } from './elements.js';
import { ids } from './ids.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';

export interface SubmittedData {
  requestId: string;
  customerName: string;
  /** `running`: it runs now; `pending_approval`: it waits for a manager. */
  status: 'running' | 'pending_approval';
  /** Slack user ids of who may approve (pending_approval). */
  approvers?: readonly string[];
  /** Where approvers decide (pending_approval). */
  approvalChannelId?: string | null;
  /** Channel (or DM) where the summary and results are posted. */
  resultsChannelId?: string | null;
  /** True when the results go to a DM because the bot cannot post in the channel. */
  resultsInDm?: boolean;
  assignments?: number;
  revocations?: number;
  /** Why it needs approval, in one sentence (pending_approval), e.g. "it revokes 2 licenses; with your 2 earlier requests …". */
  approvalReason?: string;
}

function channel(id: string): string {
  return `<#${id.replace(/[<>&|]/g, '')}>`;
}

/** The "request is under way / waiting for approval" modal: no submit, close "Done". */
export function renderSubmitted(data: SubmittedData): ModalView {
  const id = escapeMrkdwn(data.requestId);
  const customer = escapeMrkdwn(truncate(oneLine(data.customerName), 200));
  const blocks: KnownBlock[] = [];
  if (data.status === 'running') {
    blocks.push(section(`*Request ${id} is under way* for *${customer}*.`));
  } else {
    const who =
      data.approvers && data.approvers.length > 0
        ? ` by ${data.approvers.slice(0, 20).map(userMention).join(', ')}${data.approvers.length > 20 ? ` and ${data.approvers.length - 20} more` : ''}`
        : '';
    const where = data.approvalChannelId ? ` in ${channel(data.approvalChannelId)}` : '';
    blocks.push(
      section(
        `:hourglass: *Request ${id} for ${customer} is waiting for approval*${who}${where}. Nothing changes until it is approved.`,
      ),
    );
    if (data.approvalReason !== undefined) {
      blocks.push(context([`Why: ${escapeMrkdwn(truncate(oneLine(data.approvalReason), 500))}`]));
    }
  }
  const parts: string[] = [];
  if (data.assignments !== undefined && data.assignments > 0) {
    parts.push(`${plural(data.assignments, 'license')} to assign`);
  }
  if (data.revocations !== undefined && data.revocations > 0) {
    parts.push(`${plural(data.revocations, 'license')} to revoke`);
  }
  if (parts.length > 0) blocks.push(context([parts.join(' · ')]));
  const results = data.resultsInDm
    ? 'The summary and the results will be posted to you in a direct message'
    : data.resultsChannelId
      ? `The summary and the results will be posted in ${channel(data.resultsChannelId)}`
      : 'The summary and the results will be posted where you ran `/licenses`';
  blocks.push(
    section(`${results}. Its thread lists what was done, and each failed user and product with the reason.`),
  );
  return modal({
    callbackId: ids.views.submitted,
    title: data.status === 'running' ? 'Request sent' : 'Sent for approval',
    close: 'Done',
    blocks,
  });
}
