/**
 * The product lines of the manage step: each product over the selection (state, availability,
 * its buttons), detailed while they fit the view's block budget, else compact, then cut.
 */
import type { Button, KnownBlock } from '@slack/types';
import type { PredictedReason } from '../src/licensing/eligibility.js';
import type { ProductOverview } from '../src/licensing/licensing-service.js';
import { actions, button, context, plural, section, slackDate } from './elements.js';
import type { HoldersOverview } from './group-keepers.js';
import {
  buyMoreActionId,
  holdersActionId,
  plansActionId,
  productActionsBlockId,
  productBlockId,
  productChunkBlockId,
} from './ids.js';
import { chunk, escapeMrkdwn, oneLine, packLines, truncate } from './limits.js';

export interface ProductLinesData {
  /** How many users are selected. */
  selectedCount: number;
  /** Every product the customer owns, over the selection. */
  products: readonly HoldersOverview[];
  /** "Buy more" link (PURCHASE_URL); without it a text hint is shown. */
  purchaseUrl?: string | null;
  /** Service plans the operator turned off, per skuId (draft.disabledPlansBySku; absent = unchanged). */
  disabledPlansBySku?: Readonly<Record<string, readonly string[]>>;
}

/** Products per compact chunk: a section of lines plus ≤ 3 buttons each in one actions block (≤ 25). */
const COMPACT_CHUNK = 8;

