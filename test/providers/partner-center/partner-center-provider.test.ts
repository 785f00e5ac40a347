import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterProvider } from '../../../src/providers/partner-center/partner-center-provider.js';
import { type AuthLogger, PartnerCenterAuth } from '../../../src/providers/partner-center/pc-auth.js';
import {
  partnerCenterTokenFile,
  RefreshTokenFile,
} from '../../../src/providers/partner-center/pc-token-file.js';
import { closedAfterTest } from '../../support/closed-after-test.js';
import { type FakeTenant, fakeUser, MESSAGES, makeTenant, SKU } from '../../support/graph-fake/index.js';
import {
  MINECRAFT_SKU,
  type PartnerCenterFake,
  startPartnerCenterFake,
} from '../../support/partner-center-fake/index.js';
import { recordedWaits } from '../../support/provider-http.js';
import { refusal, refusedChange } from '../../support/provider-refusal.js';

const C1 = '7b2f0000-0000-4000-8000-000000000001';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000beef';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-pc-'));
  dirs.push(dir);
  return dir;
}

/** Every line auth logged, to check no token is ever in one. */
class LogLines implements AuthLogger {
  readonly lines: string[] = [];
  info(message: string) {
    this.lines.push(message);
  }
  warn(message: string) {
    this.lines.push(message);
  }
}

interface AuthSetUp {
  refreshToken?: string;
  tokenFile?: RefreshTokenFile;
  logger?: AuthLogger;
  now?: () => number;
}

