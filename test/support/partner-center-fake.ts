/**
 * A local Partner Center REST API + Entra token endpoint (refresh-token grant), built from
 * reference/microsoft-licensing-api.md §2: collections with links.next + MS-ContinuationToken
 * paging, starts_with filters, users, Group1 subscribed SKUs, user licences, licenseupdates
 * (201 with licenseWarnings on demand, the 60012 body verbatim, directory messages passed through,
 * a repeated MS-RequestId answered as the first time), the 429 envelope, slow answers on demand,
 * and BOM-prefixed bodies on request. Licensing rules are the Graph fake's.
 *
 * Like Entra, the token endpoint answers every refresh-token exchange with a new refresh token;
 * a token stays valid until the test revokes it (its 90 days are over, or the user consented again).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  applyLicenseChange,
  closeServer,
  consumedUnits,
  type FakeFailure,
  type FakeTenant,
  flatHeaders,
  handleLogin,
  listen,
  readText,
  send,
  type TokenRequest,
  takeMatching,
  tokenRequestOf,
} from './graph-fake/index.js';

export interface PartnerCenterFakeOptions {
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  partnerTenantId?: string;
  customers: FakeTenant[];
  /** Prefix every JSON body with a UTF-8 BOM, as some Partner Center answers are. */
  bom?: boolean;
  latencyMs?: number;
}

/** A licenseupdates answer's warning, as Partner Center writes it. */
export interface FakeLicenseWarning {
  code: string;
  message: string;
  servicePlans: string[];
}

/** Matching requests are carried out at once but answered after `ms` (a client time-out). */
export interface FakeStall {
  method?: string;
  /** Substring of the path. */
  path?: string;
  ms: number;
  /** How many matching requests are slow (default 1). */
  count?: number;
}

export interface PcRecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: unknown;
  status: number;
}

export interface PartnerCenterFake {
  baseUrl: string;
  loginBaseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  partnerTenantId: string;
  requests: PcRecordedRequest[];
  tokenRequests: TokenRequest[];
  /** The refresh tokens presented to the token endpoint, in order. */
  refreshTokensPresented: string[];
  /** The refresh tokens handed out by exchanges, in order (the newest is the one to use next). */
  refreshTokensIssued: string[];
  /** From now on the token is refused with AADSTS70000 (expired, or revoked). */
  revokeRefreshToken(token: string): void;
  customer(id: string): FakeTenant;
  fail(failure: FakeFailure & { message?: string }): void;
  stall(stall: FakeStall): void;
  /** The next successful licenseupdates answer carries these licenseWarnings. */
  warnOnNextUpdate(warnings: FakeLicenseWarning[]): void;
  close(): Promise<void>;
}

/** A Group2 (Minecraft) SKU: never listed with Group1 and never mixed with it in one update. */
export const MINECRAFT_SKU = '4f6bd3c6-a3a4-4b3e-9e7a-2b2f3c1d0001';