export function holderCount(p: ProductOverview): number {
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

function statusMark(p: ProductOverview): string {
  if (p.product.status === 'suspended') return ' :no_entry: _subscription suspended_';
  if (p.product.status === 'warning') return ` :warning: _${expiringText(p.product.nextLifecycleDate)}_`;
  return '';
}

/** "subscription expiring on <Dec 12, 2026>" (Slack's date in the reader's zone), or without a date when the provider gives none. */
export function expiringText(nextLifecycleDate: string | undefined): string {
  if (nextLifecycleDate === undefined || Number.isNaN(Date.parse(nextLifecycleDate))) {
    return 'subscription expiring';
  }
  return `subscription expiring on ${slackDate(nextLifecycleDate, '{date_short}')}`;
}

/** "12 available of 50 · 38 assigned", as Partner Center shows seats. */
function availableText(p: ProductOverview): string {
  const { available, total, consumed } = p.product;
  if (p.product.status === 'suspended')
    return `cannot be assigned or revoked while suspended · ${consumed} assigned`;
  return `${available === 0 ? '*0 available*' : `${available} available`} of ${total} · ${consumed} assigned`;
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

/** What keeps users from the product, in words, naming the product in the way where known. */
function refusalPhrase(count: number, reason: PredictedReason, blocking: string | undefined): string {
  const users = plural(count, 'user');
  switch (reason) {
    case 'usage_location_missing':
      return `${users} without a usage location`;
    case 'usage_location_not_allowed':
      return `${users} in a country where it is not sold`;
    case 'insufficient_licenses':
      return `${users} beyond the seats left`;
    case 'missing_prerequisite':
      return `${users} without ${blocking ?? 'a product'} it needs`;
    case 'mutually_exclusive':
      return blocking === undefined
        ? `${users} holding a product it cannot be combined with`
        : `${users} holding ${blocking}, which cannot be combined with it`;
  }
}

/** "\nCannot get it: 2 users without a usage location; 3 users holding Office 365 E1, which …" (detailed lines). */
function refusalsText(p: ProductOverview, products: readonly ProductOverview[]): string {
  const cannot = p.prediction?.cannot ?? [];
  if (cannot.length === 0 || p.product.status === 'suspended') return '';
  const nameOf = (skuId: string | undefined) => {
    const product = products.find((o) => o.product.skuId === skuId)?.product;
    return product === undefined ? undefined : escapeMrkdwn(truncate(oneLine(product.name), 100));
  };
  const groups = new Map<string, { reason: PredictedReason; blocking: string | undefined; count: number }>();
  for (const refusal of cannot) {
    const key = `${refusal.reason}|${refusal.blockingSkuId ?? ''}`;
    const group = groups.get(key) ?? {
      reason: refusal.reason,
      blocking: nameOf(refusal.blockingSkuId),
      count: 0,
    };
    group.count++;
    groups.set(key, group);
  }
  const phrases = [...groups.values()].map((g) => refusalPhrase(g.count, g.reason, g.blocking));
  return `\nCannot get it: ${phrases.join('; ')}`;
}

interface Line {
  text: string;
  buttons: Button[];
  /** The button shown beside the line in the detailed layout. */
  accessory: Button | null;
}

/** None left, or fewer than the selection needs (users predicted "no seats"): time to buy more. */
function seatsShort(p: ProductOverview): boolean {
  if (p.product.status === 'suspended') return false;
  return (
    p.product.available === 0 ||
    p.prediction?.cannot.some((r) => r.reason === 'insufficient_licenses') === true
  );
}

function productLine(p: ProductOverview, index: number, data: ProductLinesData, compact: boolean): Line {
  const skuId = p.product.skuId;
  const name = productName(p);
  const parts = [stateText(p, data.selectedCount), availableText(p)];
  const buttons: Button[] = [];
  if (seatsShort(p)) {
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
      parts.push(
        p.product.available === 0
          ? 'none left: buy more in Partner Center'
          : 'too few: buy more in Partner Center',
      );
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
  const why = refusalsText(p, data.products);
  return { text: `*${name}*${statusMark(p)}\n${parts.join(' · ')}${why}`, buttons, accessory: holders };
}

function detailedBlocks(lines: readonly Line[]): KnownBlock[] {
  return lines.flatMap((line, i) => [
    section(line.text, {
      blockId: productBlockId(i),
      ...(line.accessory ? { accessory: line.accessory } : {}),
    }),
    ...(line.buttons.length > 0 ? [actions(line.buttons, productActionsBlockId(i))] : []),
  ]);
}

/** Compact chunks while they fit `budget`, then a note on how many products are not described. */
function compactBlocks(lines: readonly Line[], budget: number): KnownBlock[] {
  const chunks = chunk(lines, COMPACT_CHUNK);
  const blocks: KnownBlock[] = [];
  let used = 0;
  let shown = 0;
  for (const [k, c] of chunks.entries()) {
    const texts = packLines(c.map((l) => l.text));
    const buttons = c.flatMap((l) => l.buttons);
    const cost = texts.length + (buttons.length > 0 ? 1 : 0);
    // Keep one block for the "more products" note when not every chunk fits.
    const reserve = k < chunks.length - 1 ? 1 : 0;
    if (used + cost + reserve > budget) break;
    blocks.push(...texts.map((text, t) => section(text, { blockId: productChunkBlockId(k, t) })));
    if (buttons.length > 0) blocks.push(actions(buttons, productActionsBlockId(k)));
    used += cost;
    shown += c.length;
  }
  if (shown < lines.length) {
    blocks.push(
      context([
        `${lines.length - shown} more products are not described above; the Assign and Revoke lists below offer every one that can be ticked.`,
      ]),
    );
  }
  return blocks;
}

/** The product lines within `budget` blocks: detailed when they all fit, else compact chunks. */
export function productLineBlocks(data: ProductLinesData, budget: number): KnownBlock[] {
  const products = data.products;
  if (products.length === 0) return [section('This customer owns no product that can be assigned to users.')];
  const detailed = products.map((p, i) => productLine(p, i, data, false));
  const detailedCost = detailed.reduce((n, l) => n + 1 + (l.buttons.length > 0 ? 1 : 0), 0);
  if (detailedCost <= budget) return detailedBlocks(detailed);
  return compactBlocks(
    products.map((p, i) => productLine(p, i, data, true)),
    budget,
  );
}
