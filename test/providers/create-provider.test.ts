import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createProvider, ProviderStartError } from '../../src/providers/create-provider.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { type GraphFake, makeTenant, SKU, startGraphFake } from '../support/graph-fake/index.js';
import { type PartnerCenterFake, startPartnerCenterFake } from '../support/partner-center-fake/index.js';

const T1 = '8c3e0000-0000-4000-8000-000000000001';
const T2 = '8c3e0000-0000-4000-8000-000000000002';
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'signing-secret' };
/** Partner Center keeps its rotated refresh token in DATA_DIR: never the project's ./data. */
const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-providers-'));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function graphFake(): Promise<GraphFake> {
  const fake = await startGraphFake({
    tenants: [
      makeTenant({ tenantId: T1, users: 5, name: 'Contoso' }),
      makeTenant({ tenantId: T2, users: 3, name: 'Fabrikam' }),
    ],
  });
  cleanups.push(() => fake.close());
  return fake;
}

async function partnerCenterFake(): Promise<PartnerCenterFake> {
  const fake = await startPartnerCenterFake({
    customers: [
      makeTenant({ tenantId: T1, users: 5, name: 'Contoso' }),
      makeTenant({ tenantId: T2, users: 3, name: 'Fabrikam' }),
    ],
  });
  cleanups.push(() => fake.close());
  return fake;
}

function graphEnv(fake: GraphFake, extra: Record<string, string> = {}) {
  return {
    ...SLACK,
    DATA_DIR: dataDir,
    LICENSE_PROVIDER: 'graph',
    GRAPH_CLIENT_ID: fake.clientId,
    GRAPH_CLIENT_SECRET: fake.clientSecret,
    GRAPH_CUSTOMERS: `${T1}=Contoso, ${T2}=Fabrikam`,
    GRAPH_BASE_URL: fake.baseUrl,
    LOGIN_BASE_URL: fake.loginBaseUrl,
    ...extra,
  };
}

function partnerCenterEnv(fake: PartnerCenterFake, extra: Record<string, string> = {}) {
  return {
    ...SLACK,
    DATA_DIR: dataDir,
    LICENSE_PROVIDER: 'partner-center',
    PARTNER_TENANT_ID: fake.partnerTenantId,
    PARTNER_CENTER_CLIENT_ID: fake.clientId,
    PARTNER_CENTER_CLIENT_SECRET: fake.clientSecret,
    PARTNER_CENTER_REFRESH_TOKEN: fake.refreshToken,
    PARTNER_CENTER_BASE_URL: fake.baseUrl,
    LOGIN_BASE_URL: fake.loginBaseUrl,
    ...extra,
  };
}

async function startError(promise: Promise<unknown>): Promise<ProviderStartError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderStartError) return error;
    throw error;
  }
  throw new Error('expected a ProviderStartError');
}

describe('provider configuration', () => {
  it('defaults to the real Microsoft endpoints and parses GRAPH_CUSTOMERS', () => {
    const config = loadConfig({ ...SLACK, GRAPH_CUSTOMERS: 'a-tenant=Contoso, b-tenant = Fabrikam Ltd' });
    expect(config.GRAPH_BASE_URL).toBe('https://graph.microsoft.com/v1.0');
    expect(config.LOGIN_BASE_URL).toBe('https://login.microsoftonline.com');
    expect(config.PARTNER_CENTER_BASE_URL).toBe('https://api.partnercenter.microsoft.com');
    expect(config.GRAPH_CUSTOMERS).toEqual([
      { tenantId: 'a-tenant', name: 'Contoso' },
      { tenantId: 'b-tenant', name: 'Fabrikam Ltd' },
    ]);
  });

  it('requires the chosen backend’s variables only, naming each missing one', () => {
    expect(() => loadConfig({ ...SLACK })).not.toThrow();
    expect(() => loadConfig({ ...SLACK, LICENSE_PROVIDER: 'graph', GRAPH_CLIENT_SECRET: 's3cret' })).toThrow(
      new ConfigError(
        'Invalid configuration: GRAPH_CLIENT_ID is required when LICENSE_PROVIDER=graph; GRAPH_CUSTOMERS is required when LICENSE_PROVIDER=graph (or set PARTNER_TENANT_ID and the PARTNER_CENTER_* credentials to list customers from Partner Center)',
      ),
    );
    expect(() =>
      loadConfig({ ...SLACK, LICENSE_PROVIDER: 'partner-center', PARTNER_CENTER_CLIENT_SECRET: 'hush' }),
    ).toThrow(
      /PARTNER_TENANT_ID is required when LICENSE_PROVIDER=partner-center; PARTNER_CENTER_CLIENT_ID is required/,
    );
    expect(() => loadConfig({ ...SLACK, GRAPH_CUSTOMERS: 'only-a-tenant-id' })).toThrow(
      /GRAPH_CUSTOMERS must be tenantId=Name pairs/,
    );
    expect(() => loadConfig({ ...SLACK, GRAPH_BASE_URL: 'not a url' })).toThrow(
      /GRAPH_BASE_URL must be a URL/,
    );
  });

  it('never puts a secret in its messages', () => {
    try {
      loadConfig({ ...SLACK, LICENSE_PROVIDER: 'graph', GRAPH_CLIENT_SECRET: 'top-s3cret-value' });
    } catch (error) {
      expect(String(error)).not.toContain('top-s3cret-value');
    }
  });
});

