/** The modal shown after a successful submit. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ChangeRequest } from '../src/licensing/model.js';
import { context, modal, plural, section } from './elements.js';
import { ids } from './ids.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';
import { type PlanCatalog, planChangeText, requestPlansOff } from './plan-change-words.js';
import { productName } from './product-label.js';
import { changeTotals, decidersOf, mentions } from './run-summary.js';

export interface SubmittedData {
  requestId: string;
  customerName: string;
  /** `running`: it runs now; `pending_approval`: it waits for a manager. */
  status: 'running' | 'pending_approval';
  /** Slack user ids of who may approve (pending_approval); the requester is left out of them. */
  approvers?: readonly string[];
  /** The requester's Slack user id: never listed among who may approve. */
  requestedBy?: string;
  /** Where approvers decide (pending_approval). */
  approvalChannelId?: string | null;
  /** Channel (or DM) where the summary and results are posted. */
  resultsChannelId?: string | null;
  /** True when the results go to a DM because the bot cannot post in the channel. */
  resultsInDm?: boolean;
  assignments?: number;
  /** Of `assignments`, holders who keep the product and only change plans (counted apart). */
  planChanges?: number;
  /**
   * The same plan changes named by plan, a line per product (planChangeLines), when the plans'
   * names are known: shown instead of "plans to change for N users who have the product".
   */
  planChangeLines?: readonly string[];
  revocations?: number;
  /**
   * "Replace *A* with *B*: 12 users" per replacement (replace-words.ts, mrkdwn); its parts are not
   * in `assignments` or `revocations`.
   */
  replaceLines?: readonly string[];
  /** Why it needs approval, in one sentence (pending_approval), e.g. "it revokes 2 licenses; with your 2 earlier requests …". */
  approvalReason?: string;
}

/**
 * "turn off Exchange Online (Plan 2) for 2 users who have Office 365 E3", a line per product whose
 * holders change plans (plain text, counted as changeTotals counts); null when a name is unknown.
 */
export function planChangeLines(request: ChangeRequest, catalog: PlanCatalog): string[] | null {
  const lines: string[] = [];
  for (const t of changeTotals(request)) {
    if (t.op !== 'assign' || t.planChanges === 0) continue;
    const off = requestPlansOff(request, t.skuId, catalog);
    const product = productName(request, t.skuId);
    if (off === null || product === undefined) return null;
    lines.push(planChangeText({ users: t.planChanges, off, product }));
  }
  return lines;
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
    blocks.push(section(`*Your request for ${customer} is under way.*`));
  } else {
    const { deciders, selfNote } = decidersOf(data.approvers ?? [], data.requestedBy ?? '');
    const who = deciders.length > 0 ? ` by ${mentions(deciders)}` : '';
    const where = data.approvalChannelId ? ` in ${channel(data.approvalChannelId)}` : '';
    const self = selfNote === '' ? '' : ' You cannot approve your own request.';
    blocks.push(
      section(
        `:hourglass: *Your request for ${customer} is waiting for approval*${who}${where}. Nothing changes until it is approved.${self}`,
      ),
    );
    if (data.approvalReason !== undefined) {
      blocks.push(context([`Why: ${escapeMrkdwn(truncate(oneLine(data.approvalReason), 500))}`]));
    }
  }
  const parts: string[] = [...(data.replaceLines ?? [])];
  const planChanges = data.planChanges ?? 0;
  const newAssignments = (data.assignments ?? 0) - planChanges;
  if (newAssignments > 0) parts.push(`${plural(newAssignments, 'license')} to assign`);
  const named = data.planChangeLines ?? [];
  if (planChanges > 0 && named.length > 0)
    parts.push(...named.map((l) => escapeMrkdwn(truncate(oneLine(l), 300))));
  else if (planChanges > 0)
    parts.push(
      `plans to change for ${plural(planChanges, 'user')} who ${planChanges === 1 ? 'has' : 'have'} the product`,
    );
  if (data.revocations !== undefined && data.revocations > 0) {
    parts.push(`${plural(data.revocations, 'license')} to revoke`);
  }
  // The request id is for looking it up (App Home, the CSV's name, support), not a headline.
  blocks.push(context([...parts, `Request ${id}`]));
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
