/**
 * A local Microsoft Graph v1.0 + Entra token endpoint, built from the wire formats of
 * reference/microsoft-licensing-api.md §1: token and discovery documents for MSAL, /users with
 * $select/$search/$filter/$count/$orderby/$top and absolute @odata.nextLink paging,
 * /subscribedSkus, assignLicense (all-or-nothing, the §1.6 messages verbatim), $batch,
 * throttling (injected, or a per-tenant write quota) with and without Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  appliesTo?: 'User' | 'Company';
}

export interface FakeSku {
  skuId: string;
  skuPartNumber: string;
  appliesTo?: 'User' | 'Company';
  capabilityStatus?: 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';
  prepaidUnits: { enabled: number; warning?: number; suspended?: number; lockedOut?: number };
  servicePlans: FakeServicePlan[];
  /** Seats consumed by nobody the fake knows (e.g. after a quantity decrease). */
  extraConsumed?: number;
  /** Friendly name (Partner Center returns one; Graph does not). */
  name?: string;
}

export interface FakeUserLicense {
  skuId: string;
  disabledPlans: string[];
  /** null = assigned directly; else the group the licence is inherited from. */
  assignedByGroup: string | null;
}

export interface FakeUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  usageLocation: string | null;
  licenses: FakeUserLicense[];
}

export interface FakeTenant {
  tenantId: string;
  name?: string;
  domain?: string;
  skus: FakeSku[];
  users: FakeUser[];
}

export interface FakeFailure {
  status: 429 | 500 | 503 | 504 | 403 | 401;
  /** Retry-After header value (seconds, may be fractional); omitted = no header. */
  retryAfter?: string;
  /** How many matching requests fail (default 1). */
  count?: number;
  method?: string;
  /** Substring of the path (after the API prefix). */
  path?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  tenantId: string | undefined;
  body: unknown;
  status: number;
  /** true when it came inside a $batch. */
  batched: boolean;
  /** When the answer was ready (ms, performance.now()). */
  at: number;
}

// ---------------------------------------------------------------------------------------------
// Licensing rules shared with the Partner Center fake (reference §3 and §5, kept small).
// ---------------------------------------------------------------------------------------------

export const PLAN = {
  EXCHANGE_S_STANDARD: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38',
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40',
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7',
  BI_AZURE_P2: '70d33638-9c74-4d01-bfd3-562de28bd4ba',
  SHAREPOINT_PROJECT: 'fe71d6c3-a2ea-4499-9778-da042bf08063',
  MCOPSTN1: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8',
  FLOW_P2_VIRAL: '50e68c76-46c6-4674-81f9-75456511b170',
  TEAMS_FREE: '4fa4026d-ce74-4962-a151-8e96d57ea8e4',
  ADALLOM_S_O365: '8c098270-9dd4-4350-9b30-ba4703f3b36b',
} as const;

export const SKU = {
  E1: '18181a46-0d4e-45cd-891e-60aabd171b4e',
  E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  E5: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  PROJECT_P3: '53818b1b-4a27-454b-8896-0dba576410e6',
  AUDIO_CONF: '0c266dff-15dd-4b49-8397-2bb16070ed52',
  TEAMS_PHONE: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
  CALLING_PLAN: '0dab259f-bf13-4952-b7f8-7db8f131b28d',
  FLOW_FREE: 'f30db892-07e9-47e9-837c-80727f46fd3d',
  CRM_STANDARD: 'd17b27af-3f49-4822-99f9-56a661538792',
  COMPANY_ONLY: 'b05e124f-c7cc-45a0-a6aa-8cf78c946968',
} as const;

const plan = (servicePlanName: keyof typeof PLAN): FakeServicePlan => ({
  servicePlanId: PLAN[servicePlanName],
  servicePlanName,
  appliesTo: 'User',
});

