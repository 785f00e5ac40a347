/** The manage-licenses step: each product over the selection, then what to assign and revoke. */
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { ProductOverview } from '../src/licensing/licensing-service.js';
import { needsApproval, takenAwayText } from '../src/licensing/policy.js';
import { assignText } from './assign-text.js';
import { breakGlassInput } from './break-glass.js';
import { context, divider, modal, option, plain, plural, section } from './elements.js';
import { type HoldersOverview, keepersThroughGroup } from './group-keepers.js';
import { assignGroupId, ids, revokeGroupId } from './ids.js';
import { chunk, encodeMetadata, escapeMrkdwn, limits, oneLine } from './limits.js';
import { plansOffNames } from './plan-change-words.js';
import { holderCount, type ProductLinesData, productLineBlocks, stateText } from './product-lines.js';
import { replaceBlocks } from './replace-inputs.js';

export interface LicensesStepData extends ProductLinesData {
  draftId: string;
  customerName: string;
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
  /** The viewer may run a request that needs approval at once (BREAK_GLASS_USER_IDS); absent = no. */
  breakGlass?: boolean;
  /** A problem to show at the top (errors for input blocks go through response_action: errors). */
  error?: string | null;
  /** What the operator chose before (Back from the preview): ticked again as initial options. */
  chosen?: {
    assign: readonly string[];
    revoke: readonly string[];
    reason: string | null;
    breakGlass: boolean;
    /** The "Replace A with B" products chosen (each side optional). */
    replace?: { from?: string; to?: string };
  };
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

/**
 * What revoking the product would do, for its option description: the state over the selection,
 * or, when some direct holders also get it through a group and so keep it, "3 lose it · 2 keep
 * it through a group".
 */
export function revokeText(p: HoldersOverview, selectedCount: number): string {
  if (holderCount(p) === 0) return `${stateText(p, selectedCount)}: nothing to revoke`;
  if (p.holders.length === 0) return `${stateText(p, selectedCount)}: cannot be revoked here`;
  const keep = keepersThroughGroup(p).length;
  if (keep === 0) return stateText(p, selectedCount);
  if (selectedCount === 1) return 'The selected user keeps it through a group';
  const lose = p.holders.length - keep;
  return lose === 0
    ? `${keep === 1 ? 'The 1 who has it keeps' : `All ${keep} who have it keep`} it through a group`
    : `${lose} lose it · ${keep} keep it through a group`;
}

/** The plans the operator turned off for a product, named; null when untouched. */
function plansOff(p: ProductOverview, data: ProductLinesData): string[] | null {
  const disabled = data.disabledPlansBySku?.[p.product.skuId];
  return disabled === undefined ? null : plansOffNames(p.product.servicePlans, disabled);
}

function checkboxGroups(
  kind: 'assign' | 'revoke',
  products: readonly ProductOverview[],
  data: ProductLinesData & Pick<LicensesStepData, 'chosen'>,
): InputBlock[] {
  const { selectedCount } = data;
  const groups = chunk(products, limits.checkboxOptions);
  return groups.map((group, g) => {
    const options: PlainTextOption[] = group.map((p) =>
      option(
        p.product.name,
        p.product.skuId,
        kind === 'assign' ? assignText(p, selectedCount, plansOff(p, data)) : revokeText(p, selectedCount),
      ),
    );
    const first = g * limits.checkboxOptions + 1;
    const range =
      groups.length > 1 ? ` (products ${first}–${first + group.length - 1} of ${products.length})` : '';
    const id = kind === 'assign' ? assignGroupId(g) : revokeGroupId(g);
    const ticked = new Set(data.chosen?.[kind] ?? []);
    const initial = options.filter((o) => ticked.has(o.value ?? ''));
    const block: InputBlock = {
      type: 'input',
      block_id: id,
      optional: true,
      label: plain(
        kind === 'assign' ? `Assign to all selected users${range}` : `Revoke from all selected users${range}`,
        limits.label,
      ),
      element: {
        type: 'checkboxes',
        action_id: id,
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    };
    // Revoke ticks come as block_actions so the approval warning and reason can follow them.
    if (kind === 'revoke') block.dispatch_action = true;
    return block;
  });
}

/** The request's reason (block `ids.blocks.reason`), required when `approval` is needed; `initial` fills it again. */
export function reasonInput(approval: boolean, initial?: string | null): InputBlock {
  return {
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
      ...(initial ? { initial_value: initial } : {}),
      placeholder: plain('Why these licenses change, e.g. "Leavers of March"', limits.placeholder),
    },
  };
}

/**
 * The manage-licenses modal (close "Cancel": it replaces the root view); private_metadata `{ draftId }`. Nothing is pre-ticked: the choice is
 * a change (checkboxes have no partial state). The reason input is always present (block
 * `ids.blocks.reason`) and only required when approval is needed, so a typed reason survives the
 * views.update that a revoke tick triggers. Every product but the suspended ones appears in the
 * Assign and Revoke groups (≤ 10 a group); product lines become compact, then are cut, to stay within 100 blocks.
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

  // A suspended product can be neither assigned nor revoked: its line says why, it is not offered.
  const tickable = data.products.filter((p) => p.product.status !== 'suspended');
  const assign = checkboxGroups('assign', tickable, data);
  const revoke = checkboxGroups('revoke', tickable, data);
  const replace = replaceBlocks(
    tickable.map((p) => p.product),
    data.chosen?.replace,
  );
  const tail: KnownBlock[] = [divider(), ...assign, ...revoke, ...replace];
  if (approval) {
    tail.push(section(approvalNotice(data), { blockId: ids.blocks.approvalWarning }));
    if (data.breakGlass === true) tail.push(breakGlassInput(data.chosen?.breakGlass === true));
  }
  tail.push(reasonInput(approval, data.chosen?.reason));

  const middle = productLineBlocks(data, limits.viewBlocks - head.length - tail.length);
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