describe('createProvider', () => {
  it('builds the demo provider over DATA_DIR by default', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-provider-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const handle = await createProvider(loadConfig({ ...SLACK, DATA_DIR: dir }));
    expect(handle.provider.kind).toBe('demo');
    expect((await handle.provider.searchCustomers('', 5)).length).toBeGreaterThan(0);
    expect(await handle.readiness()).toEqual({ ready: true });
    expect(await handle.close()).toEqual({ problems: [] });
  });

  it('journals every demo change before it returns, and stops taking changes once closed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-provider-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = loadConfig({ ...SLACK, DATA_DIR: dir });
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const first = await createProvider(config, { logger: quiet });
    const [customer] = await first.provider.searchCustomers('Contoso', 1);
    if (!customer) throw new Error('the demo tenant has no Contoso');
    const { users } = await first.provider.searchUsers(customer.id, { query: '', offset: 0, limit: 100 });
    const holdings = await first.provider.getHoldings(
      customer.id,
      users.map((user) => user.id),
    );
    const holdsFlow = (userId: string) =>
      (holdings.get(userId) ?? []).some((license) => license.skuId === DEMO_SKUS.FLOW_FREE);
    const target = users.find((user) => user.usageLocation !== null && !holdsFlow(user.id));
    if (!target) throw new Error('no located Contoso user without Power Automate Free');
    const giveFlow = { assign: [{ skuId: DEMO_SKUS.FLOW_FREE, disabledPlans: [] }], revoke: [] };
    await first.provider.applyUserChange(customer.id, target.id, giveFlow);

    // A second start on the same directory while the first never closed: what kill -9 leaves.
    const second = await createProvider(config, { logger: quiet });
    const after = await second.provider.getHoldings(customer.id, [target.id]);
    expect(after.get(target.id)).toContainEqual(
      expect.objectContaining({ skuId: DEMO_SKUS.FLOW_FREE, direct: true }),
    );
    expect(await second.close()).toEqual({ problems: [] });
    await expect(second.provider.applyUserChange(customer.id, target.id, giveFlow)).rejects.toMatchObject({
      reason: 'provider_error',
      transient: true,
    });
    expect(await first.close()).toEqual({ problems: [] });
  });

  it('builds the Graph provider after getting a token for every configured tenant', async () => {
    const fake = await graphFake();
    const handle = await createProvider(loadConfig(graphEnv(fake)), {
      msalNetworkClient: fake.msalNetworkClient,
    });
    expect(handle.provider.kind).toBe('graph');
    expect(fake.tokenRequests.map((r) => r.tenant).sort()).toEqual([T1, T2]);
    expect((await handle.provider.searchCustomers('fab', 5)).map((c) => c.name)).toEqual(['Fabrikam']);
    const products = await handle.provider.listProducts(T1);
    expect(products.find((p) => p.skuId === SKU.E3)?.available).toBe(2000);
    expect(fake.tokenRequests).toHaveLength(2);
    await handle.close();
  });

  it('stops with one line when Graph refuses the credentials', async () => {
    const fake = await graphFake();
    const error = await startError(
      createProvider(loadConfig(graphEnv(fake, { GRAPH_CLIENT_SECRET: 'wrong-secret' })), {
        msalNetworkClient: fake.msalNetworkClient,
      }),
    );
    expect(error.code).toBe('provider_auth_refused');
    expect(error.message).toMatch(
      /^Graph: cannot get a token for tenant 8c3e[0-9a-f-]+: AADSTS7000215: Invalid client secret provided\./,
    );
    expect(error.message).not.toContain('wrong-secret');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('refuses a plain-http LOGIN_BASE_URL for Graph unless a network client carries MSAL’s requests', async () => {
    const fake = await graphFake();
    const error = await startError(createProvider(loadConfig(graphEnv(fake))));
    expect(error.code).toBe('provider_config_invalid');
    expect(error.message).toMatch(/^LOGIN_BASE_URL must be an https URL when LICENSE_PROVIDER=graph/);
    expect(fake.tokenRequests).toEqual([]);
  });

  it('lists Graph customers from Partner Center when no GRAPH_CUSTOMERS are set', async () => {
    const pc = await partnerCenterFake();
    // One Entra serves both apps: the Graph fake's login also knows the Partner Center app.
    const graph = await startGraphFake({
      tenants: [makeTenant({ tenantId: T1, users: 4, name: 'Contoso' })],
      login: {
        apps: [{ clientId: pc.clientId, clientSecret: pc.clientSecret }],
        tenants: [pc.partnerTenantId],
        refreshTokens: [pc.refreshToken],
      },
    });
    cleanups.push(() => graph.close());
    const env = {
      ...partnerCenterEnv(pc),
      ...graphEnv(graph, { GRAPH_CUSTOMERS: '' }),
      LICENSE_PROVIDER: 'graph',
    };
    const handle = await createProvider(loadConfig(env), { msalNetworkClient: graph.msalNetworkClient });
    expect(handle.provider.kind).toBe('graph');
    // The user count comes from Graph when it is back within the typeahead's budget (not checked here).
    expect(await handle.provider.searchCustomers('con', 5)).toMatchObject([
      { id: T1, tenantId: T1, name: 'Contoso', domain: expect.any(String) },
    ]);
    expect((await handle.provider.searchUsers(T1, { query: '', offset: 0, limit: 10 })).total).toBe(4);
    expect(graph.tokenRequests.map((r) => [r.tenant, r.grantType])).toEqual([
      [pc.partnerTenantId, 'refresh_token'],
      [T1, 'client_credentials'],
    ]);
  });

  it('builds the Partner Center provider and stops with one line on a bad refresh token', async () => {
    const pc = await partnerCenterFake();
    const handle = await createProvider(loadConfig(partnerCenterEnv(pc)));
    expect(handle.provider.kind).toBe('partner-center');
    expect((await handle.provider.searchUsers(T2, { query: '', offset: 0, limit: 10 })).total).toBe(3);
    const error = await startError(
      createProvider(loadConfig(partnerCenterEnv(pc, { PARTNER_CENTER_REFRESH_TOKEN: 'expired' }))),
    );
    expect(error.code).toBe('provider_auth_refused');
    expect(error.message).toMatch(/^Partner Center: cannot get a token for partner tenant .+: AADSTS70000: /);
    expect(error.message).not.toContain('expired');
  });

  it('tells an Entra that does not answer from one that refuses, and a missing variable from both', async () => {
    const pc = await partnerCenterFake();
    const unreachable = await startError(
      createProvider(loadConfig(partnerCenterEnv(pc, { LOGIN_BASE_URL: 'http://127.0.0.1:9' }))),
    );
    expect(unreachable.code).toBe('provider_unreachable');
    expect(unreachable.message).toMatch(
      /^Partner Center: cannot get a token .+: the token endpoint did not answer/,
    );

    const config = { ...loadConfig(partnerCenterEnv(pc)), PARTNER_TENANT_ID: undefined };
    const missing = await startError(createProvider(config));
    expect(missing.code).toBe('provider_config_missing');
    expect(missing.message).toBe('PARTNER_TENANT_ID is required when LICENSE_PROVIDER=partner-center');
  });

  it('starts the next time with the refresh token Entra rotated, not the configured one', async () => {
    const pc = await partnerCenterFake();
    const env = partnerCenterEnv(pc, { DATA_DIR: await mkdtemp(path.join(tmpdir(), 'licensedesk-pc-')) });
    await createProvider(loadConfig(env));
    // The configured token was used once; Entra would refuse it from now on.
    pc.revokeRefreshToken(pc.refreshToken);

    const restarted = await createProvider(loadConfig(env));

    expect(restarted.provider.kind).toBe('partner-center');
    expect(await restarted.readiness()).toEqual({ ready: true });
    expect(pc.refreshTokensIssued.length).toBeGreaterThanOrEqual(2);
  });
});