/** A catalogue covering each rule: seats, suspension, warning, conflicts, dependencies, country. */
export function demoSkus(): FakeSku[] {
  return [
    {
      skuId: SKU.E1,
      skuPartNumber: 'STANDARDPACK',
      name: 'Office 365 E1',
      prepaidUnits: { enabled: 50 },
      servicePlans: [
        plan('EXCHANGE_S_STANDARD'),
        plan('SHAREPOINTSTANDARD'),
        plan('TEAMS1'),
        plan('MCOSTANDARD'),
      ],
    },
    {
      skuId: SKU.E3,
      skuPartNumber: 'ENTERPRISEPACK',
      name: 'Office 365 E3',
      prepaidUnits: { enabled: 2000 },
      servicePlans: [
        plan('EXCHANGE_S_ENTERPRISE'),
        plan('SHAREPOINTENTERPRISE'),
        plan('OFFICESUBSCRIPTION'),
        plan('TEAMS1'),
        plan('MCOSTANDARD'),
      ],
    },
    {
      skuId: SKU.E5,
      skuPartNumber: 'ENTERPRISEPREMIUM',
      name: 'Office 365 E5',
      capabilityStatus: 'Warning',
      prepaidUnits: { enabled: 3, warning: 2 },
      servicePlans: [
        plan('EXCHANGE_S_ENTERPRISE'),
        plan('SHAREPOINTENTERPRISE'),
        plan('TEAMS1'),
        plan('MCOMEETADV'),
        plan('MCOEV'),
        { servicePlanId: PLAN.ADALLOM_S_O365, servicePlanName: 'ADALLOM_S_O365', appliesTo: 'Company' },
      ],
    },
    {
      skuId: SKU.POWER_BI_PRO,
      skuPartNumber: 'POWER_BI_PRO',
      name: 'Power BI Pro',
      prepaidUnits: { enabled: 0 },
      servicePlans: [plan('BI_AZURE_P2')],
    },
    {
      skuId: SKU.PROJECT_P3,
      skuPartNumber: 'PROJECTPROFESSIONAL',
      name: 'Project Plan 3',
      prepaidUnits: { enabled: 10 },
      servicePlans: [plan('SHAREPOINT_PROJECT'), plan('SHAREPOINTENTERPRISE')],
    },
    {
      skuId: SKU.AUDIO_CONF,
      skuPartNumber: 'MCOMEETADV',
      name: 'Microsoft 365 Audio Conferencing',
      prepaidUnits: { enabled: 20 },
      servicePlans: [plan('MCOMEETADV')],
    },
    {
      skuId: SKU.TEAMS_PHONE,
      skuPartNumber: 'MCOEV',
      name: 'Microsoft Teams Phone Standard',
      prepaidUnits: { enabled: 20 },
      servicePlans: [plan('MCOEV')],
    },
    {
      skuId: SKU.CALLING_PLAN,
      skuPartNumber: 'MCOPSTN1',
      name: 'Microsoft Teams Domestic Calling Plan',
      prepaidUnits: { enabled: 20 },
      servicePlans: [plan('MCOPSTN1')],
    },
    {
      skuId: SKU.FLOW_FREE,
      skuPartNumber: 'FLOW_FREE',
      name: 'Power Automate Free',
      prepaidUnits: { enabled: 10000 },
      servicePlans: [plan('FLOW_P2_VIRAL')],
    },
    {
      skuId: SKU.CRM_STANDARD,
      skuPartNumber: 'CRMSTANDARD',
      name: 'Microsoft Dynamics CRM Online Professional',
      capabilityStatus: 'Suspended',
      prepaidUnits: { enabled: 0, suspended: 25 },
      servicePlans: [],
    },
    {
      skuId: SKU.COMPANY_ONLY,
      skuPartNumber: 'PROJECT_MADEIRA_PREVIEW_IW_SKU',
      appliesTo: 'Company',
      prepaidUnits: { enabled: 10000 },
      servicePlans: [],
    },
  ];
}

/** Pairs of plans that cannot be enabled together; the exempt SKUs bundle both by design. */
const EXCLUSIVE: Array<{ plans: [string, string]; exemptSkus: string[] }> = [
  { plans: [PLAN.SHAREPOINTSTANDARD, PLAN.SHAREPOINTENTERPRISE], exemptSkus: [SKU.PROJECT_P3] },
  { plans: [PLAN.TEAMS_FREE, PLAN.TEAMS1], exemptSkus: [] },
];

/** A plan that needs any one of the listed plans enabled. */
const DEPENDS: Record<string, string[]> = {
  [PLAN.MCOMEETADV]: [PLAN.MCOSTANDARD, PLAN.TEAMS1],
  [PLAN.MCOEV]: [PLAN.MCOSTANDARD, PLAN.TEAMS1],
  [PLAN.MCOPSTN1]: [PLAN.MCOEV],
  [PLAN.SHAREPOINT_PROJECT]: [PLAN.SHAREPOINTENTERPRISE],
};

/** SKUs sold only in some countries (calling plans; the reference's approximation). */
const COUNTRIES: Record<string, string[]> = {
  [SKU.CALLING_PLAN]: ['US', 'CA', 'GB', 'AU', 'DE', 'FR', 'NL', 'IE', 'ES', 'IT', 'JP', 'NZ', 'SE', 'CH'],
};

