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
    blocks.push(section(`:rocket: *Request ${id} is under way* for *${customer}*.`));
  } else {
    const who =
      data.approvers && data.approvers.length > 0
        ? data.approvers.slice(0, 20).map(userMention).join(', ')
        : 'an approver';
    const where = data.approvalChannelId ? ` in ${channel(data.approvalChannelId)}` : '';
    blocks.push(
      section(
        `:hourglass: *Request ${id} for ${customer} is waiting for approval* by ${who}${where}. It runs once approved.`,
      ),
    );
  }
  const parts: string[] = [];
  if (data.assignments !== undefined) parts.push(`${plural(data.assignments, 'assignment')}`);
  if (data.revocations !== undefined) parts.push(`${plural(data.revocations, 'revocation')}`);
  if (parts.length > 0) blocks.push(context([parts.join(' · ')]));
  const results = data.resultsInDm
    ? 'The summary and the results will be posted to you in a direct message'
    : data.resultsChannelId
      ? `The summary and the results will be posted in ${channel(data.resultsChannelId)}`
      : 'The summary and the results will be posted where you ran `/licenses`';
  blocks.push(section(`${results}, with one line per failed user in its thread.`));
  return modal({ callbackId: ids.views.submitted, title: 'Request sent', close: 'Done', blocks });
}
