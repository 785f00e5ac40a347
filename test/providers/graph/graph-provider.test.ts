import { describe, expect, it } from 'vitest';
import { closedAfterTest } from '../../support/closed-after-test.js';
import {
  type FakeTenant,
  fakeGraphAuth,
  fakeGraphProvider,
  fakeUser,
  MESSAGES,
  makeTenant,
  SKU,
  startGraphFake,
} from '../../support/graph-fake/index.js';
import { recordedWaits } from '../../support/provider-http.js';
import { refusal, refusedChange } from '../../support/provider-refusal.js';

const T1 = '6a1f0000-0000-4000-8000-000000000001';
const T2 = '6a1f0000-0000-4000-8000-000000000002';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000beef';

async function setUp(tenants: FakeTenant[], secret?: string) {
  const fake = closedAfterTest(await startGraphFake({ tenants }));
  const { http, waits } = recordedWaits();
  const provider = fakeGraphProvider(fake, tenants, {
    auth: fakeGraphAuth(fake, secret),
    http,
    // Customer searches wait for every user count (the 800 ms default may pass on a loaded machine).
    countBudgetMs: 10_000,
  });
  return { fake, provider, waits };
}

/** A small tenant whose users each exercise one rule. */
function ruleTenant(): FakeTenant {
  const tenant = makeTenant({ tenantId: T1, users: 0, name: 'Contoso' });
  // Graph also reads each user's mail: the same address as the UPN here.
  const user = (...args: Parameters<typeof fakeUser>) => {
    const made = fakeUser(...args);
    return { ...made, mail: made.userPrincipalName };
  };
  tenant.users = [
    user('u-plain', 'Plain User', 'US'),
    user('u-noloc', 'No Location', null),
    user('u-india', 'India User', 'IN'),
    user('u-e3', 'E3 Holder', 'US', [{ skuId: SKU.E3, disabledPlans: [], assignedByGroup: null }]),
    user('u-group', 'Group Holder', 'US', [{ skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP }]),
    user('u-both', 'Both Paths', 'US', [
      { skuId: SKU.E3, disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'], assignedByGroup: null },
      { skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP },
    ]),
  ];
  return tenant;
}

describe('Graph adapter: auth', () => {
  it('gets one app-only token per customer tenant and reuses it', async () => {
    const { fake, provider } = await setUp([
      makeTenant({ tenantId: T1, users: 3, name: 'Contoso' }),
      makeTenant({ tenantId: T2, users: 2, name: 'Fabrikam' }),
    ]);
    await provider.listProducts(T1);
    await provider.listProducts(T1);
    await provider.searchUsers(T2, { query: '', offset: 0, limit: 10 });
    expect(fake.tokenRequests.map((r) => [r.tenant, r.grantType, r.scope])).toEqual([
      [T1, 'client_credentials', 'https://graph.microsoft.com/.default'],
      [T2, 'client_credentials', 'https://graph.microsoft.com/.default'],
    ]);
    // The first listProducts reads the SKUs and their subscription dates; the second only the SKUs.
    expect(fake.requests.map((r) => r.tenantId)).toEqual([T1, T1, T1, T2]);
  });

  it('refuses a bad secret with one clear line that names the tenant and not the secret', async () => {
    const { provider } = await setUp([makeTenant({ tenantId: T1, users: 1 })], 'wrong-secret-value');
    const error = await refusal(provider.listProducts(T1));
    expect(error.reason).toBe('provider_error');
    expect(error.message).toMatch(
      new RegExp(
        `^Graph: cannot get a token for tenant ${T1}: AADSTS7000215: Invalid client secret provided\\.`,
      ),
    );
    expect(error.message).not.toContain('wrong-secret-value');
    expect(error.message).not.toContain('\n');
  });
});

describe('Graph adapter: customers and users', () => {
  it('lists configured customers by name prefix', async () => {
    const { provider } = await setUp([
      makeTenant({ tenantId: T1, users: 1, name: 'Contoso' }),
      makeTenant({ tenantId: T2, users: 1, name: 'Fabrikam' }),
    ]);
    expect((await provider.searchCustomers('', 10)).map((c) => c.name)).toEqual(['Contoso', 'Fabrikam']);
    expect(await provider.searchCustomers('fab', 10)).toEqual([
      { id: T2, tenantId: T2, name: 'Fabrikam', userCount: 1 },
    ]);
    expect(await provider.getCustomer('nope')).toBeNull();
  });

  it('pages through @odata.nextLink: first, next, last, previous, with the total from @odata.count', async () => {
    const { fake, provider } = await setUp([makeTenant({ tenantId: T1, users: 450 })]);
    const first = await provider.searchUsers(T1, { query: '', offset: 0, limit: 10 });
    expect(first.total).toBe(450);
    expect(first.users).toHaveLength(10);
    const next = await provider.searchUsers(T1, { query: '', offset: 10, limit: 10 });
    const last = await provider.searchUsers(T1, { query: '', offset: 440, limit: 10 });
    const previous = await provider.searchUsers(T1, { query: '', offset: 430, limit: 10 });
    expect(last.users).toHaveLength(10);
    expect(last.total).toBe(450);
    const everyone = [...fake.tenant(T1).users].sort(
      (a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id),
    );
    expect(first.users.map((u) => u.id)).toEqual(everyone.slice(0, 10).map((u) => u.id));
    expect(next.users.map((u) => u.id)).toEqual(everyone.slice(10, 20).map((u) => u.id));
    expect(last.users.map((u) => u.id)).toEqual(everyone.slice(440).map((u) => u.id));
    expect(previous.users.map((u) => u.id)).toEqual(everyone.slice(430, 440).map((u) => u.id));
    // 450 users at $top=200: three Graph pages for the whole walk, links followed verbatim.
    expect(fake.requests).toHaveLength(3);
    for (const request of fake.requests) expect(request.headers.consistencylevel).toBe('eventual');
    expect(decodeURIComponent(fake.requests[1]?.url ?? '')).toContain('$skiptoken=');
  });

  it('searches by display-name word prefix and e-mail prefix with $search and ConsistencyLevel', async () => {
    const { fake, provider } = await setUp([makeTenant({ tenantId: T1, users: 60 })]);
    const byName = await provider.searchUsers(T1, { query: 'hiro', offset: 0, limit: 50 });
    expect(byName.total).toBe(5);
    expect(byName.users.every((u) => u.displayName.startsWith('Hiro '))).toBe(true);
    const byWord = await provider.searchUsers(T1, { query: 'chen', offset: 0, limit: 50 });
    expect(byWord.users.every((u) => u.displayName.includes(' Chen '))).toBe(true);
    expect(byWord.total).toBe(12);
    const byMail = await provider.searchUsers(T1, { query: 'grace.brown', offset: 0, limit: 50 });
    expect(byMail.users.map((u) => u.displayName)).toEqual(['Grace Brown 18']);
    const url = decodeURIComponent(fake.requests[0]?.url ?? '');
    expect(url).toContain('$search="displayName:hiro" OR "mail:hiro" OR "userPrincipalName:hiro"');
    expect(url).toContain('$count=true');
  });

  it('the fake refuses $search without ConsistencyLevel, as Graph does', async () => {
    const { fake } = await setUp([makeTenant({ tenantId: T1, users: 1 })]);
    const auth = fakeGraphAuth(fake);
    const token = await auth.token(T1);
    const response = await fetch(`${fake.baseUrl}/users?$search="displayName:a"`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'Request_UnsupportedQuery', message: MESSAGES.searchHeader },
    });
  });

  it('gets users by id (15 per filter) and by e-mail, leaving unknown ones out', async () => {
    const { fake, provider } = await setUp([makeTenant({ tenantId: T1, users: 40 })]);
    const all = fake.tenant(T1).users;
    const users = await provider.getUsers(T1, [...all.map((u) => u.id), 'missing-id']);
    expect(users).toHaveLength(40);
    expect(fake.requests).toHaveLength(3);
    expect(users[0]).toEqual({
      id: expect.any(String),
      displayName: expect.any(String),
      email: expect.stringContaining('@'),
      usageLocation: expect.anything(),
    });
    const noLocation = users.find((u) => u.id === all[9]?.id);
    expect(noLocation?.usageLocation).toBeNull();
    const wanted = all[3]?.userPrincipalName.toUpperCase() ?? '';
    const result = await provider.findUsersByEmail(T1, [wanted, 'nobody@example.com']);
    expect(result.found.map((u) => u.id)).toEqual([all[3]?.id]);
    expect(result.notFound).toEqual(['nobody@example.com']);
  });
});