export const MESSAGES = {
  usageLocation: 'License assignment cannot be done for user with invalid usage location.',
  noSeats: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  exclusive: (a: string, b: string) =>
    `License assignment failed because service plans ${a}, ${b} are mutually exclusive.`,
  depends: (planId: string, deps: string[]) =>
    `License assignment failed because service plan ${planId} depends on the service plan(s) ${deps.join(', ')}.`,
  notCompany: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  notHeld: 'User does not have a corresponding license.',
  inherited:
    'User license is inherited from a group membership and it cannot be removed directly from the user.',
  companySku: (skuId: string) => `License ${skuId} cannot be assigned to a user.`,
  notFound: (id: string) =>
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  forbidden: 'Insufficient privileges to complete the operation.',
  throttled: 'Please retry again later.',
  searchHeader:
    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
} as const;

export type RuleFailure =
  | { kind: 'seats'; skuId: string; message: string }
  | { kind: 'other'; message: string };

export function consumedUnits(tenant: FakeTenant, sku: FakeSku): number {
  const holders = tenant.users.filter((u) => u.licenses.some((l) => l.skuId === sku.skuId)).length;
  return holders + (sku.extraConsumed ?? 0);
}

function enabledPlans(
  tenant: FakeTenant,
  licenses: FakeUserLicense[],
): Array<{ skuId: string; planId: string }> {
  const out: Array<{ skuId: string; planId: string }> = [];
  for (const license of licenses) {
    const sku = tenant.skus.find((s) => s.skuId === license.skuId);
    for (const p of sku?.servicePlans ?? []) {
      if (!license.disabledPlans.includes(p.servicePlanId))
        out.push({ skuId: license.skuId, planId: p.servicePlanId });
    }
  }
  return out;
}

function violations(tenant: FakeTenant, licenses: FakeUserLicense[]): Map<string, string> {
  const found = new Map<string, string>();
  const enabled = enabledPlans(tenant, licenses);
  for (const rule of EXCLUSIVE) {
    const [a, b] = rule.plans;
    const withA = enabled.filter((e) => e.planId === a && !rule.exemptSkus.includes(e.skuId));
    const withB = enabled.filter((e) => e.planId === b && !rule.exemptSkus.includes(e.skuId));
    if (withA.some((x) => withB.some((y) => y.skuId !== x.skuId))) {
      found.set(`x:${a}:${b}`, MESSAGES.exclusive(b, a));
    }
  }
  const planIds = new Set(enabled.map((e) => e.planId));
  for (const [planId, deps] of Object.entries(DEPENDS)) {
    if (planIds.has(planId) && !deps.some((d) => planIds.has(d)))
      found.set(`d:${planId}`, MESSAGES.depends(planId, deps));
  }
  return found;
}

/**
 * Validates a whole assignLicense call and applies it only when every part passes: one bad
 * SKU fails the user's whole call (reference §1.5).
 */
export function applyLicenseChange(
  tenant: FakeTenant,
  user: FakeUser,
  add: Array<{ skuId: string; disabledPlans: string[] }>,
  remove: string[],
): RuleFailure | null {
  for (const skuId of remove) {
    const held = user.licenses.filter((l) => l.skuId === skuId);
    if (held.length === 0) return { kind: 'other', message: MESSAGES.notHeld };
    if (!held.some((l) => l.assignedByGroup === null)) return { kind: 'other', message: MESSAGES.inherited };
  }
  for (const a of add) {
    const sku = tenant.skus.find((s) => s.skuId === a.skuId && s.capabilityStatus !== 'Deleted');
    if (!sku) return { kind: 'other', message: MESSAGES.notCompany(a.skuId) };
    if (sku.appliesTo === 'Company') return { kind: 'other', message: MESSAGES.companySku(a.skuId) };
    const countries = COUNTRIES[a.skuId];
    if (!user.usageLocation || (countries && !countries.includes(user.usageLocation))) {
      return { kind: 'other', message: MESSAGES.usageLocation };
    }
    const holds = user.licenses.some((l) => l.skuId === a.skuId);
    const status = sku.capabilityStatus ?? 'Enabled';
    const total = sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0);
    const unusable = status === 'Suspended' || status === 'LockedOut';
    if (!holds && (unusable || consumedUnits(tenant, sku) >= total)) {
      return { kind: 'seats', skuId: a.skuId, message: MESSAGES.noSeats(a.skuId) };
    }
  }
  const after = user.licenses
    .filter((l) => !(l.assignedByGroup === null && remove.includes(l.skuId)))
    .filter((l) => !(l.assignedByGroup === null && add.some((a) => a.skuId === l.skuId)));
  for (const a of add)
    after.push({ skuId: a.skuId, disabledPlans: [...a.disabledPlans], assignedByGroup: null });
  const before = violations(tenant, user.licenses);
  for (const [key, message] of violations(tenant, after)) {
    if (!before.has(key)) return { kind: 'other', message };
  }
  user.licenses = after;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Entra token endpoint (shared with the Partner Center fake)