interface Answer {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

const pcError = (status: number, code: number, description: string, data: string[] = []): Answer => ({
  status,
  body: { code, description, data, source: 'PartnerFD' },
});

export async function startPartnerCenterFake(options: PartnerCenterFakeOptions): Promise<PartnerCenterFake> {
  const clientId = options.clientId ?? '99999999-2222-3333-4444-555555555555';
  const clientSecret = options.clientSecret ?? 'pc-fake-secret';
  const refreshToken = options.refreshToken ?? 'pc-fake-refresh-token';
  const partnerTenantId = options.partnerTenantId ?? 'ffffffff-0000-4000-8000-0000000000aa';
  const customers = new Map(options.customers.map((c) => [c.tenantId, c]));
  const tokens = new Set<string>();
  const requests: PcRecordedRequest[] = [];
  const tokenRequests: TokenRequest[] = [];
  const failures: Array<FakeFailure & { message?: string; left: number }> = [];
  const stalls: Array<FakeStall & { left: number }> = [];
  const validRefreshTokens = new Set([refreshToken]);
  const refreshTokensPresented: string[] = [];
  const refreshTokensIssued: string[] = [];
  let nextWarnings: FakeLicenseWarning[] = [];
  /** licenseupdates answers by MS-RequestId: a retried write gets the first answer, applied once. */
  const writeAnswers = new Map<string, Answer>();
  const continuations = new Map<string, { items: unknown[]; offset: number; size: number; path: string }>();

  function page(path: string, all: unknown[], size: number, offset: number): Answer {
    const items = all.slice(offset, offset + size);
    const body: Record<string, unknown> = {
      totalCount: items.length,
      items,
      links: {},
      attributes: { objectType: 'Collection' },
    };
    if (offset + size < all.length) {
      const token = randomUUID();
      continuations.set(token, { items: all, offset: offset + size, size, path });
      body.links = {
        self: { uri: `${path}?size=${size}`, method: 'GET', headers: [] },
        next: {
          uri: `${path}?size=${size}&seekOperation=Next`,
          method: 'GET',
          headers: [{ key: 'MS-ContinuationToken', value: token }],
        },
      };
      body.continuationToken = token;
    }
    return { status: 200, body };
  }

  function customerJson(c: FakeTenant) {
    return {
      id: c.tenantId,
      commerceId: randomUUID(),
      companyProfile: {
        tenantId: c.tenantId,
        domain: c.domain ?? `${c.tenantId.slice(0, 8)}.onmicrosoft.com`,
        companyName: c.name ?? c.tenantId,
        attributes: { objectType: 'CustomerCompanyProfile' },
      },
      relationshipToPartner: 'reseller',
      attributes: { objectType: 'Customer' },
    };
  }

  function userJson(u: FakeTenant['users'][number]) {
    const [firstName = '', ...rest] = u.displayName.split(' ');
    return {
      usageLocation: u.usageLocation ?? undefined,
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      firstName,
      lastName: rest.join(' '),
      displayName: u.displayName,
      userDomainType: 'none',
      state: 'active',
      links: { self: { uri: `/customers/…/users/${u.id}`, method: 'GET', headers: [] } },
      attributes: { objectType: 'CustomerUser' },
    };
  }

  function listWithPaging(
    url: URL,
    headers: Record<string, string | undefined>,
    all: () => unknown[],
  ): Answer {
    const path = url.pathname;
    if (url.searchParams.get('seekOperation') === 'Next') {
      const token = headers['ms-continuationtoken'];
      const saved = token ? continuations.get(token) : undefined;
      if (!saved || saved.path !== path) return pcError(400, 800002, 'Invalid continuation token.');
      return page(path, saved.items, saved.size, saved.offset);
    }
    const size = Number(url.searchParams.get('size') ?? '100');
    return page(path, all(), Number.isInteger(size) && size > 0 ? size : 100, 0);
  }

  function route(
    method: string,
    url: URL,
    headers: Record<string, string | undefined>,
    body: unknown,
  ): Answer {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1' || parts[1] !== 'customers') return pcError(404, 1000, 'Resource not found.');
    if (parts.length === 2 && method === 'GET') {
      const filterText = url.searchParams.get('filter');
      let filter: { Field: string; Value: string; Operator: string } | null = null;
      if (filterText) {
        try {
          filter = JSON.parse(filterText);
        } catch {
          return pcError(400, 800002, 'The filter is not valid.');
        }
        if (filter?.Operator !== 'starts_with' || !['CompanyName', 'Domain'].includes(filter.Field)) {
          return pcError(400, 800002, 'The filter is not valid.');
        }
      }
      return listWithPaging(url, headers, () => {
        const value = filter?.Value.toLowerCase() ?? '';
        return [...customers.values()]
          .filter((c) => {
            if (!filter) return true;
            const field =
              filter.Field === 'Domain' ? (customerJson(c).companyProfile.domain ?? '') : (c.name ?? '');
            return field.toLowerCase().startsWith(value);
          })
          .map(customerJson);
      });
    }
    const customer = customers.get(parts[2] ?? '');
    if (!customer) return pcError(404, 60003, 'Tenant not found');
    if (parts.length === 3 && method === 'GET') return { status: 200, body: customerJson(customer) };
    if (parts[3] === 'subscribedskus' && parts.length === 4 && method === 'GET') {
      const groups = url.searchParams.getAll('licenseGroupIds').map((g) => g.toLowerCase());
      const items = (groups.length === 0 || groups.includes('group1') ? customer.skus : []).map((sku) => {
        const total = sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0);
        const consumed = consumedUnits(customer, sku);
        return {
          availableUnits: total - consumed,
          activeUnits: sku.prepaidUnits.enabled,
          consumedUnits: consumed,
          suspendedUnits: sku.prepaidUnits.suspended ?? 0,
          totalUnits: total,
          warningUnits: sku.prepaidUnits.warning ?? 0,
          productSku: {
            id: sku.skuId,
            name: sku.name ?? sku.skuPartNumber,
            skuPartNumber: sku.skuPartNumber,
            targetType: sku.appliesTo === 'Company' ? 'Tenant' : 'User',
            licenseGroupId: 'group1',
          },
          servicePlans: sku.servicePlans.map((p) => ({
            displayName: p.servicePlanName.replace(/_/g, ' '),
            serviceName: p.servicePlanName,
            id: p.servicePlanId,
            capabilityStatus: 'Enabled',
            targetType: p.appliesTo === 'Company' ? 'Tenant' : 'User',
          })),
          capabilityStatus: sku.capabilityStatus ?? 'Enabled',
          attributes: { objectType: 'SubscribedSku' },
        };
      });
      // The docs' own sample writes "totalCount": 04 — not JSON; clients must cope.
      const text = JSON.stringify({
        totalCount: 0,
        items,
        links: {},
        attributes: { objectType: 'Collection' },
      }).replace('"totalCount":0,', `"totalCount": 0${items.length},`);
      return { status: 200, raw: text };
    }
    if (parts[3] !== 'users') return pcError(404, 1000, 'Resource not found.');
    if (parts.length === 4 && method === 'GET') {
      return listWithPaging(url, headers, () => customer.users.map(userJson));
    }
    const user = customer.users.find((u) => u.id === parts[4]);
    if (!user) return pcError(404, 60002, 'User object Id is not found');
    if (parts.length === 5 && method === 'GET') return { status: 200, body: userJson(user) };
    if (parts[5] === 'licenses' && method === 'GET') {
      const held = [...new Set(user.licenses.map((l) => l.skuId))];
      const items = held.map((skuId) => {
        const sku = customer.skus.find((s) => s.skuId === skuId);
        const disabled = new Set(
          user.licenses.filter((l) => l.skuId === skuId).flatMap((l) => l.disabledPlans),
        );
        return {
          servicePlans: (sku?.servicePlans ?? [])
            .filter((p) => !disabled.has(p.servicePlanId))
            .map((p) => ({
              displayName: p.servicePlanName.replace(/_/g, ' '),
              serviceName: p.servicePlanName,
              id: p.servicePlanId,
              capabilityStatus: 'Assigned',
              targetType: 'User',
            })),
          productSku: {
            id: skuId,
            name: sku?.name ?? sku?.skuPartNumber ?? skuId,
            skuPartNumber: sku?.skuPartNumber ?? '',
            licenseGroupId: 'group1',
          },
          attributes: { objectType: 'License' },
        };
      });
      return {
        status: 200,
        body: { totalCount: items.length, items, attributes: { objectType: 'Collection' } },
      };
    }
    if (parts[5] === 'licenseupdates' && method === 'POST') return licenseUpdate(customer, user, body);
    return pcError(404, 1000, 'Resource not found.');
  }

