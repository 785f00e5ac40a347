/**
 * Customers' user counts and subscription dates on Graph: GET /users/$count (ConsistencyLevel:
 * eventual) and GET /directory/subscriptions against the Graph fake, cached, and left out when
 * the app lacks the permission.
 */
import { describe, expect, it } from 'vitest';
import { lifecycleDates } from '../../../src/providers/graph/directory-facts.js';
import { closedAfterTest } from '../../support/closed-after-test.js';
import {
  DEFAULT_NEXT_LIFECYCLE,
  fakeGraphAuth,
  fakeGraphProvider,
  type GraphFake,
  makeTenant,
  SKU,
  startGraphFake,
} from '../../support/graph-fake/index.js';

const CONTOSO = '7c3a0000-0000-4000-8000-000000000001';
const FABRIKAM = '7c3a0000-0000-4000-8000-000000000002';

async function setUp() {
  const tenants = [
    makeTenant({ tenantId: CONTOSO, users: 30, name: 'Contoso' }),
    makeTenant({ tenantId: FABRIKAM, users: 1200, name: 'Fabrikam' }),
  ];
  const fake = closedAfterTest(await startGraphFake({ tenants }));
  const auth = fakeGraphAuth(fake);
  const provider = fakeGraphProvider(fake, tenants, {
    auth,
    // Wait for every count: the 800 ms default may pass on a loaded machine.
    countBudgetMs: 10_000,
  });
  return { fake, provider, auth };
}

const countCalls = (f: GraphFake) => f.requests.filter((r) => r.path === '/users/$count');
const subscriptionCalls = (f: GraphFake) => f.requests.filter((r) => r.path === '/directory/subscriptions');

describe('Graph: user counts and subscription dates', () => {
  it('gives each customer of a search its user count from /users/$count, asked once per customer', async () => {
    const { fake, provider } = await setUp();
    const found = await provider.searchCustomers('', 10);
    expect(found.map((c) => [c.name, c.userCount])).toEqual([
      ['Contoso', 30],
      ['Fabrikam', 1200],
    ]);
    expect(countCalls(fake)).toHaveLength(2);
    for (const call of countCalls(fake)) {
      expect(call.headers.consistencylevel).toBe('eventual');
      expect(call.status).toBe(200);
    }
    expect((await provider.searchCustomers('Fab', 10)).map((c) => c.userCount)).toEqual([1200]);
    expect(countCalls(fake)).toHaveLength(2);
  });

  it('the fake refuses /users/$count without ConsistencyLevel: eventual, as Graph does', async () => {
    const { fake, auth } = await setUp();
    const token = await auth.token(CONTOSO);
    const bare = await fetch(`${fake.baseUrl}/users/$count`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({
      error: { code: 'Request_BadRequest', message: '$count is not currently supported.' },
    });
    const advanced = await fetch(`${fake.baseUrl}/users/$count`, {
      headers: { Authorization: `Bearer ${token}`, ConsistencyLevel: 'eventual' },
    });
    expect(advanced.status).toBe(200);
    expect(advanced.headers.get('content-type')).toContain('text/plain');
    expect(await advanced.text()).toBe('30');
  });

  it("dates each product by its subscription's nextLifecycleDateTime, read once for several renders", async () => {
    const { fake, provider } = await setUp();
    const products = await provider.listProducts(CONTOSO);
    const e5 = products.find((p) => p.skuId === SKU.E5);
    expect(e5?.status).toBe('warning');
    expect(e5?.nextLifecycleDate).toBe('2026-12-15T00:00:00.000Z');
    const e3 = products.find((p) => p.skuId === SKU.E3);
    expect(e3?.nextLifecycleDate).toBe(new Date(DEFAULT_NEXT_LIFECYCLE).toISOString());
    await provider.listProducts(CONTOSO);
    expect(subscriptionCalls(fake)).toHaveLength(1);
    expect(subscriptionCalls(fake)[0]?.url).toContain('$select=skuId,status,nextLifecycleDateTime');
  });

  it('without the permission (403) leaves the count and the dates out, and does not ask again soon', async () => {
    const { fake, provider } = await setUp();
    fake.fail({ status: 403, path: '/directory/subscriptions' });
    fake.fail({ status: 403, path: '/users/$count', count: 2 });
    const found = await provider.searchCustomers('', 10);
    expect(found.map((c) => c.name)).toEqual(['Contoso', 'Fabrikam']);
    expect(found.every((c) => c.userCount === undefined)).toBe(true);
    const products = await provider.listProducts(CONTOSO);
    expect(products.find((p) => p.skuId === SKU.E5)?.status).toBe('warning');
    expect(products.every((p) => p.nextLifecycleDate === undefined)).toBe(true);

    await provider.searchCustomers('', 10);
    await provider.listProducts(CONTOSO);
    expect(countCalls(fake).map((r) => r.status)).toEqual([403, 403]);
    expect(subscriptionCalls(fake).map((r) => r.status)).toEqual([403]);
  });

  it('a throttled or failing count is left out now and asked again next time', async () => {
    const { fake, provider } = await setUp();
    fake.fail({ status: 503, path: '/users/$count', count: 4 }); // the read and its 3 retries
    expect((await provider.searchCustomers('Con', 10)).map((c) => c.userCount)).toEqual([undefined]);
    expect((await provider.searchCustomers('Con', 10)).map((c) => c.userCount)).toEqual([30]);
  });
});

describe('lifecycleDates', () => {
  it('prefers the subscription in warning, then the earliest live one; past ones say nothing', () => {
    const sku = 'AAAA0000-0000-4000-8000-000000000001';
    const other = 'bbbb0000-0000-4000-8000-000000000002';
    const dates = lifecycleDates([
      { skuId: sku, status: 'Enabled', nextLifecycleDateTime: '2026-12-01T00:00:00Z' },
      { skuId: sku, status: 'Warning', nextLifecycleDateTime: '2027-01-10T00:00:00Z' },
      { skuId: other, status: 'Expired', nextLifecycleDateTime: '2025-01-01T00:00:00Z' },
      { skuId: other, status: 'Enabled', nextLifecycleDateTime: '2027-03-01T00:00:00Z' },
      { skuId: other, status: 'Enabled', nextLifecycleDateTime: '2026-12-24T00:00:00Z' },
      { skuId: other, status: 'Enabled', nextLifecycleDateTime: 'not a date' },
    ]);
    expect(Object.fromEntries(dates)).toEqual({
      [sku.toLowerCase()]: '2027-01-10T00:00:00.000Z',
      [other]: '2026-12-24T00:00:00.000Z',
    });
  });
});
