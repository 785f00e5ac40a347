/**
 * The demo tenant shared by replicas through PostgreSQL: three SharedDemoProviders on one schema,
 * each on its own pool with its own memory, as three app processes hold them.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createPool, type Pool } from '../../../src/db/pool.js';
import { createProvider } from '../../../src/providers/create-provider.js';
import type { DemoLogger } from '../../../src/providers/demo/demo-file.js';
import type { DemoCustomerData, DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { generateCustomer } from '../../../src/providers/demo/generator.js';
import { readSharedTenant } from '../../../src/providers/demo/postgres/demo-tables.js';
import { openSharedDemo, type SharedDemo } from '../../../src/providers/demo/postgres/open-shared-demo.js';
import { SharedDemoProvider } from '../../../src/providers/demo/postgres/shared-demo-provider.js';
import { describePostgres, freshSchema, type TestSchema } from '../../support/postgres.js';
import { refusal } from '../../support/provider-refusal.js';
import { FLOW, withoutFlow as flowless, giveFlow, takeFlow, withFreeSeats } from './shared-tenant-data.js';
import { present } from './tenant-files.js';

/** One customer per test, so the tests share the file's schema without sharing state. */
const READ = 'read';
const LAST_SEAT = 'last-seat';
const FIVE_SEATS = 'five-seats';
const SAME = 'same';
const STALE = 'stale';
const REMOVE = 'remove';

const tenant = (): DemoTenantData => ({
  version: 1,
  customers: [
    generateCustomer({ seed: 1, users: 40, id: READ, name: 'Contoso' }),
    withFreeSeats(generateCustomer({ seed: 2, users: 40, id: LAST_SEAT, name: 'Fabrikam' }), 1),
    withFreeSeats(generateCustomer({ seed: 3, users: 60, id: FIVE_SEATS, name: 'Litware' }), 5),
    generateCustomer({ seed: 4, users: 40, id: SAME, name: 'Proseware' }),
    generateCustomer({ seed: 5, users: 40, id: STALE, name: 'Relecloud' }),
    generateCustomer({ seed: 6, users: 40, id: REMOVE, name: 'Trey Research' }),
  ],
});

/** Users with a usage location who do not hold Power Automate Free, as seeded. */
function withoutFlow(customerId: string): string[] {
  return flowless(customerOf(tenant(), customerId));
}

function customerOf(data: DemoTenantData, customerId: string): DemoCustomerData {
  return present(
    data.customers.find((customer) => customer.customer.id === customerId),
    customerId,
  );
}

function recordingLogger(): DemoLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (line: string) => {
    lines.push(line);
  };
  return { lines, info: push, warn: push, error: push };
}

async function flowOf(replica: SharedDemo, customerId: string) {
  const products = await replica.provider.listProducts(customerId);
  return present(
    products.find((product) => product.skuId === FLOW),
    'Power Automate Free',
  );
}

let db: TestSchema;
let pools: Pool[];
let replicas: SharedDemo[];
const logger = recordingLogger();

function replica(index: number): SharedDemo {
  return present(replicas[index], `replica ${index}`);
}

