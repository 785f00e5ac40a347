/** Shared by the tests of the demo tenant shared through PostgreSQL: Power Automate Free and its seats. */
import type { UserChange } from '../../../src/licensing/model.js';
import type { DemoCustomerData, DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, generateCustomer } from '../../../src/providers/demo/generator.js';
import { present } from './tenant-files.js';

export const FLOW = DEMO_SKUS.FLOW_FREE;
export const giveFlow: UserChange = { assign: [{ skuId: FLOW, disabledPlans: [] }], revoke: [] };
export const takeFlow: UserChange = { assign: [], revoke: [FLOW] };

/** Leaves exactly `free` seats of Power Automate Free. */
export function withFreeSeats(data: DemoCustomerData, free: number): DemoCustomerData {
  const product = present(
    data.products.find((candidate) => candidate.skuId === FLOW),
    'Power Automate Free',
  );
  const held = Object.values(data.holdings).filter((licenses) => licenses.some((l) => l.skuId === FLOW));
  product.prepaid = { enabled: held.length + free, warning: 0, suspended: 0 };
  return data;
}

/** Users with a usage location who do not hold Power Automate Free: assigning it succeeds while seats last. */
export function withoutFlow(data: DemoCustomerData): string[] {
  return data.users
    .filter(
      (user) => user.usageLocation !== null && !(data.holdings[user.id] ?? []).some((l) => l.skuId === FLOW),
    )
    .map((user) => user.id);
}

export const CONTESTED = 'contested';

/** One customer with 10 free seats of Power Automate Free, for replicas in several processes to contend for. */
export const contested = (): DemoTenantData => ({
  version: 1,
  customers: [withFreeSeats(generateCustomer({ seed: 9, users: 60, id: CONTESTED, name: 'Contoso' }), 10)],
});
