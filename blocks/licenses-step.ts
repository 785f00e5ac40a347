/** The manage-licenses step: each product over the selection, then what to assign and revoke. */
import type { Button, InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { ProductOverview } from '../src/licensing/licensing-service.js';
import { needsApproval, takenAwayText } from '../src/licensing/policy.js';
import { actions, button, context, divider, modal, option, plain, plural, section } from './elements.js';
import {
  assignGroupId,
  buyMoreActionId,
  holdersActionId,
  ids,
  plansActionId,
  productActionsBlockId,
  productBlockId,
  productChunkBlockId,
  revokeGroupId,
} from './ids.js';
import { chunk, encodeMetadata, escapeMrkdwn, limits, oneLine, packLines, truncate } from './limits.js';

export interface LicensesStepData {
  draftId: string;
  customerName: string;
  /** How many users are selected. */
  selectedCount: number;
  /** Every product the customer owns, over the selection. */
  products: readonly ProductOverview[];
  /** "Buy more" link (PURCHASE_URL); without it a text hint is shown. */
  purchaseUrl?: string | null;
  /** Service plans the operator turned off, per skuId (draft.disabledPlansBySku; absent = unchanged). */
  disabledPlansBySku?: Readonly<Record<string, readonly string[]>>;
  /** Revocations (users × products) at or above which approval is needed. */
  approvalThreshold: number;
  /**
   * Revocations the current ticks would make, as the approval policy counts them (licenses revoked
   * and plan removals); null when not known yet (no warning shown).
   */
  plannedRevocations: number | null;
  /** Of `plannedRevocations`, users × products whose service plans would be turned off while kept. */
  planRemovals?: number;
  /**
   * The operator's earlier revocations on this customer that count toward the threshold
   * (APPROVAL_WINDOW_HOURS), so that small requests add up; absent = none.
   */
  earlier?: { requests: number; revocations: number; windowHours: number };
  /** A problem to show at the top (errors for input blocks go through response_action: errors). */
  error?: string | null;
}

/** Whether the policy's count of the ticks, with the earlier ones of the window, needs approval. */
function approvalNeeded(data: LicensesStepData): boolean {
  return needsApproval(data.plannedRevocations ?? 0, data.approvalThreshold, data.earlier?.revocations ?? 0);
}

/** "revokes 2 licenses and turns service plans off on 3 licenses users keep". */
function takenAway(data: LicensesStepData): string {
  const removals = data.planRemovals ?? 0;
  return takenAwayText((data.plannedRevocations ?? 0) - removals, removals);
}

/** Why the request needs approval: what it takes away, with the operator's earlier requests when they count. */
function approvalWhy(data: LicensesStepData): string {
  const planned = data.plannedRevocations ?? 0;
  const threshold = data.approvalThreshold;
  const earlier = data.earlier;
  if (earlier !== undefined && earlier.revocations > 0) {
    return (
      `it ${takenAway(data)}; with your ${plural(earlier.requests, 'earlier request')} on this customer in the ` +
      `last ${earlier.windowHours} h: ${plural(planned + earlier.revocations, 'revocation')}, and ${threshold} or more need approval.`
    );
  }
  if ((data.planRemovals ?? 0) > 0) {
    return `it ${takenAway(data)}: ${plural(planned, 'revocation')}, and ${threshold} or more need approval.`;
  }
  return `it revokes ${plural(planned, 'license')}, and revoking ${threshold} or more needs approval.`;
}

function approvalNotice(data: LicensesStepData): string {
  return (
    `:lock: *This request needs a manager's approval:* ${approvalWhy(data)} Give a reason below for the approver; ` +
    'nothing changes until the request is approved.'
  );
}

/** Products per compact chunk: a section of lines plus ≤ 3 buttons each in one actions block (≤ 25). */
const COMPACT_CHUNK = 8;

function holderCount(p: ProductOverview): number {
  return new Set([...p.holders, ...p.inheritedHolders]).size;
}

/**
 * The state over the selection: "All 5 selected have it" / "3 of 5 selected have it (1 through a
 * group)" / "1 of 5 selected has it" / "None of the 5 selected has it"; for one selected user
 * "The selected user has it" / "The selected user does not have it".
 */
export function stateText(p: ProductOverview, selectedCount: number): string {
  const held = holderCount(p);
  const inherited = p.inheritedHolders.length;
  const via =
    inherited > 0 ? ` (${inherited === held ? 'through a group' : `${inherited} through a group`})` : '';
  if (p.state === 'none' || held === 0) {
    return selectedCount === 1
      ? 'The selected user does not have it'
      : `None of the ${selectedCount} selected has it`;
  }
  if (selectedCount === 1) return `The selected user has it${via}`;
  if (p.state === 'all') return `All ${selectedCount} selected have it${via}`;
  return `${held} of ${selectedCount} selected ${held === 1 ? 'has' : 'have'} it${via}`;
}

/**
 * What assigning the product would take, for its option description: "12 available · 4 would
 * get it", "Not enough: 0 available for 4 users", "All selected have it already", "Suspended:
 * cannot be assigned".
 */
export function assignText(p: ProductOverview, selectedCount: number): string {
  if (p.product.status === 'suspended') return 'Suspended: cannot be assigned';
  const missing = Math.max(0, selectedCount - holderCount(p));
  if (missing === 0)
    return `${selectedCount === 1 ? 'The selected user has' : 'All selected have'} it already`;
  if (missing > p.product.available) {
    return `Not enough: ${p.product.available} available for ${plural(missing, 'user')}`;
  }
  return `${p.product.available} available · ${missing} would get it`;
}

function statusMark(p: ProductOverview): string {
  if (p.product.status === 'suspended') return ' :no_entry: _subscription suspended_';
  if (p.product.status === 'warning') return ' :warning: _subscription expiring_';
  return '';
}

function availableText(p: ProductOverview): string {
  if (p.product.status === 'suspended') return 'cannot be assigned';
  return p.product.available === 0 ? '*0 available*' : `${p.product.available} available`;
}

/** "Service plans (5)" / "Service plans (2 of 5 off)". */
function plansLabel(p: ProductOverview, disabled: readonly string[] | undefined): string {
  const total = p.product.servicePlans.length;
  return disabled === undefined || disabled.length === 0
    ? `Service plans (${total})`
    : `Service plans (${disabled.length} of ${total} off)`;
}

function productName(p: ProductOverview): string {
  return escapeMrkdwn(truncate(oneLine(p.product.name), 150));
}

interface Line {
  text: string;
  buttons: Button[];
  /** The button shown beside the line in the detailed layout. */
  accessory: Button | null;
}

function productLine(p: ProductOverview, index: number, data: LicensesStepData, compact: boolean): Line {
  const skuId = p.product.skuId;
  const name = productName(p);
  const parts = [stateText(p, data.selectedCount), availableText(p)];
  const soldOut = p.product.available === 0 && p.product.status !== 'suspended';
  const buttons: Button[] = [];
  if (soldOut) {
    if (data.purchaseUrl) {
      buttons.push(
        button({
          actionId: buyMoreActionId(index),
          text: compact ? `Buy more: ${p.product.name}` : 'Buy more',
          url: data.purchaseUrl,
          value: skuId,
        }),
      );
    } else {
      parts.push('none left: buy more in Partner Center');
    }
  }
  if (p.product.servicePlans.length > 0) {
    const label = plansLabel(p, data.disabledPlansBySku?.[skuId]);
    buttons.push(
      button({
        actionId: plansActionId(index),
        text: compact ? `${label}: ${p.product.name}` : label,
        value: skuId,
      }),
    );
  }
  const holders =
    holderCount(p) > 0
      ? button({
          actionId: holdersActionId(index),
          text: compact ? `Who has it: ${p.product.name}` : 'Who has it',
          value: skuId,
        })
      : null;
  if (compact) {
    return {
      text: `• *${name}*${statusMark(p)} · ${parts.join(' · ')}`,
      buttons: holders ? [holders, ...buttons] : buttons,
      accessory: null,
    };
  }
  return { text: `*${name}*${statusMark(p)}\n${parts.join(' · ')}`, buttons, accessory: holders };
}

/** What revoking the product would do, for its option description. */
function revokeText(p: ProductOverview, selectedCount: number): string {
  if (holderCount(p) === 0) return `${stateText(p, selectedCount)}: nothing to revoke`;
  if (p.holders.length === 0) return `${stateText(p, selectedCount)}: cannot be revoked here`;
  return stateText(p, selectedCount);
}

function checkboxGroups(
  kind: 'assign' | 'revoke',
  products: readonly ProductOverview[],
  selectedCount: number,
): InputBlock[] {
  const groups = chunk(products, limits.checkboxOptions);
  return groups.map((group, g) => {
    const options: PlainTextOption[] = group.map((p) =>
      option(
        p.product.name,
        p.product.skuId,
        kind === 'assign' ? assignText(p, selectedCount) : revokeText(p, selectedCount),
      ),
    );
    const first = g * limits.checkboxOptions + 1;
    const range =
      groups.length > 1 ? ` (products ${first}–${first + group.length - 1} of ${products.length})` : '';
    const id = kind === 'assign' ? assignGroupId(g) : revokeGroupId(g);
    const block: InputBlock = {
      type: 'input',
      block_id: id,
      optional: true,
      label: plain(
        kind === 'assign' ? `Assign to all selected users${range}` : `Revoke from all selected users${range}`,
        limits.label,
      ),
      element: { type: 'checkboxes', action_id: id, options },
    };
    // Revoke ticks come as block_actions so the approval warning and reason can follow them.
    if (kind === 'revoke') block.dispatch_action = true;
    return block;
  });
}

/**
 * The manage-licenses modal (close "Cancel": it replaces the root view); private_metadata `{ draftId }`. Nothing is pre-ticked: the choice is
 * a change (checkboxes have no partial state). The reason input is always present (block
 * `ids.blocks.reason`) and only required when approval is needed, so a typed reason survives the
 * views.update that a revoke tick triggers. All products appear in the Assign and Revoke groups
 * (≤ 10 a group); product lines become compact, then are cut, to stay within 100 blocks.
 */
export function renderLicensesStep(data: LicensesStepData): ModalView {
  const approval = approvalNeeded(data);
  const head: KnownBlock[] = [];
  head.push(
    section(
      `*Customer:* ${escapeMrkdwn(oneLine(data.customerName))} · *${plural(data.selectedCount, 'user')} selected*`,
    ),
  );
  if (data.error) head.push(section(`:warning: ${escapeMrkdwn(data.error)}`));
  head.push(
    context([
      'Tick only what should *change*; unticked products stay as they are. *Assign* gives a product to the ' +
        'selected users who do not have it; *revoke* removes it from those who do.',
      'Licenses inherited from a group cannot be revoked here: change the group membership instead.',
    ]),
  );
  head.push(divider());

  const assign = checkboxGroups('assign', data.products, data.selectedCount);
  const revoke = checkboxGroups('revoke', data.products, data.selectedCount);
  const tail: KnownBlock[] = [divider(), ...assign, ...revoke];
  if (approval) {
    tail.push(section(approvalNotice(data), { blockId: ids.blocks.approvalWarning }));
  }
  tail.push({
    type: 'input',
    block_id: ids.blocks.reason,
    optional: !approval,
    // Slack marks optional inputs itself, so the label does not say it.
    label: plain(approval ? 'Reason for the approver' : 'Reason', limits.label),
    hint: plain(
      approval
        ? 'Required: approvers read it before they decide. It is kept with the request.'
        : 'Shown in the summary message and kept with the request.',
      limits.hint,
    ),
    element: {
      type: 'plain_text_input',
      action_id: ids.actions.reason,
      multiline: true,
      max_length: 1000,
      placeholder: plain('Why these licenses change, e.g. "Leavers of March"', limits.placeholder),
    },
  });

  const budget = limits.viewBlocks - head.length - tail.length;
  const products = data.products;
  const detailed = products.map((p, i) => productLine(p, i, data, false));
  const detailedCost = detailed.reduce((n, l) => n + 1 + (l.buttons.length > 0 ? 1 : 0), 0);
  const middle: KnownBlock[] = [];
  if (products.length === 0) {
    middle.push(section('This customer owns no product that can be assigned to users.'));
  } else if (detailedCost <= budget) {
    detailed.forEach((line, i) => {
      middle.push(
        section(line.text, {
          blockId: productBlockId(i),
          ...(line.accessory ? { accessory: line.accessory } : {}),
        }),
      );
      if (line.buttons.length > 0) middle.push(actions(line.buttons, productActionsBlockId(i)));
    });
  } else {
    const compact = products.map((p, i) => productLine(p, i, data, true));
    const chunks = chunk(compact, COMPACT_CHUNK);
    // Keep one block for the "more products" note when not every chunk fits.
    const chunkCost = (c: Line[]) =>
      packLines(c.map((l) => l.text)).length + (c.some((l) => l.buttons.length > 0) ? 1 : 0);
    let used = 0;
    let shown = 0;
    for (const [k, c] of chunks.entries()) {
      const cost = chunkCost(c);
      const reserve = k < chunks.length - 1 ? 1 : 0;
      if (used + cost + reserve > budget) break;
      packLines(c.map((l) => l.text)).forEach((text, t) => {
        middle.push(section(text, { blockId: productChunkBlockId(k, t) }));
      });
      const buttons = c.flatMap((l) => l.buttons);
      if (buttons.length > 0) middle.push(actions(buttons, productActionsBlockId(k)));
      used += cost;
      shown += c.length;
    }
    if (shown < products.length) {
      middle.push(
        context([
          `${products.length - shown} more products are not described above; all ${products.length} are in the Assign and Revoke lists below.`,
        ]),
      );
    }
  }

  return modal({
    callbackId: ids.views.manage,
    title: 'Manage licenses',
    submit: approval ? 'Request approval' : 'Apply',
    // The step replaces the root view (views.update), so closing ends the flow.
    close: 'Cancel',
    blocks: [...head, ...middle, ...tail],
    privateMetadata: encodeMetadata({ draftId: data.draftId }),
  });
}