describe('Graph adapter: products and holdings', () => {
  it('lists user SKUs with available = max(0, enabled + warning − consumed) and suspended ones as such', async () => {
    const tenant = ruleTenant();
    const e1 = tenant.skus.find((s) => s.skuId === SKU.E1);
    if (e1) e1.extraConsumed = 80;
    const { provider } = await setUp([tenant]);
    const products = await provider.listProducts(T1);
    const by = (skuId: string) => products.find((p) => p.skuId === skuId);
    expect(products.some((p) => p.skuId === SKU.COMPANY_ONLY)).toBe(false);
    expect(by(SKU.E3)).toMatchObject({
      name: 'Office 365 E3',
      partNumber: 'ENTERPRISEPACK',
      status: 'enabled',
      total: 2000,
      consumed: 3,
      available: 1997,
    });
    expect(by(SKU.E5)).toMatchObject({ status: 'warning', total: 5, consumed: 0, available: 5 });
    expect(by(SKU.E1)).toMatchObject({ total: 50, consumed: 80, available: 0 });
    expect(by(SKU.POWER_BI_PRO)).toMatchObject({ available: 0, status: 'enabled' });
    expect(by(SKU.CRM_STANDARD)).toMatchObject({
      name: 'CRMSTANDARD',
      status: 'suspended',
      total: 0,
      available: 0,
    });
    expect(by(SKU.E5)?.servicePlans.map((p) => p.name)).not.toContain('ADALLOM_S_O365');
    expect(by(SKU.E3)?.servicePlans).toContainEqual({
      id: '57ff2da0-773e-42df-b2af-ffb7a2317929',
      name: 'TEAMS1',
      friendlyName: 'Microsoft Teams',
    });
  });

  it('tells direct from group-inherited holdings', async () => {
    const { provider } = await setUp([ruleTenant()]);
    const holdings = await provider.getHoldings(T1, ['u-e3', 'u-group', 'u-both', 'u-plain', 'u-missing']);
    expect(holdings.get('u-e3')).toEqual([{ skuId: SKU.E3, disabledPlans: [], direct: true, viaGroups: [] }]);
    expect(holdings.get('u-group')).toEqual([
      { skuId: SKU.E3, disabledPlans: [], direct: false, viaGroups: [GROUP] },
    ]);
    expect(holdings.get('u-both')).toEqual([
      {
        skuId: SKU.E3,
        disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'],
        direct: true,
        viaGroups: [GROUP],
      },
    ]);
    expect(holdings.get('u-plain')).toEqual([]);
    expect(holdings.has('u-missing')).toBe(false);
  });
});