describePostgres('the demo tenant shared through PostgreSQL', () => {
  beforeAll(async () => {
    db = await freshSchema();
    pools = [0, 1, 2].map(() => createPool({ connectionString: db.url, max: 4, schema: db.schema }));
    // Three replicas starting together.
    replicas = await Promise.all(pools.map((pool) => openSharedDemo(pool, { initial: tenant, logger })));
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((shared) => shared.close()));
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await db?.drop();
  });

  it('is seeded once by replicas starting together; the others load it', () => {
    expect(logger.lines.filter((line) => line.startsWith('Seeded'))).toHaveLength(1);
    expect(logger.lines.filter((line) => line.startsWith('Loaded'))).toHaveLength(2);
  });

  it('reads through one replica a change made through another', async () => {
    const [userId] = withoutFlow(READ);
    const a = replica(0);
    const b = replica(1);
    const before = await flowOf(b, READ);
    const skusOf = async () =>
      ((await b.provider.getHoldings(READ, [present(userId, 'a user')])).get(userId ?? '') ?? []).map(
        (license) => license.skuId,
      );
    expect(await skusOf()).not.toContain(FLOW);

    await a.provider.applyUserChange(READ, present(userId, 'a user'), giveFlow);

    expect(await skusOf()).toContain(FLOW);
    expect(await flowOf(b, READ)).toMatchObject({
      consumed: before.consumed + 1,
      available: before.available - 1,
    });
  });

  it('sells the last seat once when two replicas assign it at the same moment', async () => {
    const [first, second] = withoutFlow(LAST_SEAT);
    expect((await flowOf(replica(0), LAST_SEAT)).available).toBe(1);

    const outcomes = await Promise.allSettled([
      replica(0).provider.applyUserChange(LAST_SEAT, present(first, 'a user'), giveFlow),
      replica(1).provider.applyUserChange(LAST_SEAT, present(second, 'another user'), giveFlow),
    ]);

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      reason: 'insufficient_licenses',
    });
    for (const index of [0, 1, 2]) expect((await flowOf(replica(index), LAST_SEAT)).available).toBe(0);
  });

  it('never oversells when three replicas assign more users than there are seats', async () => {
    const users = withoutFlow(FIVE_SEATS).slice(0, 15);
    expect(users).toHaveLength(15);
    const outcomes = await Promise.allSettled(
      users.map((userId, index) => replica(index % 3).provider.applyUserChange(FIVE_SEATS, userId, giveFlow)),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const stored = customerOf(await readSharedTenant(db.pool), FIVE_SEATS);
    expect(users.filter((userId) => stored.holdings[userId]?.some((l) => l.skuId === FLOW))).toHaveLength(5);
    expect(await flowOf(replica(2), FIVE_SEATS)).toMatchObject({ available: 0 });
  });

  it('applies the same change sent through two replicas at once only once', async () => {
    const [userId] = withoutFlow(SAME);
    const user = present(userId, 'a user');
    const before = await flowOf(replica(0), SAME);

    await Promise.all([
      replica(0).provider.applyUserChange(SAME, user, giveFlow),
      replica(1).provider.applyUserChange(SAME, user, giveFlow),
    ]);
    // The second found it held: a re-assignment, no second seat.
    expect(await flowOf(replica(2), SAME)).toMatchObject({ consumed: before.consumed + 1 });

    const revokes = await Promise.allSettled([
      replica(0).provider.applyUserChange(SAME, user, takeFlow),
      replica(1).provider.applyUserChange(SAME, user, takeFlow),
    ]);
    expect(revokes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = revokes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      reason: 'provider_error',
      message: 'User does not have a corresponding license.',
    });
    expect(await flowOf(replica(2), SAME)).toMatchObject({ consumed: before.consumed });
  });

  it('checks a write against what other replicas did, not against its own stale memory', async () => {
    const [userId] = withoutFlow(STALE);
    const user = present(userId, 'a user');
    const a = replica(0);
    const b = replica(1);
    await b.provider.refresh();
    const before = present(b.provider.productOf(STALE, FLOW), 'Power Automate Free');

    await a.provider.applyUserChange(STALE, user, giveFlow);
    // B has not read since: its memory still shows the user without it and the seat free.
    expect(b.provider.holdingsOf(STALE, user).map((license) => license.skuId)).not.toContain(FLOW);
    await b.provider.applyUserChange(STALE, user, giveFlow);
    await a.provider.applyUserChange(STALE, user, takeFlow);
    const second = await refusal(b.provider.applyUserChange(STALE, user, takeFlow));

    expect(second.message).toBe('User does not have a corresponding license.');
    expect(await flowOf(b, STALE)).toMatchObject({ consumed: before.consumed, available: before.available });
  });

  it('removes a user for every replica', async () => {
    const [userId, other] = withoutFlow(REMOVE);
    const user = present(userId, 'a user');
    await replica(0).provider.applyUserChange(REMOVE, user, giveFlow);
    const before = await flowOf(replica(1), REMOVE);

    await replica(0).provider.removeUser(REMOVE, user);

    expect(await replica(1).provider.getUsers(REMOVE, [user, present(other, 'another user')])).toHaveLength(
      1,
    );
    expect((await refusal(replica(2).provider.applyUserChange(REMOVE, user, giveFlow))).reason).toBe(
      'user_not_found',
    );
    expect((await refusal(replica(1).provider.removeUser(REMOVE, user))).reason).toBe('user_not_found');
    expect(await flowOf(replica(2), REMOVE)).toMatchObject({ consumed: before.consumed - 1 });
    const [listed] = await replica(2).provider.searchCustomers('Trey', 5);
    expect(listed?.userCount).toBe(39);
  });

  it('loads every change into a replica started later, without seeding again', async () => {
    const later = await openSharedDemo(db.pool, {
      initial: () => {
        throw new Error('a later replica must not seed');
      },
      logger: recordingLogger(),
    });
    try {
      await Promise.all(replicas.map((shared) => shared.provider.refresh()));
      const everyone = replica(0).provider.snapshot();
      expect(later.provider.snapshot()).toEqual(everyone);
      expect(await readSharedTenant(db.pool)).toEqual(everyone);
      expect(customerOf(everyone, REMOVE).users).toHaveLength(39);
    } finally {
      await later.close();
    }
  });

  it('answers transient failures, and is not ready, while its database does not answer', async () => {
    const pool = createPool({ connectionString: db.url, max: 2, schema: db.schema });
    const cut = await openSharedDemo(pool, { logger: recordingLogger() });
    const [userId] = withoutFlow(READ);
    const user = present(userId, 'a user');
    await pool.end();

    for (const call of [
      cut.provider.getHoldings(READ, [user]),
      cut.provider.applyUserChange(READ, user, giveFlow),
      cut.provider.removeUser(READ, user),
    ]) {
      expect(await refusal(call)).toMatchObject({ reason: 'provider_error', transient: true });
    }
    expect(await cut.readiness()).toMatchObject({ ready: false });
    expect(await cut.close()).toEqual({ problems: [] });
  });

  it('is what createProvider builds for the demo backend when given a pool, and DATA_DIR stays empty', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'shared-demo-'));
    try {
      const config = loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        DATA_DIR: dir,
      });
      const handle = await createProvider(config, { pool: db.pool, logger: recordingLogger() });
      expect(handle.provider).toBeInstanceOf(SharedDemoProvider);
      expect(await handle.readiness()).toEqual({ ready: true });
      const [userId] = withoutFlow(READ).slice(-1);
      await handle.provider.applyUserChange(READ, present(userId, 'a user'), giveFlow);
      const held = (await replica(1).provider.getHoldings(READ, [userId ?? ''])).get(userId ?? '');
      expect(held?.map((license) => license.skuId)).toContain(FLOW);
      expect(await handle.close()).toEqual({ problems: [] });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
