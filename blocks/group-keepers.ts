/** Who keeps a product through a group when its direct license is revoked (manage step, "Who has it"). */
import type { ProductOverview } from '../src/licensing/licensing-service.js';

/**
 * A product over the selection, with the direct holders who also get it through a group when the
 * overview tells them (`holders` counts them, `inheritedHolders` holds only users without a
 * direct license): a revoke here removes their direct license and leaves them holding it.
 */
export type HoldersOverview = ProductOverview & { alsoThroughGroup?: readonly string[] };

/** Direct holders who also get the product through a group: a revoke here leaves them holding it. */
export function keepersThroughGroup(p: HoldersOverview): string[] {
  const direct = new Set(p.holders);
  return [...new Set(p.alsoThroughGroup ?? [])].filter((id) => direct.has(id));
}
