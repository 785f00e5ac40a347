/** Users by what they hold on the demo tenant: in memory, and shared by replicas through PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../../src/db/pool.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { generateCustomer } from '../../../src/providers/demo/generator.js';
import { openSharedDemo, type SharedDemo } from '../../../src/providers/demo/postgres/open-shared-demo.js';
import { describePostgres, freshSchema, type TestSchema } from '../../support/postgres.js';
import { FLOW, giveFlow, withoutFlow } from './shared-tenant-data.js';
import { present } from './tenant-files.js';

const ID = 'cust-filters';
const tenant = (): DemoTenantData => ({
  version: 1,
  customers: [generateCustomer({ seed: 21, users: 300, id: ID, name: 'Contoso' })],
});

describe('demo tenant: users by what they hold', () => {
  it('answers every filter, group-inherited licenses counting as held, in the port order', async () => {
    const data = tenant();
    const customer = present(data.customers[0], 'the customer');
    const provider = new DemoProvider({ data });
    expect(provider.userFilters).toEqual(['holds', 'holdsNothing', 'noUsageLocation']);
    const held = (id: string) => customer.holdings[id] ?? [];
    const grouped = customer.users.find((u) => held(u.id).some((l) => !l.direct));
    const groupSku = present(
      held(present(grouped, 'a user with a group license').id).find((l) => !l.direct),
      'sku',
    ).skuId;

    const holders = await provider.listUserIds(ID, { holds: groupSku });
    expect(holders).toContain(grouped?.id);
    expect([...holders].sort()).toEqual(
      customer.users
        .filter((u) => held(u.id).some((l) => l.skuId === groupSku))
        .map((u) => u.id)
        .sort(),
    );
    const page = await provider.searchUsers(ID, { query: '', offset: 0, limit: 300 });
    const order = page.users.map((u) => u.id);
    expect(holders).toEqual(order.filter((id) => holders.includes(id)));

    const none = await provider.listUserIds(ID, { holdsNothing: true });
    expect(none.length).toBeGreaterThan(0);
    expect([...none].sort()).toEqual(
      customer.users
        .filter((u) => held(u.id).length === 0)
        .map((u) => u.id)
        .sort(),
    );
    const unlocated = await provider.listUserIds(ID, { noUsageLocation: true });
    expect(unlocated.length).toBeGreaterThan(0);
    expect([...unlocated].sort()).toEqual(
      customer.users
        .filter((u) => u.usageLocation === null)
        .map((u) => u.id)
        .sort(),
    );
  });
});

let db: TestSchema;
let pools: Pool[];
let replicas: SharedDemo[];

describePostgres('shared demo tenant: users by what they hold', () => {
  beforeAll(async () => {
    db = await freshSchema();
    pools = [0, 1].map(() => createPool({ connectionString: db.url, max: 4, schema: db.schema }));
    replicas = [];
    for (const pool of pools) replicas.push(await openSharedDemo(pool, { initial: tenant }));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((shared) => shared.close()));
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await db?.drop();
  });

  it('answers on one replica with a change made through another', async () => {
    const [a, b] = [present(replicas[0], 'replica a'), present(replicas[1], 'replica b')];
    const userId = present(withoutFlow(present(tenant().customers[0], 'the customer'))[0], 'a user');
    expect(await b.provider.listUserIds(ID, { holds: FLOW })).not.toContain(userId);
    await a.provider.applyUserChange(ID, userId, giveFlow);
    expect(await b.provider.listUserIds(ID, { holds: FLOW })).toContain(userId);
  });
});
