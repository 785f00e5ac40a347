/**
 * Applies a committed change event to a customer the provider works on (its seat counts and user
 * index included), the way the replica that made the change applied it.
 */
import type { DemoChangeEvent } from '../demo-change-log.js';
import type { DemoCustomer } from '../demo-customer.js';

export function applyEvent(customer: DemoCustomer, event: DemoChangeEvent): void {
  const before = new Set((customer.holdings(event.userId) ?? []).map((license) => license.skuId));
  if (event.type === 'remove_user') {
    const users = customer.data.users;
    const at = users.findIndex((user) => user.id === event.userId);
    if (at < 0) return;
    users.splice(at, 1);
    customer.restoreHoldings(event.userId, undefined);
    customer.forgetIndex();
    for (const skuId of before) customer.addSeats(skuId, -1);
    return;
  }
  // A change for a user no longer in the directory: a later removal this replica already holds.
  if (customer.index.byId(event.userId) === undefined) return;
  const after = new Set(event.holdings.map((license) => license.skuId));
  customer.setHoldings(event.userId, event.holdings);
  for (const skuId of after) if (!before.has(skuId)) customer.addSeats(skuId, 1);
  for (const skuId of before) if (!after.has(skuId)) customer.addSeats(skuId, -1);
}