// ---------------------------------------------------------------------------------------------

export interface LoginOptions {
  /** Registered apps (client id and secret). */
  apps: Array<{ clientId: string; clientSecret: string }>;
  /** Tenants that exist; others get AADSTS90002. */
  tenants: () => Iterable<string>;
  /** Refresh tokens accepted for grant_type=refresh_token. */
  refreshTokens?: Set<string>;
  /** Called for every issued access token. */
  issued: (token: string, tenant: string, grantType: string, scope: string) => void;
}

export interface TokenRequest {
  tenant: string;
  grantType: string;
  scope: string;
  ok: boolean;
}

/** Handles /{tenant}/oauth2/v2.0/token and the discovery documents; false when not a login path. */
export async function handleLogin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: LoginOptions,
  log: TokenRequest[],
): Promise<boolean> {
  const host = req.headers.host ?? 'localhost';
  const authority = `https://${host}`;
  if (url.pathname === '/common/discovery/instance') {
    send(res, 200, {
      tenant_discovery_endpoint: `${authority}/common/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
    return true;
  }
  const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
  if (discovery) {
    const tenant = discovery[1];
    send(res, 200, {
      token_endpoint: `${authority}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${authority}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${authority}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${authority}/oidc/userinfo`,
      authorization_endpoint: `${authority}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${authority}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${authority}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    });
    return true;
  }
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
  if (!token || req.method !== 'POST') return false;
  const tenant = token[1] ?? '';
  const form = new URLSearchParams(await readText(req));
  const grantType = form.get('grant_type') ?? '';
  const scope = form.get('scope') ?? '';
  const fail = (status: number, error: string, code: number, text: string) => {
    log.push({ tenant, grantType, scope, ok: false });
    send(res, status, {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    });
  };
  if (![...options.tenants()].includes(tenant)) {
    fail(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
    return true;
  }
  const app = options.apps.find((a) => a.clientId === form.get('client_id'));
  if (!app) {
    fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
    );
    return true;
  }
  if (form.get('client_secret') !== app.clientSecret) {
    fail(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
    return true;
  }
  if (grantType === 'refresh_token') {
    if (!options.refreshTokens?.has(form.get('refresh_token') ?? '')) {
      fail(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      return true;
    }
  } else if (grantType !== 'client_credentials') {
    fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    return true;
  }
  const accessToken = `fake-${tenant}-${randomUUID()}`;
  options.issued(accessToken, tenant, grantType, scope);
  log.push({ tenant, grantType, scope, ok: true });
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: scope.includes('.default') ? scope : scope.split(' ')[0],
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: accessToken,
  };
  if (grantType === 'refresh_token') body.refresh_token = form.get('refresh_token');
  send(res, 200, body);
  return true;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  res.end(text);
}

export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request's headers with repeated ones joined by commas. */
export function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
  );
}