function authFor(pc: PartnerCenterFake, options: AuthSetUp = {}): PartnerCenterAuth {
  return new PartnerCenterAuth({
    clientId: pc.clientId,
    clientSecret: pc.clientSecret,
    refreshToken: options.refreshToken ?? pc.refreshToken,
    partnerTenantId: pc.partnerTenantId,
    loginBaseUrl: pc.loginBaseUrl,
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

async function setUp(
  customers: FakeTenant[],
  options: { bom?: boolean; refreshToken?: string; pageSize?: number; timeoutMs?: number } = {},
) {
  const fake = closedAfterTest(await startPartnerCenterFake({ customers, bom: options.bom }));
  const { http, waits } = recordedWaits(
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
  const provider = new PartnerCenterProvider({
    auth: authFor(fake, { refreshToken: options.refreshToken ?? fake.refreshToken }),
    baseUrl: fake.baseUrl,
    pageSize: options.pageSize,
    http,
  });
  return { fake, provider, waits };
}

function ruleCustomer(): FakeTenant {
  const tenant = makeTenant({ tenantId: C1, users: 0, name: 'Contoso', domain: 'contoso.onmicrosoft.com' });
  tenant.users = [
    fakeUser('u-plain', 'Plain User', 'US'),
    fakeUser('u-noloc', 'No Location', null),
    fakeUser('u-india', 'India User', 'IN'),
    fakeUser('u-e3', 'E3 Holder', 'US', [
      { skuId: SKU.E3, disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'], assignedByGroup: null },
    ]),
    fakeUser('u-group', 'Group Holder', 'US', [{ skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP }]),
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

describe('Partner Center adapter: the refresh token rotates and is kept', () => {
  it('presents the rotated refresh token next time, in the process and after a restart', async () => {
    const fake = closedAfterTest(await startPartnerCenterFake({ customers: [ruleCustomer()] }));
    const file = new RefreshTokenFile(partnerCenterTokenFile(await dataDir()));
    let now = 1_000_000;
    const first = authFor(fake, { tokenFile: file, now: () => now });
    await first.token();
    // The access token lives about an hour; the next exchange presents the rotated refresh token.
    now += 60 * 60_000;
    await first.token();
    expect(fake.refreshTokensPresented).toEqual([fake.refreshToken, fake.refreshTokensIssued[0]]);

    // Months later the configured token has aged out; a restarted bot uses the saved one.
    fake.revokeRefreshToken(fake.refreshToken);
    const restarted = new PartnerCenterProvider({
      auth: authFor(fake, { tokenFile: new RefreshTokenFile(file.file) }),
      baseUrl: fake.baseUrl,
    });
    expect((await restarted.listProducts(C1)).length).toBeGreaterThan(0);
    expect(fake.refreshTokensPresented.at(-1)).toBe(fake.refreshTokensIssued[1]);
    expect(fake.refreshTokensPresented).not.toContain(undefined);
    expect(JSON.parse(await readFile(file.file, 'utf8'))).toMatchObject({
      refreshToken: fake.refreshTokensIssued.at(-1),
    });
  });

  it('writes the token file for its owner only (mode 0600)', async () => {
    const fake = closedAfterTest(await startPartnerCenterFake({ customers: [ruleCustomer()] }));
    const dir = await dataDir();
    const file = new RefreshTokenFile(partnerCenterTokenFile(dir));
    expect(file.file).toBe(path.join(dir, 'partner-center-token.json'));
    await authFor(fake, { tokenFile: file }).token();
    expect((await stat(file.file)).mode & 0o777).toBe(0o600);
  });

  it('lets a newly configured refresh token win over one saved from an earlier consent', async () => {
    const fake = closedAfterTest(await startPartnerCenterFake({ customers: [ruleCustomer()] }));
    const file = new RefreshTokenFile(partnerCenterTokenFile(await dataDir()));
    await authFor(fake, { tokenFile: file }).token();
    const saved = fake.refreshTokensIssued[0];
    // The partner user consents again: a new token is configured and the old chain is revoked.
    await authFor(fake).token();
    const reconsented = fake.refreshTokensIssued[1] ?? '';
    fake.revokeRefreshToken(saved ?? '');
    await authFor(fake, { tokenFile: file, refreshToken: reconsented }).token();
    expect(fake.refreshTokensPresented.at(-1)).toBe(reconsented);
    expect(JSON.parse(await readFile(file.file, 'utf8'))).toMatchObject({
      refreshToken: fake.refreshTokensIssued[2],
    });
  });

  it('never puts a refresh token in a log line or a message, even when it cannot save it', async () => {
    const fake = closedAfterTest(await startPartnerCenterFake({ customers: [ruleCustomer()] }));
    const dir = await dataDir();
    // A file where the folder should be: saving fails (ENOTDIR), reading finds nothing.
    await writeFile(path.join(dir, 'not-a-folder'), '');
    const logger = new LogLines();
    const unsaved = authFor(fake, {
      tokenFile: new RefreshTokenFile(path.join(dir, 'not-a-folder', 'partner-center-token.json')),
      logger,
    });
    await unsaved.token();
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^Partner Center: cannot read .+not-a-folder.+; using PARTNER_CENTER_REFRESH_TOKEN$/,
      ),
      expect.stringMatching(/^Partner Center: could not save the rotated refresh token to .+not-a-folder/),
    ]);
    const file = new RefreshTokenFile(partnerCenterTokenFile(dir));
    await authFor(fake, { tokenFile: file, logger }).token();
    await authFor(fake, { tokenFile: file, logger }).token();
    expect(logger.lines.at(-1)).toMatch(/^Partner Center: using the refresh token saved in /);
    fake.revokeRefreshToken(fake.refreshTokensIssued.at(-1) ?? '');
    const refused = await authFor(fake, { tokenFile: file, logger })
      .token()
      .then(
        () => new Error('the revoked token was accepted'),
        (error: Error) => error,
      );
    expect(refused.message).toMatch(/AADSTS70000/);
    const secrets = [fake.refreshToken, ...fake.refreshTokensIssued];
    for (const text of [...logger.lines, refused.message]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
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
    // Each listing is one operation: its pages share an MS-CorrelationId, each with its own MS-RequestId.
    // The two listings run side by side, several pages each, yet carry only two correlation ids.
    expect(fake.requests.length).toBeGreaterThan(2);
    expect(new Set(fake.requests.map((r) => r.headers['ms-correlationid'])).size).toBe(2);
    expect(new Set(fake.requests.map((r) => r.headers['ms-requestid'])).size).toBe(fake.requests.length);
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
    const someone = everyone[7];
    if (!someone) throw new Error('the customer has fewer than 8 users');
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
    const error = await refusedChange(provider, C1, 'u-plain', { assign: [SKU.E3, SKU.POWER_BI_PRO] });
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
      const error = await refusedChange(provider, C1, c.userId, c);
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
    // listProducts also reads the subscriptions' end dates; only the SKU reads matter here.
    const [throttled, retried] = fake.requests.filter((r) => r.path.endsWith('/subscribedskus'));
    expect(throttled?.status).toBe(429);
    expect(retried?.headers['ms-requestid']).toBe(throttled?.headers['ms-requestid']);
  });

  it('retries a write that timed out with the first MS-RequestId, and Partner Center applies it once', async () => {
    const { fake, provider } = await setUp([ruleCustomer()], { timeoutMs: 100 });
    const change = { assign: [{ skuId: SKU.FLOW_FREE, disabledPlans: [] }], revoke: [] };
    fake.stall({ method: 'POST', path: '/licenseupdates', ms: 400 });
    expect(await refusal(provider.applyUserChange(C1, 'u-plain', change))).toMatchObject({ transient: true });
    // The executor tries again with the same change; the first attempt had landed.
    await provider.applyUserChange(C1, 'u-plain', change);
    const posts = await vi.waitFor(() => {
      const found = fake.requests.filter((r) => r.method === 'POST');
      if (found.length < 2) throw new Error('the stalled write is not answered yet');
      return found;
    });
    const [first, retry] = posts.map((post) => post.headers);
    expect(retry?.['ms-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry?.['ms-requestid']).toBe(first?.['ms-requestid']);
    expect(retry?.['ms-correlationid']).toBe(first?.['ms-correlationid']);
    expect(posts.map((post) => post.status)).toEqual([201, 201]);
    const held = fake.customer(C1).users.find((u) => u.id === 'u-plain')?.licenses ?? [];
    expect(held.filter((l) => l.skuId === SKU.FLOW_FREE)).toHaveLength(1);

    // Once answered, the same change again is a new call.
    await provider.applyUserChange(C1, 'u-plain', change);
    const third = fake.requests.filter((r) => r.method === 'POST').at(-1);
    expect(third?.headers['ms-requestid']).not.toBe(first?.['ms-requestid']);
  });

  it('gives a write refused for a known reason a new MS-RequestId on retry', async () => {
    const { fake, provider } = await setUp([ruleCustomer()]);
    const change = { assign: [{ skuId: SKU.E3, disabledPlans: [] }], revoke: [] };
    fake.fail({ status: 429, retryAfter: '1', method: 'POST' });
    await refusal(provider.applyUserChange(C1, 'u-plain', change));
    await provider.applyUserChange(C1, 'u-plain', change);
    const [throttled, retried] = fake.requests.filter((r) => r.method === 'POST');
    expect(throttled?.status).toBe(429);
    expect(retried?.headers['ms-requestid']).not.toBe(throttled?.headers['ms-requestid']);
  });

  it('returns the licenseWarnings of a 201 answer as warnings', async () => {
    const { fake, provider } = await setUp([ruleCustomer()]);
    const change = { assign: [{ skuId: SKU.FLOW_FREE, disabledPlans: [] }], revoke: [] };
    expect(await provider.applyUserChange(C1, 'u-plain', change)).toBeUndefined();
    fake.warnOnNextUpdate([
      {
        code: 'ServicePlanDependency',
        message: 'Some service plans were not enabled because they depend on plans the user lacks.',
        servicePlans: ['FLOW_P2_VIRAL', 'DYN365_CDS_VIRAL'],
      },
    ]);
    expect(await provider.applyUserChange(C1, 'u-e3', change)).toEqual({
      warnings: [
        'Some service plans were not enabled because they depend on plans the user lacks. (FLOW_P2_VIRAL, DYN365_CDS_VIRAL)',
      ],
    });
  });
});