describe('Graph adapter: assignLicense', () => {
  it('sends one POST with both arrays and the change lands', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    await provider.applyUserChange(T1, 'u-e3', {
      assign: [{ skuId: SKU.FLOW_FREE, disabledPlans: [] }],
      revoke: [SKU.E3],
    });
    expect(fake.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'POST',
        '/users/u-e3/assignLicense',
        { addLicenses: [{ skuId: SKU.FLOW_FREE, disabledPlans: [] }], removeLicenses: [SKU.E3] },
      ],
    ]);
    expect(fake.user(T1, 'u-e3').licenses.map((l) => l.skuId)).toEqual([SKU.FLOW_FREE]);
    await provider.applyUserChange(T1, 'u-plain', { assign: [], revoke: [] });
    expect(fake.requests[1]?.body).toEqual({ addLicenses: [], removeLicenses: [] });
  });

  it('is all-or-nothing: one SKU without seats fails the call and nothing is applied', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    const error = await refusedChange(provider, T1, 'u-plain', { assign: [SKU.E3, SKU.POWER_BI_PRO] });
    expect(error).toMatchObject({
      reason: 'insufficient_licenses',
      skuId: SKU.POWER_BI_PRO,
      transient: false,
    });
    expect(error.message).toBe(MESSAGES.noSeats(SKU.POWER_BI_PRO));
    expect(fake.user(T1, 'u-plain').licenses).toEqual([]);
  });

  const cases: Array<{
    name: string;
    userId: string;
    assign?: string[];
    revoke?: string[];
    reason: string;
    skuId?: string;
    message?: string | RegExp;
  }> = [
    {
      name: 'no usage location',
      userId: 'u-noloc',
      assign: [SKU.E3],
      reason: 'usage_location_missing',
      skuId: SKU.E3,
      message: MESSAGES.usageLocation,
    },
    {
      name: 'country not allowed',
      userId: 'u-india',
      assign: [SKU.TEAMS_PHONE, SKU.CALLING_PLAN],
      reason: 'usage_location_not_allowed',
    },
    {
      name: 'no seats',
      userId: 'u-plain',
      assign: [SKU.POWER_BI_PRO],
      reason: 'insufficient_licenses',
      skuId: SKU.POWER_BI_PRO,
    },
    {
      name: 'suspended product',
      userId: 'u-plain',
      assign: [SKU.CRM_STANDARD],
      reason: 'insufficient_licenses',
      skuId: SKU.CRM_STANDARD,
    },
    {
      name: 'mutually exclusive',
      userId: 'u-e3',
      assign: [SKU.E1],
      reason: 'mutually_exclusive',
      skuId: SKU.E1,
      message: /are mutually exclusive\.$/,
    },
    {
      name: 'mutually exclusive among several SKUs',
      userId: 'u-e3',
      assign: [SKU.FLOW_FREE, SKU.E1],
      reason: 'mutually_exclusive',
      skuId: SKU.E1,
    },
    {
      name: 'missing prerequisite',
      userId: 'u-plain',
      assign: [SKU.AUDIO_CONF],
      reason: 'missing_prerequisite',
      skuId: SKU.AUDIO_CONF,
      message: /depends on the service plan\(s\)/,
    },
    { name: 'removing a prerequisite', userId: 'u-e3', assign: [SKU.AUDIO_CONF], reason: 'none' },
    {
      name: 'inherited licence',
      userId: 'u-group',
      revoke: [SKU.E3],
      reason: 'inherited_from_group',
      skuId: SKU.E3,
      message: MESSAGES.inherited,
    },
    {
      name: 'licence not held',
      userId: 'u-plain',
      revoke: [SKU.E3],
      reason: 'provider_error',
      message: MESSAGES.notHeld,
    },
    {
      name: 'SKU not owned',
      userId: 'u-plain',
      assign: ['00000000-1111-2222-3333-444444444444'],
      reason: 'provider_error',
      skuId: '00000000-1111-2222-3333-444444444444',
      message: MESSAGES.notCompany('00000000-1111-2222-3333-444444444444'),
    },
    {
      name: 'company SKU',
      userId: 'u-plain',
      assign: [SKU.COMPANY_ONLY],
      reason: 'provider_error',
      skuId: SKU.COMPANY_ONLY,
      message: MESSAGES.companySku(SKU.COMPANY_ONLY),
    },
    {
      name: 'unknown user',
      userId: 'u-gone',
      assign: [SKU.E3],
      reason: 'user_not_found',
      message: MESSAGES.notFound('u-gone'),
    },
  ];

  for (const c of cases) {
    it(`maps ${c.name}`, async () => {
      const { provider } = await setUp([ruleTenant()]);
      await provider.listProducts(T1);
      if (c.reason === 'none') {
        await provider.applyUserChange(T1, c.userId, {
          assign: (c.assign ?? []).map((skuId) => ({ skuId, disabledPlans: [] })),
          revoke: c.revoke ?? [],
        });
        const error = await refusedChange(provider, T1, c.userId, { revoke: [SKU.E3] });
        expect(error).toMatchObject({ reason: 'missing_prerequisite', skuId: SKU.E3, transient: false });
        return;
      }
      const error = await refusedChange(provider, T1, c.userId, c);
      expect(error.reason).toBe(c.reason);
      expect(error.transient).toBe(false);
      if (c.skuId) expect(error.skuId).toBe(c.skuId);
      if (typeof c.message === 'string') expect(error.message).toBe(c.message);
      else if (c.message) expect(error.message).toMatch(c.message);
    });
  }

  it('maps 403 to provider_error with the message', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    fake.fail({ status: 403, method: 'POST' });
    const error = await refusedChange(provider, T1, 'u-plain', { assign: [SKU.E3] });
    expect(error).toMatchObject({ reason: 'provider_error', transient: false, message: MESSAGES.forbidden });
  });

  it('maps 429 with a fractional Retry-After to throttled and does not retry the write itself', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    fake.fail({ status: 429, retryAfter: '2.128', method: 'POST' });
    const error = await refusedChange(provider, T1, 'u-plain', { assign: [SKU.E3] });
    expect(error).toMatchObject({
      reason: 'throttled',
      transient: true,
      retryAfterMs: 2128,
      message: MESSAGES.throttled,
    });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.user(T1, 'u-plain').licenses).toEqual([]);
  });

  it('maps 429 without Retry-After to throttled with no delay, and 503/504 to transient', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    const change = { assign: [{ skuId: SKU.E3, disabledPlans: [] }], revoke: [] };
    fake.fail({ status: 429, method: 'POST' });
    expect(await refusal(provider.applyUserChange(T1, 'u-plain', change))).toMatchObject({
      reason: 'throttled',
      transient: true,
      retryAfterMs: undefined,
    });
    fake.fail({ status: 503, retryAfter: '3', method: 'POST' });
    expect(await refusal(provider.applyUserChange(T1, 'u-plain', change))).toMatchObject({
      reason: 'throttled',
      transient: true,
      retryAfterMs: 3000,
    });
    fake.fail({ status: 504, method: 'POST' });
    expect(await refusal(provider.applyUserChange(T1, 'u-plain', change))).toMatchObject({
      reason: 'provider_error',
      transient: true,
    });
    await provider.applyUserChange(T1, 'u-plain', change);
    expect(fake.user(T1, 'u-plain').licenses.map((l) => l.skuId)).toEqual([SKU.E3]);
  });
});

describe('Graph adapter: reads under throttling', () => {
  it('retries a read after 429/503 honouring Retry-After', async () => {
    const { fake, provider, waits } = await setUp([ruleTenant()]);
    fake.fail({ status: 429, retryAfter: '0.25', path: '/subscribedSkus' });
    fake.fail({ status: 503, path: '/subscribedSkus' });
    const products = await provider.listProducts(T1);
    expect(products.length).toBeGreaterThan(0);
    expect(waits).toEqual([250, 1]);
    const skuReads = fake.requests.filter((r) => r.path === '/subscribedSkus');
    expect(skuReads.map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it('gives up after a few attempts with a transient throttled error', async () => {
    const { fake, provider } = await setUp([ruleTenant()]);
    fake.fail({ status: 429, count: 10, path: '/users' });
    const error = await refusal(provider.searchUsers(T1, { query: '', offset: 0, limit: 10 }));
    expect(error).toMatchObject({ reason: 'throttled', transient: true });
    expect(fake.requests).toHaveLength(4);
  });
});