/** The first injected failure left that matches the call (used up by one), or undefined. */
export function takeFailure<F extends FakeFailure & { left: number }>(
  failures: F[],
  method: string,
  path: string,
): F | undefined {
  const rule = failures.find(
    (f) =>
      f.left > 0 &&
      (f.method === undefined || f.method === method) &&
      (f.path === undefined || path.includes(f.path)),
  );
  if (rule) rule.left--;
  return rule;
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

// ---------------------------------------------------------------------------------------------
// Graph
// ---------------------------------------------------------------------------------------------

export interface GraphFakeOptions {
  clientId?: string;
  clientSecret?: string;
  tenants: FakeTenant[];
  /** Added to every Graph call (not to token calls). */
  latencyMs?: number;
  /** The app+tenant write quota (Graph: 3,000 per 150 s); exceeding it answers 429 + Retry-After. */
  writeLimit?: { writes: number; windowMs: number };
  /**
   * More of what the shared login endpoint knows (one Entra serves every app): e.g. the Partner
   * Center app, partner tenant and refresh token when Graph lists customers from Partner Center.
   */
  login?: {
    apps?: Array<{ clientId: string; clientSecret: string }>;
    tenants?: string[];
    refreshTokens?: string[];
  };
}

export interface GraphFake {
  /** e.g. http://127.0.0.1:PORT/v1.0 */
  baseUrl: string;
  /** e.g. http://127.0.0.1:PORT */
  loginBaseUrl: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  tokenRequests: TokenRequest[];
  tenant(tenantId: string): FakeTenant;
  user(tenantId: string, userId: string): FakeUser;
  /** The next matching Graph requests fail with this status. */
  fail(failure: FakeFailure): void;
  /** Writes accepted per tenant so far. */
  writes(tenantId: string): number;
  close(): Promise<void>;
}

interface GraphRequest {
  method: string;
  /** Path after /v1.0 */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  tenantId: string;
}

interface GraphAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DEFAULT_FIELDS = ['id', 'displayName', 'userPrincipalName', 'mail'];

export async function startGraphFake(options: GraphFakeOptions): Promise<GraphFake> {
  const clientId = options.clientId ?? '11111111-2222-3333-4444-555555555555';
  const clientSecret = options.clientSecret ?? 'graph-fake-secret';
  const tenants = new Map(options.tenants.map((t) => [t.tenantId, t]));
  const tokens = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const tokenRequests: TokenRequest[] = [];
  const failures: Array<FakeFailure & { left: number }> = [];
  const writeLog = new Map<string, number[]>();
  const writeCounts = new Map<string, number>();
  const skipTokens = new Map<string, { params: URLSearchParams; offset: number }>();
  let origin = '';

  const error = (
    status: number,
    code: string,
    message: string,
    headers?: Record<string, string>,
  ): GraphAnswer => ({
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString(),
          'request-id': randomUUID(),
          'client-request-id': randomUUID(),
        },
      },
    },
  });

  const throttled = (retryAfter: string | undefined, extra: Record<string, string> = {}): GraphAnswer => ({
    status: 429,
    headers: { ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }), ...extra },
    body: {
      error: {
        code: 'TooManyRequests',
        innerError: {
          code: '429',
          date: new Date().toISOString(),
          message: 'Please retry after',
          'request-id': randomUUID(),
          status: '429',
        },
        message: MESSAGES.throttled,
      },
    },
  });

  function injected(req: GraphRequest): GraphAnswer | null {
    const rule = takeFailure(failures, req.method, req.path);
    if (!rule) return null;
    if (rule.status === 429) return throttled(rule.retryAfter);
    const headers: Record<string, string> =
      rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter };
    const codes: Record<number, [string, string]> = {
      401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
      403: ['Authorization_RequestDenied', MESSAGES.forbidden],
      500: ['InternalServerError', 'Internal server error.'],
      503: ['ServiceUnavailable', 'Service Unavailable'],
      504: ['GatewayTimeout', 'Gateway Timeout'],
    };
    const [code, message] = codes[rule.status] ?? ['UnknownError', 'Unknown error'];
    return error(rule.status, code, message, headers);
  }

  function writeQuota(tenantId: string): GraphAnswer | null {
    const limit = options.writeLimit;
    if (!limit) return null;
    const now = Date.now();
    const log = (writeLog.get(tenantId) ?? []).filter((t) => t > now - limit.windowMs);
    writeLog.set(tenantId, log);
    if (log.length >= limit.writes) {
      const waitMs = (log[0] ?? now) + limit.windowMs - now;
      return throttled((Math.max(waitMs, 1) / 1000).toFixed(3), {
        'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${clientId}/${tenantId}`,
        'x-ms-throttle-information': 'WriteLimitExceeded',
      });
    }
    log.push(now);
    return null;
  }

  function userJson(user: FakeUser, select: string[] | null): Record<string, unknown> {
    const direct = new Map<string, FakeUserLicense>();
    for (const l of user.licenses)
      if (!direct.has(l.skuId) || l.assignedByGroup === null) direct.set(l.skuId, l);
    const full: Record<string, unknown> = {
      id: user.id,
      displayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail ?? null,
      usageLocation: user.usageLocation,
      accountEnabled: true,
      assignedLicenses: [...direct.values()].map((l) => ({ disabledPlans: l.disabledPlans, skuId: l.skuId })),
      licenseAssignmentStates: user.licenses.map((l) => ({
        skuId: l.skuId,
        disabledPlans: l.disabledPlans,
        assignedByGroup: l.assignedByGroup,
        state: 'Active',
        error: 'None',
        lastUpdatedDateTime: '2025-01-01T00:00:00Z',
      })),
    };
    const fields = select ?? DEFAULT_FIELDS;
    return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || fields.includes(k)));
  }

  function listUsers(req: GraphRequest): GraphAnswer {
    const tenant = tenants.get(req.tenantId)!;
    let params = req.query;
    let offset = 0;
    const skipToken = params.get('$skiptoken');
    if (skipToken !== null) {
      const saved = skipTokens.get(skipToken);
      if (!saved) return error(400, 'Request_BadRequest', 'Invalid $skiptoken.');
      params = saved.params;
      offset = saved.offset;
    }
    const advanced = req.headers.consistencylevel?.toLowerCase() === 'eventual';
    if (params.has('$skip'))
      return error(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
    const search = params.get('$search');
    if (search !== null && !advanced) return error(400, 'Request_UnsupportedQuery', MESSAGES.searchHeader);
    const filter = params.get('$filter');
    const orderby = params.get('$orderby');
    const count = params.get('$count') === 'true';
    if (orderby !== null && (filter !== null || search !== null) && !(advanced && count)) {
      return error(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    }
    const top = Number(params.get('$top') ?? '100');
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return error(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${params.get('$top')}'. Must be between 1 and 999 inclusive.`,
      );
    }
    let users = tenant.users;
    if (filter !== null) {
      const predicate = parseFilter(filter);
      if (!predicate) return error(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
      users = users.filter(predicate);
    }
    if (search !== null) {
      const predicate = parseSearch(search);
      if (!predicate) return error(400, 'Request_BadRequest', `Syntax error: invalid $search '${search}'.`);
      users = users.filter(predicate);
    }
    users = [...users];
    if (orderby !== null) {
      if (orderby !== 'displayName' && orderby !== 'displayName asc') {
        return error(400, 'Request_UnsupportedQuery', 'Unsupported sort property.');
      }
      users.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
    }
    const select =
      params
        .get('$select')
        ?.split(',')
        .map((s) => s.trim()) ?? null;
    const page = users.slice(offset, offset + top);
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#users` };
    if (count && offset === 0) body['@odata.count'] = users.length;
    body.value = page.map((u) => userJson(u, select));
    if (offset + top < users.length) {
      const token = randomUUID().replace(/-/g, '');
      skipTokens.set(token, { params, offset: offset + top });
      const next = new URLSearchParams(params);
      next.set('$skiptoken', token);
      body['@odata.nextLink'] = `${origin}/v1.0/users?${next.toString()}`;
    }
    return { status: 200, body };
  }

  function route(req: GraphRequest): GraphAnswer {
    const tenant = tenants.get(req.tenantId)!;
    if (req.method === 'GET' && req.path === '/users') return listUsers(req);
    if (req.method === 'GET' && req.path === '/subscribedSkus') {
      return {
        status: 200,
        body: {
          '@odata.context': `${origin}/v1.0/$metadata#subscribedSkus`,
          value: tenant.skus.map((sku) => ({
            accountName: tenant.name ?? 'Account',
            accountId: tenant.tenantId,
            appliesTo: sku.appliesTo ?? 'User',
            capabilityStatus: sku.capabilityStatus ?? 'Enabled',
            consumedUnits: consumedUnits(tenant, sku),
            id: `${tenant.tenantId}_${sku.skuId}`,
            prepaidUnits: {
              enabled: sku.prepaidUnits.enabled,
              lockedOut: sku.prepaidUnits.lockedOut ?? 0,
              suspended: sku.prepaidUnits.suspended ?? 0,
              warning: sku.prepaidUnits.warning ?? 0,
            },
            servicePlans: sku.servicePlans.map((p) => ({
              servicePlanId: p.servicePlanId,
              servicePlanName: p.servicePlanName,
              provisioningStatus: 'Success',
              appliesTo: p.appliesTo ?? 'User',
            })),
            skuId: sku.skuId,
            skuPartNumber: sku.skuPartNumber,
            subscriptionIds: [randomUUID()],
          })),
        },
      };
    }
    const one = /^\/users\/([^/]+)(\/assignLicense)?$/.exec(req.path);
    if (one) {
      const id = decodeURIComponent(one[1] ?? '');
      const user = tenant.users.find(
        (u) => u.id === id || u.userPrincipalName.toLowerCase() === id.toLowerCase(),
      );
      if (!user) return error(404, 'Request_ResourceNotFound', MESSAGES.notFound(id));
      if (req.method === 'GET' && !one[2]) {
        return { status: 200, body: userJson(user, req.query.get('$select')?.split(',') ?? null) };
      }
      if (req.method === 'POST' && one[2]) return assignLicense(req, tenant, user);
    }
    return error(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`);
  }

  function assignLicense(req: GraphRequest, tenant: FakeTenant, user: FakeUser): GraphAnswer {
    const body = req.body as { addLicenses?: unknown; removeLicenses?: unknown } | undefined;
    if (!body || !Array.isArray(body.addLicenses) || !Array.isArray(body.removeLicenses)) {
      return error(
        400,
        'Request_BadRequest',
        "One or more parameters of the function import 'assignLicense' are missing from the request payload. The missing parameters are: addLicenses, removeLicenses.",
      );
    }
    const add = (body.addLicenses as Array<{ skuId: string; disabledPlans?: string[] }>).map((a) => ({
      skuId: String(a.skuId).toLowerCase(),
      disabledPlans: (a.disabledPlans ?? []).map((p) => p.toLowerCase()),
    }));
    const remove = (body.removeLicenses as string[]).map((s) => String(s).toLowerCase());
    const failure = applyLicenseChange(tenant, user, add, remove);
    if (failure) return error(400, 'Request_BadRequest', failure.message);
    return { status: 200, body: userJson(user, ['accountEnabled', 'assignedLicenses', 'displayName']) };
  }

  async function dispatch(req: GraphRequest, batched: boolean, rawUrl: string): Promise<GraphAnswer> {
    const isWrite = req.method !== 'GET';
    const answer = injected(req) ?? (isWrite ? writeQuota(req.tenantId) : null) ?? route(req);
    if (isWrite && answer.status >= 200 && answer.status < 300) {
      writeCounts.set(req.tenantId, (writeCounts.get(req.tenantId) ?? 0) + 1);
    }
    requests.push({
      method: req.method,
      path: req.path,
      url: rawUrl,
      headers: req.headers,
      tenantId: req.tenantId,
      body: req.body,
      status: answer.status,
      batched,
      at: performance.now(),
    });
    return answer;
  }

  async function batch(req: GraphRequest): Promise<GraphAnswer> {
    const body = req.body as { requests?: Array<Record<string, unknown>> } | undefined;
    const items = body?.requests;
    if (!Array.isArray(items)) return error(400, 'BadRequest', 'Invalid batch payload format.');
    if (items.length > 20)
      return error(400, 'BadRequest', 'Number of batch request steps exceeds the maximum of 20.');
    const ids = new Set(items.map((i) => String(i.id)));
    if (ids.size !== items.length) return error(400, 'BadRequest', 'Batch request contains duplicate ids.');
    const responses = await Promise.all(
      items.map(async (item) => {
        const relative = String(item.url).startsWith('/') ? String(item.url) : `/${String(item.url)}`;
        const innerUrl = new URL(`${origin}/v1.0${relative}`);
        const headers = Object.fromEntries(
          Object.entries((item.headers as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
            k.toLowerCase(),
            v,
          ]),
        );
        if (item.body !== undefined && !headers['content-type']) {
          return {
            id: item.id,
            status: 400,
            body: error(400, 'BadRequest', 'Content-Type header is required when a body is present.').body,
          };
        }
        const answer = await dispatch(
          {
            method: String(item.method).toUpperCase(),
            path: innerUrl.pathname.replace(/^\/v1\.0/, ''),
            query: innerUrl.searchParams,
            headers,
            body: item.body,
            tenantId: req.tenantId,
          },
          true,
          innerUrl.toString(),
        );
        return {
          id: String(item.id),
          status: answer.status,
          headers: answer.headers ?? {},
          body: answer.body,
        };
      }),
    );
    // Graph may answer out of order; callers must correlate by id.
    return { status: 200, body: { responses: responses.reverse() } };
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const handled = await handleLogin(
        req,
        res,
        url,
        {
          apps: [{ clientId, clientSecret }, ...(options.login?.apps ?? [])],
          tenants: () => [...tenants.keys(), ...(options.login?.tenants ?? [])],
          refreshTokens: new Set(options.login?.refreshTokens ?? []),
          issued: (token, tenant) => tokens.set(token, tenant),
        },
        tokenRequests,
      );
      if (handled) return;
      if (!url.pathname.startsWith('/v1.0/'))
        return send(res, 404, { error: { code: 'NotFound', message: 'Not found' } });
      const text = await readText(req);
      const auth = req.headers.authorization ?? '';
      const tenantId = tokens.get(auth.replace(/^Bearer /, ''));
      const headers = flatHeaders(req);
      if (!tenantId) {
        const answer = error(
          401,
          'InvalidAuthenticationToken',
          auth ? 'Access token validation failure.' : 'Access token is empty.',
        );
        return send(res, answer.status, answer.body);
      }
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        const answer = error(400, 'BadRequest', 'Unable to read JSON request payload.');
        return send(res, answer.status, answer.body);
      }
      const graphReq: GraphRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/v1\.0/, ''),
        query: url.searchParams,
        headers,
        body,
        tenantId,
      };
      const answer =
        graphReq.method === 'POST' && graphReq.path === '/$batch'
          ? await batch(graphReq)
          : await dispatch(graphReq, false, url.toString());
      send(res, answer.status, answer.body, answer.headers);
    })().catch((err: unknown) => {
      send(res, 500, { error: { code: 'FakeCrashed', message: String(err) } });
    });
  });
  const port = await listen(server);
  origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}/v1.0`,
    loginBaseUrl: origin,
    clientId,
    clientSecret,
    requests,
    tokenRequests,
    tenant: (tenantId) => {
      const tenant = tenants.get(tenantId);
      if (!tenant) throw new Error(`no fake tenant ${tenantId}`);
      return tenant;
    },
    user: (tenantId, userId) => {
      const user = tenants.get(tenantId)?.users.find((u) => u.id === userId);
      if (!user) throw new Error(`no fake user ${userId}`);
      return user;
    },
    fail: (failure) => failures.push({ ...failure, left: failure.count ?? 1 }),
    writes: (tenantId) => writeCounts.get(tenantId) ?? 0,
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------------------------
// OData subset: $filter (startswith / eq / in, joined by "or") and $search ("prop:term" OR …)
// ---------------------------------------------------------------------------------------------

function prop(user: FakeUser, name: string): string | null {
  switch (name) {
    case 'id':
      return user.id;
    case 'displayName':
      return user.displayName;
    case 'userPrincipalName':
      return user.userPrincipalName;
    case 'mail':
      return user.mail ?? null;
    case 'usageLocation':
      return user.usageLocation;
    default:
      return null;
  }
}

function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && text[i + 1] === "'" && quoted) {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0) {
      const rest = text.slice(i);
      const match = separator.exec(rest);
      if (match && match.index === 0) {
        parts.push(text.slice(start, i));
        i += match[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
}

export function parseFilter(filter: string): ((user: FakeUser) => boolean) | null {
  const clauses = splitTopLevel(filter, /^\s+or\s+/i);
  const predicates: Array<(user: FakeUser) => boolean> = [];
  for (const clause of clauses) {
    const starts = /^startswith\((\w+),\s*'((?:[^']|'')*)'\)$/i.exec(clause);
    const eq = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(clause);
    const inList = /^(\w+)\s+in\s+\((.*)\)$/i.exec(clause);
    if (starts) {
      const [, name = '', value = ''] = starts;
      const v = value.replace(/''/g, "'").toLowerCase();
      predicates.push((u) => (prop(u, name) ?? '').toLowerCase().startsWith(v));
    } else if (eq) {
      const [, name = '', value = ''] = eq;
      const v = value.replace(/''/g, "'").toLowerCase();
      predicates.push((u) => (prop(u, name) ?? '').toLowerCase() === v);
    } else if (inList) {
      const [, name = '', list = ''] = inList;
      const values = literals(list).map((v) => v.toLowerCase());
      if (values.length > 15) return null;
      predicates.push((u) => values.includes((prop(u, name) ?? '').toLowerCase()));
    } else {
      return null;
    }
  }
  return (user) => predicates.some((p) => p(user));
}

/** Tokenized prefix matching, as Graph does for $search on directory objects. */
export function parseSearch(search: string): ((user: FakeUser) => boolean) | null {
  const terms = [...search.matchAll(/"(\w+):([^"]*)"/g)].map((m) => ({
    name: m[1] ?? '',
    term: (m[2] ?? '').toLowerCase().trim(),
  }));
  if (terms.length === 0) return null;
  return (user) =>
    terms.some(({ name, term }) => {
      const value = (prop(user, name) ?? '').toLowerCase();
      if (value.startsWith(term)) return true;
      return value.split(/[^a-z0-9]+/).some((token) => token.length > 0 && token.startsWith(term));
    });
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dmitri',
  'Eva',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
];
const LAST = ['Adams', 'Brown', 'Chen', 'Dubois', 'Evans', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen'];
const COUNTRIES_LIST = ['US', 'GB', 'DE', 'FR', 'JP', 'IN', 'BR'];

/** A deterministic tenant: the demo catalogue and `users` users (every 10th without usage location). */
export function makeTenant(options: {
  tenantId: string;
  users: number;
  name?: string;
  domain?: string;
}): FakeTenant {
  const domain = options.domain ?? `${options.tenantId.slice(0, 8)}.onmicrosoft.com`;
  const users: FakeUser[] = [];
  for (let i = 0; i < options.users; i++) {
    const first = FIRST[i % FIRST.length] ?? 'User';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Person';
    const n = String(i).padStart(5, '0');
    const upn = `${first
      .normalize('NFD')
      .replace(/[^a-zA-Z]/g, '')
      .toLowerCase()}.${last
      .normalize('NFD')
      .replace(/[^a-zA-Z]/g, '')
      .toLowerCase()}${i}@${domain}`;
    users.push({
      id: `${n.slice(0, 5)}000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: `${first} ${last} ${i}`,
      userPrincipalName: upn,
      mail: upn,
      usageLocation: i % 10 === 9 ? null : (COUNTRIES_LIST[i % COUNTRIES_LIST.length] ?? 'US'),
      licenses: [],
    });
  }
  return {
    tenantId: options.tenantId,
    name: options.name ?? `Tenant ${options.tenantId.slice(0, 4)}`,
    domain,
    skus: demoSkus(),
    users,
  };
}
