import type { ChangeRequest, RunCounts } from './model.js';
import { resultKey } from './result-key.js';

/** Counts a request's parts (planned changes and no-ops) and how many have landed, by outcome. */
export function countResults(request: Pick<ChangeRequest, 'items' | 'results'>): RunCounts {
  const counts: RunCounts = { total: 0, done: 0, success: 0, noop: 0, failed: 0 };
  for (const item of request.items) {
    const keys = [
      ...item.change.assign.map((part) => resultKey(item.userId, part.skuId, 'assign')),
      ...item.change.revoke.map((skuId) => resultKey(item.userId, skuId, 'revoke')),
      ...item.noops.map((noop) => resultKey(item.userId, noop.skuId, noop.op)),
    ];
    for (const key of keys) {
      counts.total++;
      const result = request.results[key];
      if (!result) continue;
      counts.done++;
      counts[result.outcome]++;
    }
  }
  return counts;
}

/**
 * True when the user's assignment of the product is a plan change: the user holds it directly and
 * keeps it, re-assigned with other disabled plans (`planChanges`, filled by plan.ts). A request
 * stored before it counts every assignment as a new license.
 */
export function isPlanChange(
  item: Pick<ChangeRequest['items'][number], 'planChanges'>,
  skuId: string,
): boolean {
  return item.planChanges?.includes(skuId) ?? false;
}
