import { afterEach, describe, expect, it } from 'vitest';
import { PartnerCenterProvider } from '../../../src/providers/partner-center/partner-center-provider.js';
import { PartnerCenterAuth } from '../../../src/providers/partner-center/pc-auth.js';
import { type FakeTenant, MESSAGES, makeTenant, SKU } from '../../support/graph-fake.js';
import {
  MINECRAFT_SKU,
  type PartnerCenterFake,
  startPartnerCenterFake,
} from '../../support/partner-center-fake.js';
import { refusal } from '../../support/provider-refusal.js';

const C1 = '7b2f0000-0000-4000-8000-000000000001';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000beef';

let fake: PartnerCenterFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(
  customers: FakeTenant[],
  options: { bom?: boolean; refreshToken?: string; pageSize?: number } = {},
) {
  fake = await startPartnerCenterFake({ customers, bom: options.bom });
  const waits: number[] = [];
  const auth = new PartnerCenterAuth({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    refreshToken: options.refreshToken ?? fake.refreshToken,
    partnerTenantId: fake.partnerTenantId,
    loginBaseUrl: fake.loginBaseUrl,
  });
  const provider = new PartnerCenterProvider({
    auth,
    baseUrl: fake.baseUrl,
    pageSize: options.pageSize,
    http: {
      backoffMs: 1,
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  });
  return { fake, provider, waits };
}

function ruleCustomer(): FakeTenant {
  const tenant = makeTenant({ tenantId: C1, users: 0, name: 'Contoso', domain: 'contoso.onmicrosoft.com' });
  const user = (
    id: string,
    name: string,
    usageLocation: string | null,
    licenses: FakeTenant['users'][number]['licenses'] = [],
  ) => ({
    id,
    displayName: name,
    userPrincipalName: `${name.toLowerCase().replace(/ /g, '.')}@contoso.com`,
    usageLocation,
    licenses,
  });
  tenant.users = [
    user('u-plain', 'Plain User', 'US'),
    user('u-noloc', 'No Location', null),
    user('u-india', 'India User', 'IN'),
    user('u-e3', 'E3 Holder', 'US', [
      { skuId: SKU.E3, disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'], assignedByGroup: null },
    ]),
    user('u-group', 'Group Holder', 'US', [{ skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP }]),
  ];
  return tenant;
}

describe('Partner Center adapter: auth and headers', () => {
  it('exchanges the refresh token once for a user_impersonation token and sends the MS-* headers', async () => {
    const { fake, provider } = await setUp([ruleCustomer()]);
    await provider.listProducts(C1);
    await provider.searchUsers(C1, { query: '', offset: 0, limit: 10 });
    expect(fake.tokenRequests).toEqual([
      {
        tenant: fake.partnerTenantId,
        grantType: 'refresh_token',
        scope: expect.stringContaining('https://api.partnercenter.microsoft.com/user_impersonation'),
        ok: true,
      },
    ]);
    const ids = new Set<string>();
    for (const request of fake.requests) {
      expect(request.headers['ms-contract-version']).toBe('v1');
      expect(request.headers['ms-correlationid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(request.headers.accept).toBe('application/json');
      ids.add(request.headers['ms-requestid'] ?? '');
    }
    expect(ids.size).toBe(fake.requests.length);
  });

  it('refuses a bad refresh token with one clear line', async () => {
    const { provider } = await setUp([ruleCustomer()], { refreshToken: 'stale-token' });
    const error = await refusal(provider.listProducts(C1));
    expect(error.message).toMatch(
      /^Partner Center: cannot get a token for partner tenant [0-9a-f-]+: AADSTS70000: Provided grant is invalid or malformed\.$/,
    );
    expect(error.message).not.toContain('stale-token');
  });
});

describe('Partner Center adapter: customers and users', () => {
  const customers = () =>
    ['Contoso', 'Contour', 'Cobalt', 'Fabrikam', 'Northwind', 'Contessa', 'Woodgrove'].map((name, i) =>
      makeTenant({
        tenantId: `7b2f0000-0000-4000-8000-00000000000${i}`,
        users: 1,
        name,
        domain: `${name.toLowerCase()}.onmicrosoft.com`,
      }),
    );

  it('filters with starts_with on CompanyName and Domain, following links.next with MS-ContinuationToken', async () => {
    const { fake, provider } = await setUp(customers(), { pageSize: 2 });
    const found = await provider.searchCustomers('cont', 10);
    expect(found.map((c) => c.name)).toEqual(['Contessa', 'Contoso', 'Contour']);
    expect(found[0]).toMatchObject({ tenantId: expect.any(String), domain: 'contessa.onmicrosoft.com' });
    const filters = fake.requests.map((r) => new URL(r.url).searchParams.get('filter'));
    expect(filters).toContain('{"Field":"CompanyName","Value":"cont","Operator":"starts_with"}');
    expect(filters).toContain('{"Field":"Domain","Value":"cont","Operator":"starts_with"}');
    const next = fake.requests.filter((r) => r.url.includes('seekOperation=Next'));
    expect(next.length).toBeGreaterThan(0);
    for (const r of next) expect(r.headers['ms-continuationtoken']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists the first customers, and knows one by id', async () => {
    const { provider } = await setUp(customers(), { pageSize: 3 });
    expect(await provider.searchCustomers('', 5)).toHaveLength(5);
    expect(await provider.getCustomer('7b2f0000-0000-4000-8000-000000000003')).toMatchObject({
      name: 'Fabrikam',
    });
    expect(await provider.getCustomer('00000000-0000-4000-8000-00000000dead')).toBeNull();
  });

  it('pages users across continuation pages: total, first, last, search and e-mail look-up', async () => {
    const { fake, provider } = await setUp([makeTenant({ tenantId: C1, users: 250 })], { pageSize: 100 });
    const first = await provider.searchUsers(C1, { query: '', offset: 0, limit: 10 });
    const last = await provider.searchUsers(C1, { query: '', offset: 240, limit: 10 });
    expect(first.total).toBe(250);
    expect(last.users).toHaveLength(10);
    const everyone = [...fake.customer(C1).users].sort(
      (a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id),
    );
    expect(last.users.map((u) => u.id)).toEqual(everyone.slice(240).map((u) => u.id));
    expect(fake.requests.filter((r) => r.path.endsWith('/users'))).toHaveLength(3);
    const hiro = await provider.searchUsers(C1, { query: 'hiro', offset: 0, limit: 50 });
    expect(hiro.total).toBe(21);
    const someone = everyone[7]!;
    const lookup = await provider.findUsersByEmail(C1, [someone.userPrincipalName.toUpperCase(), 'x@y.z']);
    expect(lookup).toEqual({
      found: [expect.objectContaining({ id: someone.id })],
      notFound: ['x@y.z'],
    });
    expect((await provider.getUsers(C1, [someone.id, 'missing'])).map((u) => u.id)).toEqual([someone.id]);
  });
});

describe('Partner Center adapter: products and holdings', () => {
  it('reads BOM-prefixed bodies and the "totalCount": 04 quirk; availableUnits clamped, suspended shown', async () => {
    const customer = ruleCustomer();
    const e1 = customer.skus.find((s) => s.skuId === SKU.E1);
    if (e1) e1.extraConsumed = 70;
    const { provider } = await setUp([customer], { bom: true });
    const products = await provider.listProducts(C1);
    const by = (skuId: string) => products.find((p) => p.skuId === skuId);
    expect(by(SKU.E3)).toMatchObject({
      name: 'Office 365 E3',
      status: 'enabled',
      total: 2000,
      consumed: 2,
      available: 1998,
    });
    expect(by(SKU.E5)).toMatchObject({ status: 'warning', total: 5, available: 5 });
    expect(by(SKU.E1)).toMatchObject({ consumed: 70, available: 0 });
    expect(by(SKU.POWER_BI_PRO)).toMatchObject({ available: 0 });
    expect(by(SKU.CRM_STANDARD)).toMatchObject({ status: 'suspended', available: 0 });
    expect(by(SKU.COMPANY_ONLY)).toBeUndefined();
  });

  it('derives disabled plans from the licence and reports every licence as direct', async () => {
    const { provider } = await setUp([ruleCustomer()]);
    const holdings = await provider.getHoldings(C1, ['u-e3', 'u-plain', 'u-missing']);
    expect(holdings.get('u-e3')).toEqual([
      { skuId: SKU.E3, disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'], direct: true, viaGroups: [] },
    ]);
    expect(holdings.get('u-plain')).toEqual([]);
    expect(holdings.has('u-missing')).toBe(false);
  });
});

describe('Partner Center adapter: licenseupdates', () => {
  it('posts licensesToAssign with excludedPlans and licensesToRemove; 201 applies it', async () => {
    const { fake, provider } = await setUp([ruleCustomer()]);
    await provider.applyUserChange(C1, 'u-e3', {
      assign: [{ skuId: SKU.FLOW_FREE, disabledPlans: [] }],
      revoke: [SKU.E3],
    });
    const post = fake.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe(`/v1/customers/${C1}/users/u-e3/licenseupdates`);
    expect(post?.status).toBe(201);
    expect(post?.body).toEqual({
      licensesToAssign: [{ skuId: SKU.FLOW_FREE, excludedPlans: [] }],
      licensesToRemove: [SKU.E3],
      attributes: { objectType: 'LicenseUpdate' },
    });
    expect(
      fake
        .customer(C1)
        .users.find((u) => u.id === 'u-e3')
        ?.licenses.map((l) => l.skuId),
    ).toEqual([SKU.FLOW_FREE]);
  });

  it('maps 60012 to insufficient_licenses with the SKU and an unescaped message', async () => {
    const { provider } = await setUp([ruleCustomer()]);
    const error = await refusal(
      provider.applyUserChange(C1, 'u-plain', {
        assign: [
          { skuId: SKU.E3, disabledPlans: [] },
          { skuId: SKU.POWER_BI_PRO, disabledPlans: [] },
        ],
        revoke: [],
      }),
    );
    expect(error).toMatchObject({
      reason: 'insufficient_licenses',
      skuId: SKU.POWER_BI_PRO,
      transient: false,
    });
    expect(error.message).toBe(
      "We're sorry, it looks like you've run out of licenses. Buy more licenses, and then try again.",
    );
  });

  const cases: Array<{
    name: string;
    userId: string;
    assign?: string[];
    revoke?: string[];
    reason: string;
    message?: string;
  }> = [
    {
      name: '60002 user not found',
      userId: 'u-gone',
      assign: [SKU.E3],
      reason: 'user_not_found',
      message: 'User object Id is not found',
    },
    {
      name: 'no usage location',
      userId: 'u-noloc',
      assign: [SKU.E3],
      reason: 'usage_location_missing',
      message: MESSAGES.usageLocation,
    },
    {
      name: 'country not allowed',
      userId: 'u-india',
      assign: [SKU.TEAMS_PHONE, SKU.CALLING_PLAN],
      reason: 'usage_location_not_allowed',
    },
    { name: 'mutually exclusive', userId: 'u-e3', assign: [SKU.E1], reason: 'mutually_exclusive' },
    {
      name: 'missing prerequisite',
      userId: 'u-plain',
      assign: [SKU.AUDIO_CONF],
      reason: 'missing_prerequisite',
    },
    {
      name: 'inherited licence',
      userId: 'u-group',
      revoke: [SKU.E3],
      reason: 'inherited_from_group',
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
      name: 'mixed licence groups',
      userId: 'u-plain',
      assign: [SKU.E3, MINECRAFT_SKU],
      reason: 'provider_error',
    },
  ];
  for (const c of cases) {
    it(`maps ${c.name}`, async () => {
      const { provider } = await setUp([ruleCustomer()]);
      const error = await refusal(
        provider.applyUserChange(C1, c.userId, {
          assign: (c.assign ?? []).map((skuId) => ({ skuId, disabledPlans: [] })),
          revoke: c.revoke ?? [],
        }),
      );
      expect(error.reason).toBe(c.reason);
      expect(error.transient).toBe(false);
      if (c.message) expect(error.message).toBe(c.message);
    });
  }

  it('handles the 429 envelope with and without Retry-After, sending the write once', async () => {
    const { fake, provider } = await setUp([ruleCustomer()]);
    const change = { assign: [{ skuId: SKU.E3, disabledPlans: [] }], revoke: [] };
    fake.fail({ status: 429, retryAfter: '57', method: 'POST' });
    expect(await refusal(provider.applyUserChange(C1, 'u-plain', change))).toMatchObject({
      reason: 'throttled',
      transient: true,
      retryAfterMs: 57_000,
      message: 'Rate limit is exceeded. Try again in 57 seconds.',
    });
    fake.fail({ status: 429, method: 'POST', message: 'Rate limit is exceeded. Try again in 12 seconds.' });
    expect(await refusal(provider.applyUserChange(C1, 'u-plain', change))).toMatchObject({
      reason: 'throttled',
      retryAfterMs: 12_000,
    });
    fake.fail({ status: 429, method: 'POST', message: 'Rate limit is exceeded.' });
    expect(await refusal(provider.applyUserChange(C1, 'u-plain', change))).toMatchObject({
      reason: 'throttled',
      retryAfterMs: undefined,
    });
    fake.fail({ status: 503, method: 'POST' });
    expect(await refusal(provider.applyUserChange(C1, 'u-plain', change))).toMatchObject({ transient: true });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
  });

  it('retries reads after 429 honouring Retry-After, keeping the same MS-RequestId', async () => {
    const { fake, provider, waits } = await setUp([ruleCustomer()]);
    fake.fail({ status: 429, retryAfter: '0.5', path: '/subscribedskus' });
    expect((await provider.listProducts(C1)).length).toBeGreaterThan(0);
    expect(waits).toEqual([500]);
    const [throttled, retried] = fake.requests;
    expect(throttled?.status).toBe(429);
    expect(retried?.headers['ms-requestid']).toBe(throttled?.headers['ms-requestid']);
  });
});
