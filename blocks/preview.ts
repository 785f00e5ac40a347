/**
 * What a change will do, before it is submitted (src/licensing/preview.ts): one line per product
 * and operation with the users who change, the no-ops and the predicted failures per reason. The
 * blocks serve any modal (manage step, retry, undo); renderPreview is the manage step's modal.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import {
  type ChangePreview,
  failuresByReason,
  type PreviewLine,
  type PreviewOp,
  type PreviewReason,
} from '../src/licensing/preview.js';
import { actions, button, context, modal, plural, section } from './elements.js';
import { ids, previewLineBlockId, previewUsersActionId } from './ids.js';
import { encodeMetadata, escapeMrkdwn, limits, oneLine, truncate } from './limits.js';

export interface PreviewBlocksData {
  preview: ChangePreview;
  /** Product names by skuId (an unknown one is "a product"). */
  productNames: Readonly<Record<string, string>>;
  /** A "Users" button per line: action `previewUsersActionId(i)`, value `previewLineValue(line)`. */
  usersButtons?: boolean;
  /** Blocks the lines may take (the caller's other blocks need the rest); default 90. */
  budget?: number;
}

/** Why users will fail, in a few words each, per operation where the words differ. */
export function reasonWords(reason: PreviewReason, op: PreviewOp): string {
  switch (reason) {
    case 'usage_location_missing':
      return 'no usage location';
    case 'usage_location_not_allowed':
      return 'not sold in their country';
    case 'insufficient_licenses':
      return 'beyond the seats left';
    case 'missing_prerequisite':
      if (op === 'replace') return 'lack or keep a product that needs one of them';
      return op === 'assign' ? 'lack a product it needs' : 'keep a product that needs it';
    case 'mutually_exclusive':
      return 'hold a product it cannot be combined with';
    case 'inherited_from_group':
      return 'have it through a group';
  }
}

/** The value of a line's "Users" button: the operation and the product, e.g. `assign:SKU`. */
export function previewLineValue(line: Pick<PreviewLine, 'op' | 'skuId'>): string {
  return `${line.op}:${line.skuId}`;
}

export function productNameOf(names: Readonly<Record<string, string>>, skuId: string): string {
  return Object.hasOwn(names, skuId) ? (names[skuId] ?? 'a product') : 'a product';
}

const LINE_WORDS: Record<PreviewOp, { verb: string; changes: string; noops: string }> = {
  assign: { verb: 'Assign', changes: 'will get it', noops: 'have it already' },
  revoke: { verb: 'Revoke', changes: 'will lose it', noops: 'do not have it' },
  replace: { verb: 'Replace', changes: 'will change', noops: 'do not have it: nothing to replace' },
};

/** "Office 365 E3", or "Office 365 E1 with Office 365 E3" for a replacement (names escaped). */
export function lineTitle(line: Pick<PreviewLine, 'to'>, productName: string, toName?: string): string {
  const name = escapeMrkdwn(truncate(oneLine(productName), 150));
  if (line.to === undefined) return name;
  return `${name} with ${escapeMrkdwn(truncate(oneLine(toName ?? 'a product'), 150))}`;
}

/** "*Assign Office 365 E3*\n12 will get it · 3 have it already · :x: 5 will fail: 2 no usage location, …". */
export function previewLineText(line: PreviewLine, productName: string, toName?: string): string {
  const words = LINE_WORDS[line.op];
  const parts = [
    `${line.changes.length} ${words.changes}`,
    ...(line.noops.length === 0 ? [] : [`${line.noops.length} ${words.noops}`]),
  ];
  if (line.failures.length > 0) {
    const why = failuresByReason(line).map(([reason, n]) => `${n} ${reasonWords(reason, line.op)}`);
    parts.push(`:x: ${line.failures.length} will fail: ${why.join(', ')}`);
  }
  return `*${words.verb} ${lineTitle(line, productName, toName)}*\n${parts.join(' · ')}`;
}

