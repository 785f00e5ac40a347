/** Users by what they hold on Graph: the provider's $filter queries against the Graph fake, paged past 999. */
import { describe, expect, it } from 'vitest';
import { closedAfterTest } from '../../support/closed-after-test.js';
import {
  fakeGraphAuth,
  fakeGraphProvider,
  MESSAGES,
  makeTenant,
  SKU,
  startGraphFake,
} from '../../support/graph-fake/index.js';

const TENANT = '7b2f0000-0000-4000-8000-000000000001';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000cafe';

/** 2,100 users: every second holds E3 directly, every seventh through a group; every tenth has no usage location. */
async function setUp() {
  const tenant = makeTenant({ tenantId: TENANT, users: 2100, name: 'Contoso' });
  tenant.users.forEach((user, i) => {
    if (i % 2 === 0) user.licenses.push({ skuId: SKU.E3, disabledPlans: [], assignedByGroup: null });
    if (i % 7 === 0) user.licenses.push({ skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP });
  });
  const fake = closedAfterTest(await startGraphFake({ tenants: [tenant] }));
  const auth = fakeGraphAuth(fake);
  const provider = fakeGraphProvider(fake, [tenant], { auth });
  return { fake, provider, auth, users: tenant.users };
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('Graph: users by what they hold', () => {
  it('answers each filter with every matching user across pages, advanced queries with their parameters', async () => {
    const { fake, provider, users } = await setUp();
    expect(provider.userFilters).toEqual(['holds', 'holdsNothing', 'noUsageLocation']);

    const holders = await provider.listUserIds(TENANT, { holds: SKU.E3 });
    const expected = users.filter((_, i) => i % 2 === 0 || i % 7 === 0).map((u) => u.id);
    expect(expected.length).toBeGreaterThan(999);
    expect(sorted(holders)).toEqual(sorted(expected));

    const none = await provider.listUserIds(TENANT, { holdsNothing: true });
    expect(sorted(none)).toEqual(sorted(users.filter((u) => u.licenses.length === 0).map((u) => u.id)));

    const unlocated = await provider.listUserIds(TENANT, { noUsageLocation: true });
    expect(sorted(unlocated)).toEqual(sorted(users.filter((u) => u.usageLocation === null).map((u) => u.id)));

    const lists = fake.requests.filter((r) => r.path === '/users');
    const anyQueries = lists.filter((r) => r.url.includes('any'));
    expect(anyQueries.length).toBe(2); // 1,200 holders: two pages of 999
    for (const r of lists) {
      const advanced = !decodeURIComponent(r.url).includes('/any(');
      expect(r.headers.consistencylevel === 'eventual', r.url).toBe(advanced);
      const params = new URL(r.url).searchParams;
      if (!params.has('$skiptoken')) expect(params.get('$count') === 'true', r.url).toBe(advanced);
    }
  });

  it('the fake refuses the advanced filters without ConsistencyLevel and $count, as Graph does', async () => {
    const { fake, auth } = await setUp();
    const token = await auth.token(TENANT);
    for (const filter of ['assignedLicenses/$count eq 0', 'usageLocation eq null']) {
      const url = `${fake.baseUrl}/users?$filter=${encodeURIComponent(filter)}&$select=id`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({
        code: 'Request_UnsupportedQuery',
        message: MESSAGES.advancedFilter,
      });
      const advanced = await fetch(`${url}&$count=true`, {
        headers: { authorization: `Bearer ${token}`, ConsistencyLevel: 'eventual' },
      });
      expect(advanced.status).toBe(200);
    }
  });

  it('refuses a product id that is not a SKU id, without a request', async () => {
    const { fake, provider } = await setUp();
    await expect(provider.listUserIds(TENANT, { holds: "x') or true" })).rejects.toMatchObject({
      reason: 'provider_error',
    });
    expect(fake.requests.filter((r) => r.path === '/users')).toEqual([]);
  });
});
