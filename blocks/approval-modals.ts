/** The approval message's modals: the reject reason, and the users a request revokes from. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ChangeRequest } from '../src/licensing/model.js';
import { context, modal, plain, plural, readOnlyModal, section } from './elements.js';
import { ids } from './ids.js';
import {
  encodeMetadata,
  escapeMrkdwn,
  limits,
  oneLine,
  packLinesCapped,
  truncate,
  VIEW_TEXT_BUDGET,
} from './limits.js';
import { productLabel, revokeTotals } from './run-summary.js';
import { sortUsers, userLine } from './users-step.js';

export interface RejectReasonData {
  requestId: string;
  customerName?: string;
}

/** The reject-reason modal: one required input (block/action `reject_reason`); private_metadata `{ requestId }`. */
export function renderRejectReasonModal(data: RejectReasonData): ModalView {
  const blocks: KnownBlock[] = [
    section(
      `Reject this request${data.customerName ? ` for *${escapeMrkdwn(truncate(oneLine(data.customerName), 200))}*` : ''}? Nothing will be changed, and the requester sees your reason in the request's thread.`,
    ),
    context([`Request ${escapeMrkdwn(data.requestId)}`]),
    {
      type: 'input',
      block_id: ids.blocks.rejectReason,
      label: plain('Reason for the requester', limits.label),
      element: {
        type: 'plain_text_input',
        action_id: ids.actions.rejectReason,
        multiline: true,
        min_length: 1,
        max_length: 1000,
        placeholder: plain('Why this request is rejected', limits.placeholder),
      },
    },
  ];
  return modal({
    callbackId: ids.views.rejectReason,
    title: 'Reject request',
    submit: 'Reject',
    close: 'Cancel',
    blocks,
    privateMetadata: encodeMetadata({ requestId: data.requestId }),
  });
}

/** Sections of the revoke list (the last one says how many were left out). */
const REVOKE_LIST_SECTIONS = 95;

/** The "users to be revoked" modal of a request (opened from "View users"); no submit. */
export function renderRevokeListModal(request: ChangeRequest): ModalView {
  const revoking = sortUsers(
    request.items
      .filter((i) => i.change.revoke.length > 0)
      .map((i) => ({ id: i.userId, displayName: i.displayName, email: i.email, revoke: i.change.revoke })),
  );
  const { revocations } = revokeTotals(request);
  const lines = revoking.map(
    (u) => `• ${userLine(u)}: ${u.revoke.map((sku) => productLabel(request, sku)).join(', ')}`,
  );
  const blocks: KnownBlock[] = [
    section(
      `*${plural(revocations, 'license')} to revoke from ${plural(revoking.length, 'user')}* at *${escapeMrkdwn(truncate(oneLine(request.customerName), 200))}*`,
    ),
    context([`Request ${escapeMrkdwn(request.id)}`]),
  ];
  if (lines.length === 0) blocks.push(context(['This request revokes no license.']));
  const listed = packLinesCapped(
    lines,
    REVOKE_LIST_SECTIONS,
    (n) => `…and ${n} more users`,
    limits.sectionText,
    0,
    VIEW_TEXT_BUDGET,
  );
  blocks.push(...listed.map((text) => section(text)));
  return readOnlyModal(
    { callbackId: ids.views.revokeList, title: 'Users to revoke', close: 'Close' },
    blocks,
    { requestId: request.id },
  );
}
