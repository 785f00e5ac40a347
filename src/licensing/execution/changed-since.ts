/**
 * An undo never clobbers a later change: each of its parts carries the license the undone request
 * left (ChangeItem.asLeft), and a part whose product the user holds otherwise when it runs (after
 * an approval wait, say) is a no-op marked `changedSince`, sent to nobody. A part found in its
 * target state already is not one: the interrupted run of this undo applied it.
 */

import type { ChangeItem, ItemResult, UserLicense } from '../model.js';
import { isAsLeft } from '../undo.js';
import { isApplied, type Part, type Settle } from './parts.js';

/** The parts whose product changed since the undone request, settled; the others to go on with. */
export function settleChangedSince(
  item: ChangeItem,
  parts: readonly Part[],
  licenses: readonly UserLicense[],
  settle: Settle,
): { settled: ItemResult[]; rest: Part[] } {
  const { asLeft } = item;
  if (asLeft === undefined) return { settled: [], rest: [...parts] };
  const settled: ItemResult[] = [];
  const rest: Part[] = [];
  for (const part of parts) {
    const left = asLeft[part.skuId];
    const now = licenses.find((license) => license.skuId === part.skuId);
    // Applied already (by this undo's interrupted run) is not a change since: settleByHoldings says so.
    if (left === undefined || isApplied(part, now) || isAsLeft(left, now)) rest.push(part);
    else settled.push(settle(part, 'noop', { changedSince: true }));
  }
  return { settled, rest };
}