  function licenseUpdate(customer: FakeTenant, user: FakeTenant['users'][number], body: unknown): Answer {
    // The docs' samples are PascalCase, answers camelCase: accept both.
    const b = (body ?? {}) as Record<string, unknown>;
    const assign = (b.licensesToAssign ?? b.LicensesToAssign ?? []) as Array<Record<string, unknown>> | null;
    const remove = (b.licensesToRemove ?? b.LicensesToRemove ?? []) as string[] | null;
    const add = (assign ?? []).map((a) => ({
      skuId: String(a.skuId ?? a.SkuId ?? '').toLowerCase(),
      disabledPlans: (((a.excludedPlans ?? a.ExcludedPlans ?? []) as string[] | null) ?? []).map((p) =>
        p.toLowerCase(),
      ),
    }));
    const removeIds = (remove ?? []).map((s) => s.toLowerCase());
    const skus = [...add.map((a) => a.skuId), ...removeIds];
    if (skus.includes(MINECRAFT_SKU) && skus.some((s) => s !== MINECRAFT_SKU)) {
      return pcError(400, 800002, 'All licenses in a license update must belong to the same license group.');
    }
    const failure = applyLicenseChange(customer, user, add, removeIds);
    if (failure?.kind === 'seats') {
      return pcError(
        400,
        60012,
        "We&#39;re sorry, it looks like you've run out of licenses. Buy more licenses, and then try again.",
        [
          `LicenseQuotaExceededException : Subscription with Account ${customer.tenantId} and SKU ${failure.skuId} does not have any available licenses left.`,
        ],
      );
    }
    // Not documented: the code Partner Center puts on directory refusals; the text is passed through.
    if (failure) return pcError(400, 800002, failure.message, [failure.message]);
    const licenseWarnings = nextWarnings;
    nextWarnings = [];
    return {
      status: 201,
      body: {
        licensesToAssign: add.map((a) => ({ skuId: a.skuId })),
        licenseWarnings,
        attributes: { objectType: 'LicenseUpdate' },
      },
    };
  }

