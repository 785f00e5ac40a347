/**
 * The state before the run, for undo: each batch of holdings the executor reads is recorded (each
 * user's licenses of the products their item changes) before the batch is handed to any item, so
 * it is durable before the first change of any of its users is sent: one store write per batch.
 * The store keeps a user's first record, so a resumed run, reading holdings it may have changed
 * itself, never replaces the state before the run. A record the store refuses fails the batch's
 * read as a crash: nothing of the batch is applied, and the run resumes later.
 */
import type { ChangeItem, PriorState } from '../model.js';
import type { ReadHoldings } from './holdings-prefetch.js';

/** `read`, recording what it read of the users of `items` through `record` before returning it. */
export function recordingPriorState(
  read: ReadHoldings,
  items: readonly ChangeItem[],
  record: (states: PriorState[]) => Promise<void>,
): ReadHoldings {
  const itemOf = new Map(items.map((item) => [item.userId, item]));
  return async (userIds) => {
    const holdings = await read(userIds);
    if (!holdings.ok) return holdings;
    const states = userIds.flatMap((userId): PriorState[] => {
      const item = itemOf.get(userId);
      const licenses = holdings.holdings.get(userId);
      if (item === undefined || licenses === undefined) return [];
      const changed = changedProducts(item);
      if (changed.size === 0) return [];
      return [{ userId, licenses: licenses.filter((license) => changed.has(license.skuId)) }];
    });
    if (states.length > 0) await record(states);
    return holdings;
  };
}

/** The products the item assigns or revokes (its planned no-ops change nothing). */
export function changedProducts(item: ChangeItem): Set<string> {
  return new Set([...item.change.assign.map((part) => part.skuId), ...item.change.revoke]);
}