/** "25 users: 14 changes · 6 no change · 5 expected to fail", or that every change would fail. */
export function previewSummary(preview: ChangePreview): string {
  const head = `*${plural(preview.users, 'user')}:* ${plural(preview.changes, 'change')} · ${preview.noops} no change`;
  if (preview.allFail) {
    return (
      `${head} · :no_entry: *every change (${preview.failures}) is expected to fail*, so submitting would change nothing. ` +
      'Fix the causes below (usage locations, seats, the products in the way) or go back and change the request.'
    );
  }
  return preview.failures === 0 ? head : `${head} · :x: ${preview.failures} expected to fail`;
}

/** The summary, then one section per line (with its "Users" button), cut to the budget with a note. */
export function previewBlocks(data: PreviewBlocksData): KnownBlock[] {
  const { preview } = data;
  const budget = Math.max(2, data.budget ?? 90);
  const lines = preview.lines;
  const shown = lines.length + 1 <= budget ? lines : lines.slice(0, budget - 2);
  const blocks: KnownBlock[] = [section(previewSummary(preview))];
  shown.forEach((line, i) => {
    const names = data.productNames;
    const toName = line.to === undefined ? undefined : productNameOf(names, line.to);
    const text = previewLineText(line, productNameOf(names, line.skuId), toName);
    const users = button({
      actionId: previewUsersActionId(i),
      text: 'Users',
      value: previewLineValue(line),
    });
    blocks.push(
      section(text, {
        blockId: previewLineBlockId(i),
        ...(data.usersButtons === true ? { accessory: users } : {}),
      }),
    );
  });
  if (shown.length < lines.length) {
    blocks.push(
      context([`${lines.length - shown.length} more products are changed; they are not listed here.`]),
    );
  }
  return blocks;
}

/** What submitting the previewed change does. */
export type PreviewSubmit = 'apply' | 'approval' | 'break_glass';

export interface PreviewViewData extends PreviewBlocksData {
  draftId: string;
  customerName: string;
  submit: PreviewSubmit;
  /** Why it needs approval (policy's words), when it does. */
  approvalReason?: string;
  /** The operator's reason, shown back. */
  reason?: string | null;
  /** A problem to show at the top (e.g. the change was refused when confirmed). */
  error?: string | null;
}

const SUBMIT_TEXT: Record<PreviewSubmit, string> = {
  apply: 'Apply',
  approval: 'Request approval',
  break_glass: 'Run now',
};

function submitNote(data: PreviewViewData): string | null {
  if (data.preview.allFail) return null;
  if (data.submit === 'approval') {
    return `:lock: It needs a manager's approval: ${data.approvalReason ?? ''} Nothing changes until it is approved.`;
  }
  if (data.submit === 'break_glass') {
    return ':rotating_light: It needs approval and runs at once without it (break-glass); the approvers are told.';
  }
  return 'Nothing has changed yet: *Apply* starts it.';
}

/**
 * The manage step's preview modal; private_metadata `{ draftId }`. "‹ Back" (action
 * `ids.actions.previewBack`) returns to the manage step with its ticks; the submit button is left
 * out when every change would fail (the summary says why).
 */
export function renderPreview(data: PreviewViewData): ModalView {
  const head: KnownBlock[] = [
    section(`*Customer:* ${escapeMrkdwn(oneLine(data.customerName))} · what will happen`),
  ];
  if (data.error) head.push(section(`:warning: ${escapeMrkdwn(data.error)}`));
  const note = submitNote(data);
  const tail: KnownBlock[] = [];
  if (data.reason) tail.push(context([`*Reason:* ${escapeMrkdwn(truncate(oneLine(data.reason), 2900))}`]));
  if (note !== null) tail.push(context([note]));
  tail.push(
    actions(
      [button({ actionId: ids.actions.previewBack, text: '‹ Back', value: 'back' })],
      ids.blocks.previewActions,
    ),
  );
  const lines = previewBlocks({ ...data, budget: limits.viewBlocks - head.length - tail.length });
  return modal({
    callbackId: ids.views.preview,
    title: 'Check and confirm',
    ...(data.preview.allFail ? {} : { submit: SUBMIT_TEXT[data.submit] }),
    close: 'Cancel',
    blocks: [...head, ...lines, ...tail],
    privateMetadata: encodeMetadata({ draftId: data.draftId }),
  });
}
