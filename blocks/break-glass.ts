/**
 * Break-glass: a request that needs approval, run at once by an operator allowed to (config
 * BREAK_GLASS_USER_IDS). The manage step's choice, shown only to them, and the approvals channel's
 * "run without approval" message, which approvers acknowledge afterwards.
 */
import type { InputBlock, KnownBlock } from '@slack/types';
import type { ChangeRequest } from '../src/licensing/model.js';
import { whatItTakes } from './approval-request.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  header,
  option,
  plain,
  section,
  userMention,
} from './elements.js';
import { usableUrl } from './failure-text.js';
import { ids } from './ids.js';
import { escapeMrkdwn, limits, oneLine, truncate } from './limits.js';
import type { SlackMessage } from './run-summary.js';

/** The checkbox option's value; the listener also checks the signed user against configuration. */
export const BREAK_GLASS_VALUE = 'run_now';

/** Inline error under the reason when break-glass is ticked without one. */
export const BREAK_GLASS_REASON_REQUIRED =
  'Break-glass runs without approval: give the reason it cannot wait. Approvers read it afterwards.';

/** The manage step's "Run now without approval (break-glass)" checkbox, for break-glass operators only. */
export function breakGlassInput(ticked = false): InputBlock {
  const run = option(
    'Run now without approval (break-glass)',
    BREAK_GLASS_VALUE,
    'Starts at once; posted to the approvals channel',
  );
  return {
    type: 'input',
    block_id: ids.blocks.breakGlass,
    optional: true,
    label: plain('Break-glass', limits.label),
    hint: plain(
      'Only for emergencies. The reason below is required; approvers are told at once and review it afterwards.',
      limits.hint,
    ),
    element: {
      type: 'checkboxes',
      action_id: ids.actions.breakGlass,
      options: [run],
      ...(ticked ? { initial_options: [run] } : {}),
    },
  };
}

export interface BreakGlassNoticeData {
  request: ChangeRequest;
  /** Permalink of the requester's thread (its summary), when known. */
  threadLink?: string | null;
  /** Who acknowledged it, once someone did. */
  acknowledgedBy?: string | null;
}

/** The approvals channel's message: who ran what without approval and why; Acknowledge until someone did. */
export function renderBreakGlassNotice(data: BreakGlassNoticeData): SlackMessage {
  const { request } = data;
  const customer = escapeMrkdwn(truncate(oneLine(request.customerName), 200));
  const what = whatItTakes(request);
  const reason = escapeMrkdwn(truncate(oneLine(request.reason ?? ''), 1000));
  const blocks: KnownBlock[] = [
    header(':rotating_light: Run without approval (break-glass)'),
    section(`${userMention(request.requestedBy)} ran a request without approval: ${what} at *${customer}*.`),
    section(`*Reason:* ${reason === '' ? '_none given_' : reason}`),
  ];
  const acknowledged = data.acknowledgedBy ?? null;
  if (acknowledged === null) {
    blocks.push(
      actions(
        [
          button({
            actionId: ids.actions.acknowledgeBreakGlass,
            text: 'Acknowledge',
            style: 'primary',
            value: request.id,
            confirm: confirmDialog({
              title: 'Acknowledge?',
              text: 'Say that you reviewed this request run without approval. It is recorded in the audit log.',
              confirm: 'Acknowledge',
              deny: 'Cancel',
            }),
          }),
        ],
        ids.blocks.breakGlassActions,
      ),
    );
  } else {
    blocks.push(section(`:white_check_mark: Acknowledged by ${userMention(acknowledged)}`));
  }
  const url = usableUrl(data.threadLink);
  const link =
    url === null ? [] : [`<${url}|The requester's thread>: its summary, and the results once it ran`];
  blocks.push(context([...link, `Request ${escapeMrkdwn(request.id)}`]));
  const text = `Run without approval by ${userMention(request.requestedBy)}: ${escapeMrkdwn(`${what} at ${oneLine(request.customerName)}`)}`;
  return { text: truncate(text, limits.messageText), blocks };
}
