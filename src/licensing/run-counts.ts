import type { ChangeItem, ChangeRequest, ItemResult, Operation, RunCounts } from './model.js';
import { resultKey } from './result-key.js';

/**
 * The no-ops a request counts ("no change"): assignments of a product the user already had, and an
 * undo's parts left alone because they changed since. A planned revoke of a product the selected
 * user never had is not a change asked of that user, so no count includes it: the run still
 * records it, and the thread and CSV say "did not have it" apart from the counts. A revoke planned
 * as a change that finds the product gone still counts.
 */
export function countedNoops(item: Pick<ChangeItem, 'noops'>): ChangeItem['noops'] {
  return item.noops.filter((noop) => !neverHeld(noop));
}

/** A planned revoke of a product the selected user did not have (an undo's changed-since part is not one). */
function neverHeld(noop: ChangeItem['noops'][number]): boolean {
  return noop.op === 'revoke' && noop.changedSince !== true;
}

/**
 * Result keys of the parts no count includes: planned revokes of a product the selected user
 * never had (see countedNoops). The summary, the thread and the CSV leave them out alike.
 */
export function neverHeldKeys(request: Pick<ChangeRequest, 'items'>): Set<string> {
  const keys = new Set<string>();
  for (const item of request.items) {
    for (const noop of item.noops) {
      if (neverHeld(noop)) keys.add(resultKey(item.userId, noop.skuId, noop.op));
    }
  }
  return keys;
}

/** An item's parts: its assignments, its revokes, then its planned no-ops (`noop`), in that order. */
export function itemParts(
  item: Pick<ChangeItem, 'change' | 'noops'>,
): { skuId: string; op: Operation; noop: boolean }[] {
  return [
    ...item.change.assign.map((part) => ({ skuId: part.skuId, op: 'assign' as const, noop: false })),
    ...item.change.revoke.map((skuId) => ({ skuId, op: 'revoke' as const, noop: false })),
    ...item.noops.map((noop) => ({ skuId: noop.skuId, op: noop.op, noop: true })),
  ];
}

/**
 * Counts a request's parts (planned changes and the assignments users already had, see
 * countedNoops) and how many have landed, by outcome: the one count every surface shows.
 */
export function countResults(request: Pick<ChangeRequest, 'items' | 'results'>): RunCounts {
  const counts: RunCounts = { total: 0, done: 0, success: 0, noop: 0, failed: 0 };
  for (const item of request.items) {
    const parts = itemParts({ change: item.change, noops: countedNoops(item) });
    for (const key of parts.map((part) => resultKey(item.userId, part.skuId, part.op))) {
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

/**
 * isPlanChange for a request's parts and results by user: true for an assignment of a product the
 * user's item lists as a plan change. The thread, the summary and the CSV word those apart.
 */
export function isPlanChangeIn(
  request: Pick<ChangeRequest, 'items'>,
): (part: Pick<ItemResult, 'userId' | 'skuId' | 'op'>) => boolean {
  const itemsByUser = new Map<string, ChangeItem[]>();
  for (const item of request.items) {
    const items = itemsByUser.get(item.userId);
    if (items === undefined) itemsByUser.set(item.userId, [item]);
    else items.push(item);
  }
  return (part) =>
    part.op === 'assign' &&
    (itemsByUser.get(part.userId) ?? []).some((item) => isPlanChange(item, part.skuId));
}
