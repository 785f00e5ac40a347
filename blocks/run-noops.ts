/**
 * The no-ops of a run's thread: "already had it" / "no longer had it" counted as no change, and
 * the selected users who never had a product to revoke, said apart and counted nowhere (see
 * countedNoops in src/licensing/run-counts.ts).
 */
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';
import { resultKey } from '../src/licensing/result-key.js';
import { neverHeldKeys } from '../src/licensing/run-counts.js';
import { plural } from './elements.js';
import { groupByProductOp, type ProductOp } from './product-ops.js';
import { productLabel } from './run-summary.js';

/** Results per product × operation, in the summary's order. */
function tally(request: ChangeRequest, results: readonly ItemResult[]): (ProductOp & { n: number })[] {
  return groupByProductOp(request, results).map(({ op, skuId, parts }) => ({ op, skuId, n: parts.length }));
}

/**
 * "• *E3*: 2 users already had it" / "• *Visio*: 1 user no longer had it (nothing to revoke)", and
 * an undo's parts left alone: "• *E3*: 3 users changed since the undone request (left as they are)".
 */
export function noopLines(request: ChangeRequest, results: readonly ItemResult[]): string[] {
  const noops = results.filter((r) => r.outcome === 'noop');
  const plain = tally(
    request,
    noops.filter((r) => r.changedSince !== true),
  ).map(({ op, skuId, n }) =>
    op === 'revoke'
      ? `• *${productLabel(request, skuId)}*: ${plural(n, 'user')} no longer had it (nothing to revoke)`
      : `• *${productLabel(request, skuId)}*: ${plural(n, 'user')} already had it`,
  );
  const changedSince = tally(
    request,
    noops.filter((r) => r.changedSince === true),
  ).map(
    ({ skuId, n }) =>
      `• *${productLabel(request, skuId)}*: ${plural(n, 'user')} changed since the undone request (left as they are)`,
  );
  return [...plain, ...changedSince];
}

/** "• *Visio*: 3 selected users did not have it": revokes that were never a change. */
export function neverHeldLines(request: ChangeRequest, results: readonly ItemResult[]): string[] {
  return tally(request, results).map(
    ({ skuId, n }) => `• *${productLabel(request, skuId)}*: ${plural(n, 'selected user')} did not have it`,
  );
}

/**
 * The results to report (the given batch, or every landed result plus planned no-ops), parted
 * into those the counts include and the revokes of a product the user never had.
 */
export function resultsOf(input: { request: ChangeRequest; results?: readonly ItemResult[] }): {
  counted: ItemResult[];
  neverHeld: ItemResult[];
} {
  const { request } = input;
  const all = input.results ? [...input.results] : Object.values(request.results);
  if (!input.results) {
    const seen = new Set(Object.keys(request.results));
    for (const item of request.items) {
      for (const n of item.noops) {
        const key = resultKey(item.userId, n.skuId, n.op);
        if (seen.has(key)) continue;
        all.push({
          userId: item.userId,
          skuId: n.skuId,
          op: n.op,
          outcome: 'noop',
          ...(n.changedSince ? { changedSince: true } : {}),
          at: request.createdAt,
        });
        seen.add(key);
      }
    }
  }
  const never = neverHeldKeys(request);
  const isNever = (r: ItemResult) => never.has(resultKey(r.userId, r.skuId, r.op));
  return { counted: all.filter((r) => !isNever(r)), neverHeld: all.filter(isNever) };
}
