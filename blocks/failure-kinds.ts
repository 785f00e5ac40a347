/**
 * Failures grouped as the thread and the summary show them: a failed plan change (a holder
 * re-assigned with other plans, run-counts.ts isPlanChange) apart from a failed new assignment,
 * so each is worded as what it was. Pure.
 */
import { type FailureGroup, groupFailures } from '../src/licensing/execution/failure-groups.js';
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';

/** A group of failures, and whether it is of plan changes (assignments to holders who keep it). */
export type KindGroup = FailureGroup & { planChange: boolean };

/** `results`' failures grouped by product, reason and kind: new assignments, plan changes, revokes. */
export function groupFailuresByKind(
  request: Pick<ChangeRequest, 'items'>,
  results: readonly ItemResult[],
): KindGroup[] {
  const replanned = new Set(
    request.items.flatMap((item) => (item.planChanges ?? []).map((skuId) => `${item.userId}|${skuId}`)),
  );
  const isPlanChange = (r: ItemResult) => r.op === 'assign' && replanned.has(`${r.userId}|${r.skuId}`);
  return [
    ...groupFailures(results.filter((r) => !isPlanChange(r))).map((g) => ({ ...g, planChange: false })),
    ...groupFailures(results.filter(isPlanChange)).map((g) => ({ ...g, planChange: true })),
  ];
}