  /** The refresh-token grant, rotating the refresh token as Entra does. */
  async function refreshGrant(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const { form, grantType, scope, fail } = await tokenRequestOf(req, res, tenant, tokenRequests);
    if (tenant !== partnerTenantId) {
      return fail(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    if (form.get('client_id') !== clientId) {
      return fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
      );
    }
    if (form.get('client_secret') !== clientSecret) {
      return fail(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    if (grantType !== 'refresh_token') {
      return fail(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
    }
    const presented = form.get('refresh_token') ?? '';
    refreshTokensPresented.push(presented);
    if (!validRefreshTokens.has(presented)) {
      return fail(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
    }
    const accessToken = `fake-${tenant}-${randomUUID()}`;
    tokens.add(accessToken);
    const rotated = `pc-fake-refresh-token-${refreshTokensIssued.length + 1}-${randomUUID()}`;
    validRefreshTokens.add(rotated);
    refreshTokensIssued.push(rotated);
    tokenRequests.push({ tenant, grantType, scope, ok: true });
    send(res, 200, {
      token_type: 'Bearer',
      scope: scope.split(' ')[0],
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: accessToken,
      refresh_token: rotated,
    });
  }

  /** Routes a request; a licenseupdates POST with a known MS-RequestId is answered as the first time. */
  function write(
    method: string,
    url: URL,
    headers: Record<string, string | undefined>,
    body: unknown,
  ): Answer {
    const requestId = headers['ms-requestid'];
    const isWrite = method === 'POST' && url.pathname.endsWith('/licenseupdates');
    if (!isWrite || requestId === undefined) return route(method, url, headers, body);
    const first = writeAnswers.get(requestId);
    if (first) return first;
    const answer = route(method, url, headers, body);
    writeAnswers.set(requestId, answer);
    return answer;
  }

  function respond(
    res: ServerResponse,
    answer: Answer,
    requestId: string | undefined,
    correlationId: string | undefined,
  ) {
    const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'MS-RequestId': requestId ?? randomUUID(),
      'MS-CorrelationId': correlationId ?? randomUUID(),
      'MS-CV': randomUUID(),
      'MS-ServerId': 'fake',
      ...answer.headers,
    });
    res.end(text === '' ? '' : `${options.bom ? '\uFEFF' : ''}${text}`);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (tokenPath && req.method === 'POST') return refreshGrant(req, res, tokenPath[1] ?? '');
      const handled = await handleLogin(
        req,
        res,
        url,
        {
          apps: [{ clientId, clientSecret }],
          tenants: () => [partnerTenantId],
          refreshTokens: validRefreshTokens,
          issued: (token) => tokens.add(token),
        },
        tokenRequests,
      );
      if (handled) return;
      const headers = flatHeaders(req);
      const text = await readText(req);
      const method = req.method ?? 'GET';
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      let answer: Answer;
      const token = (headers.authorization ?? '').replace(/^Bearer /, '');
      // Tokens from another fake's login (one Entra for every app) carry the partner tenant.
      const partnerToken = token.startsWith(`fake-${partnerTenantId}-`);
      if (!tokens.has(token) && !partnerToken) {
        answer = {
          status: 401,
          body: { code: 401, description: 'Unauthorized', data: [], source: 'PartnerFD' },
        };
      } else {
        if (options.latencyMs) await sleep(options.latencyMs);
        const rule = takeMatching(failures, method, url.pathname);
        if (rule) {
          const seconds = rule.retryAfter ?? '57';
          answer =
            rule.status === 429
              ? {
                  status: 429,
                  headers: rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter },
                  body: {
                    statusCode: 429,
                    message: rule.message ?? `Rate limit is exceeded. Try again in ${seconds} seconds.`,
                  },
                }
              : pcError(rule.status, rule.status, rule.message ?? 'Service unavailable.');
        } else {
          answer = write(method, url, headers, body);
        }
      }
      const stall = takeMatching(stalls, method, url.pathname);
      if (stall) await sleep(stall.ms);
      requests.push({
        method,
        path: url.pathname,
        url: url.toString(),
        headers,
        body,
        status: answer.status,
      });
      respond(res, answer, headers['ms-requestid'], headers['ms-correlationid']);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: origin,
    loginBaseUrl: origin,
    clientId,
    clientSecret,
    refreshToken,
    partnerTenantId,
    requests,
    tokenRequests,
    refreshTokensPresented,
    refreshTokensIssued,
    revokeRefreshToken: (token) => {
      validRefreshTokens.delete(token);
    },
    customer: (id) => {
      const customer = customers.get(id);
      if (!customer) throw new Error(`no fake customer ${id}`);
      return customer;
    },
    fail: (failure) => failures.push({ ...failure, left: failure.count ?? 1 }),
    stall: (stall) => stalls.push({ ...stall, left: stall.count ?? 1 }),
    warnOnNextUpdate: (warnings) => {
      nextWarnings = warnings;
    },
    close: () => closeServer(server),
  };
}
