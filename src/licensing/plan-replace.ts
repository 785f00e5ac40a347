/**
 * The "replace A with B" part of a plan (plan.ts): for each user who holds A, B assigned and A
 * revoked in one call, so the user is never without a license.
 *
 * Decisions:
 * - A user who holds A and not B gets the pair: B in `change.assign` (with the plans chosen for
 *   B), A in `change.revoke`, and `{ from: A, to: B }` in `replaces` (the executor keeps them in
 *   one call). A held only through a group is planned the same way, so the run reports
 *   `inherited_from_group` for the pair, as a revoke does.
 * - A user who already holds B (directly or through a group) only loses A: a plain revoke, and B
 *   is a no-op to assign ("already had it").
 * - A user without A has a no-op revoke of A (listed "did not have it", counted nowhere) and
 *   nothing of B: there is nothing to replace.
 * - Counts: the pair is one assignment and one revocation, so the approval rule counts A revoked
 *   from N users as N revocations, as it would count a revoke of A.
 */
import type { AssignChoice, ChangeItem, Operation, UserLicense } from './model.js';
import type { PlanProblem } from './plan.js';

/** What the operator asked: replace product `from` with the product (and plans) of `to`. */
export interface ReplaceChoice {
  from: string;
  to: AssignChoice;
}

/** What planning the replacements adds to the plan's counts. */
export interface ReplaceTally {
  assignments: number;
  revocations: number;
  noops: number;
}

/**
 * Problems with the replacements themselves: a product replaced by itself, or named by a
 * replacement and also ticked to assign or revoke or named by another replacement (each product
 * has one role in a request).
 */
export function replaceProblems(
  replace: readonly ReplaceChoice[],
  assign: readonly AssignChoice[],
  revoke: readonly string[],
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const ticked = new Set([...assign.map((choice) => choice.skuId), ...revoke]);
  const named = new Set<string>();
  for (const { from, to } of replace) {
    if (from === to.skuId) {
      problems.push({ kind: 'replace_same', skuId: from });
      continue;
    }
    for (const skuId of [from, to.skuId]) {
      if (ticked.has(skuId) || named.has(skuId)) problems.push({ kind: 'replace_overlap', skuId });
      named.add(skuId);
    }
  }
  return problems;
}

/** Adds one user's replacements to their item (see the decisions at the top). */
export function planReplacements(
  item: ChangeItem,
  held: ReadonlyMap<string, UserLicense>,
  replace: readonly ReplaceChoice[],
  tally: ReplaceTally,
): void {
  const noop = (skuId: string, op: Operation) => {
    item.noops.push({ skuId, op });
    tally.noops++;
  };
  for (const { from, to } of replace) {
    if (!held.has(from)) {
      noop(from, 'revoke');
      continue;
    }
    item.change.revoke.push(from);
    tally.revocations++;
    if (held.has(to.skuId)) {
      noop(to.skuId, 'assign');
      continue;
    }
    item.change.assign.push({ skuId: to.skuId, disabledPlans: [...(to.disabledPlans ?? [])] });
    tally.assignments++;
    item.replaces = [...(item.replaces ?? []), { from, to: to.skuId }];
  }
}
