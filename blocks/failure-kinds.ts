/**
 * Failures grouped as the thread and the summary show them: a failed plan change (a holder
 * re-assigned with other plans, run-counts.ts isPlanChange) apart from a failed new assignment,
 * so each is worded as what it was, in the order both list them. Pure.
 */
import { type FailureGroup, groupFailures } from '../src/licensing/execution/failure-groups.js';
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';
import { isPlanChangeIn } from '../src/licensing/run-counts.js';
import { compareProductOps } from './product-ops.js';

/** A group of failures, and whether it is of plan changes (assignments to holders who keep it). */
export type KindGroup = FailureGroup & { planChange: boolean };

/**
 * `results`' failures grouped by product, reason and kind (new assignments, plan changes,
 * revokes): assignments first, the request's product order, new assignments before plan changes,
 * then the larger group first.
 */
export function groupFailuresByKind(
  request: Pick<ChangeRequest, 'items' | 'products'>,
  results: readonly ItemResult[],
): KindGroup[] {
  const isPlanChange = isPlanChangeIn(request);
  const byLine = compareProductOps(request);
  return [
    ...groupFailures(results.filter((r) => !isPlanChange(r))).map((g) => ({ ...g, planChange: false })),
    ...groupFailures(results.filter(isPlanChange)).map((g) => ({ ...g, planChange: true })),
  ].sort(
    (a, b) =>
      byLine(a, b) || Number(a.planChange) - Number(b.planChange) || b.userIds.length - a.userIds.length,
  );
}
