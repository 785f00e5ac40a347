/**
 * What a planned change will do, before it is submitted: per product and operation, the users who
 * change, the no-ops, and the users the run is expected to refuse, with the reason. Computed from
 * PLANNED ITEMS (a request's items, in the order the run goes through them), so the manage step,
 * a retry and an undo preview alike; the rules are eligibility.ts's, which the manage step's own
 * counts read too: seats taken in run order, Graph's order of checks, a group's license refused to
 * revoke, a revocation that takes away what a kept product needs. Pure.
 *
 * Plan changes (holders re-assigned with other plans turned off) are changes that take no seat.
 */
import {
  type LicensingRules,
  PREDICTED_REASONS,
  type PredictedReason,
  predictAssignment,
  predictRevocations,
  type RevokeRefusal,
} from './eligibility.js';
import type { ChangeItem, Operation, Product, Replacement, TenantUser, UserLicense } from './model.js';
import { replaceLine, replacementsOf } from './preview-replace.js';
import { isPlanChange } from './run-counts.js';

/** Every reason a preview can predict, in the order they are shown. */
export const PREVIEW_REASONS = [...PREDICTED_REASONS, 'inherited_from_group'] as const;
export type PreviewReason = PredictedReason | RevokeRefusal['reason'];

/** A user the run is expected to refuse, and why (the product in the way when known). */
export interface PredictedFailure {
  userId: string;
  reason: PreviewReason;
  blockingSkuId?: string;
}

/** An operation of a preview line: a product assigned, revoked, or replaced by another. */
export type PreviewOp = Operation | 'replace';

/** One product and operation of the change. User ids in run order. */
export interface PreviewLine {
  skuId: string;
  op: PreviewOp;
  /** A replacement's product given instead of `skuId` (op `replace` only). */
  to?: string;
  /** Users who will change (for an assignment: new holders, then holders whose plans change; for a replacement: the holders of `skuId`). */
  changes: string[];
  /** Users for whom there is nothing to do (already hold it / do not hold it). */
  noops: string[];
  failures: PredictedFailure[];
}

export interface ChangePreview {
  /**
   * One line per product and operation the change touches, in the catalogue's order, assign first;
   * a replacement is one line (at the product it replaces), not an assign and a revoke.
   */
  lines: PreviewLine[];
  /** Users in the change. */
  users: number;
  changes: number;
  noops: number;
  failures: number;
  /** Something was to change and every change is expected to fail: submitting would change nothing. */
  allFail: boolean;
}

export interface PreviewInput {
  /** The planned items, in the order the run goes through them. */
  items: readonly ChangeItem[];
  /** The items' users as the directory has them (usage locations). */
  users: readonly TenantUser[];
  /** Every product of the customer. */
  products: readonly Product[];
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
  rules: LicensingRules;
  /** The replacements the change names (items without a holder carry none). */
  replace?: readonly Replacement[];
}

export function previewChange(input: PreviewInput): ChangePreview {
  const pairs = replacementsOf(input);
  const revokeRefusals = predictRevocations({
    revokes: input.items
      .filter((item) => item.change.revoke.length > 0)
      .map((item) => ({ userId: item.userId, skuIds: item.change.revoke })),
    products: input.products,
    holdings: input.holdings,
    rules: input.rules,
  });
  const lines: PreviewLine[] = [];
  for (const product of input.products) {
    const { skuId } = product;
    // Each product has one role in a request (plan-replace.ts): a replacement's two are its line.
    const pair = pairs.find(({ from }) => from === skuId);
    const replace = pair === undefined ? null : replaceLine(input, pair);
    if (pairs.some(({ to }) => to === skuId) || pair !== undefined) {
      if (replace !== null) lines.push(replace);
      continue;
    }
    const assign = assignLine(input, skuId);
    if (assign !== null) lines.push(assign);
    const revoke = revokeLine(input.items, skuId, revokeRefusals);
    if (revoke !== null) lines.push(revoke);
  }
  const sum = (of: (line: PreviewLine) => number) => lines.reduce((n, line) => n + of(line), 0);
  const changes = sum((line) => line.changes.length);
  const failures = sum((line) => line.failures.length);
  return {
    lines,
    users: input.items.length,
    changes,
    noops: sum((line) => line.noops.length),
    failures,
    allFail: changes === 0 && failures > 0,
  };
}

/** How many of a line's users fail for each reason, in PREVIEW_REASONS order (none left out). */
export function failuresByReason(line: Pick<PreviewLine, 'failures'>): [PreviewReason, number][] {
  return PREVIEW_REASONS.map((reason): [PreviewReason, number] => [
    reason,
    line.failures.filter((failure) => failure.reason === reason).length,
  ]).filter(([, count]) => count > 0);
}

function assignLine(input: PreviewInput, skuId: string): PreviewLine | null {
  const noops: string[] = [];
  const planned: ChangeItem[] = [];
  let disabledPlans: string[] = [];
  for (const item of input.items) {
    const part = item.change.assign.find((a) => a.skuId === skuId);
    if (part !== undefined) {
      planned.push(item);
      if (!isPlanChange(item, skuId)) disabledPlans = part.disabledPlans;
    } else if (item.noops.some((noop) => noop.skuId === skuId && noop.op === 'assign')) {
      noops.push(item.userId);
    }
  }
  if (planned.length === 0 && noops.length === 0) return null;
  const usersById = new Map(input.users.map((user) => [user.id, user]));
  const users = planned.flatMap((item) => usersById.get(item.userId) ?? []);
  const prediction = predictAssignment({ ...input, users, choice: { skuId, disabledPlans } });
  // Holders in the plan are re-assigned with other plans: a change that needs no seat.
  const replanned = planned.filter((item) => isPlanChange(item, skuId)).map((item) => item.userId);
  return {
    skuId,
    op: 'assign',
    changes: [...prediction.gets, ...replanned],
    noops,
    failures: prediction.cannot,
  };
}

function revokeLine(
  items: readonly ChangeItem[],
  skuId: string,
  refusals: readonly RevokeRefusal[],
): PreviewLine | null {
  const failures = refusals
    .filter((refusal) => refusal.skuId === skuId)
    .map(({ userId, reason }) => ({ userId, reason }));
  const failing = new Set(failures.map((failure) => failure.userId));
  const changes = items
    .filter((item) => item.change.revoke.includes(skuId) && !failing.has(item.userId))
    .map((item) => item.userId);
  const noops = items
    .filter((item) => item.noops.some((noop) => noop.skuId === skuId && noop.op === 'revoke'))
    .map((item) => item.userId);
  if (changes.length === 0 && noops.length === 0 && failures.length === 0) return null;
  return { skuId, op: 'revoke', changes, noops, failures };
}
