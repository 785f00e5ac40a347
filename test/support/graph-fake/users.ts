/**
 * The Graph fake's /users: listing with $select/$search/$filter/$count/$orderby/$top and absolute
 * @odata.nextLink paging ($skiptoken), one user by id or UPN, and assignLicense (all-or-nothing,
 * the §1.6 messages verbatim).
 */
import { randomUUID } from 'node:crypto';
import { type GraphAnswer, type GraphRequest, graphError } from './graph-answers.js';
import { applyLicenseChange, MESSAGES } from './licensing-rules.js';
import { needsAdvanced, parseFilter, parseSearch } from './odata.js';
import type { FakeTenant, FakeUser, FakeUserLicense } from './tenant.js';

/** What paging needs across requests. */
export interface UsersContext {
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  /** $skiptoken → the query it continues and where. */
  skipTokens: Map<string, { params: URLSearchParams; offset: number }>;
  /**
   * Eventual consistency (reference §1.4: "a few seconds' replication lag"): after a licence change,
   * the next `staleReads` reads of the user (0: none) are answered by a replica that has not seen it.
   */
  staleReads: number;
  /** User id → the licences a lagging replica still shows, and for how many more reads. */
  stale: Map<string, { licenses: FakeUserLicense[]; left: number }>;
}

/** The user as the replica answering this read sees them (an earlier state while it lags). */
function asRead(context: UsersContext, user: FakeUser): FakeUser {
  const lag = context.stale.get(user.id);
  if (lag === undefined) return user;
  lag.left -= 1;
  if (lag.left <= 0) context.stale.delete(user.id);
  return { ...user, licenses: lag.licenses };
}

const DEFAULT_FIELDS = ['id', 'displayName', 'userPrincipalName', 'mail'];

export function userJson(user: FakeUser, select: string[] | null): Record<string, unknown> {
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

/** GET /users and GET or assignLicense of one user; null for any other path. */
export function routeUsers(context: UsersContext, req: GraphRequest, tenant: FakeTenant): GraphAnswer | null {
  if (req.method === 'GET' && req.path === '/users') return listUsers(context, req, tenant);
  const one = /^\/users\/([^/]+)(\/assignLicense)?$/.exec(req.path);
  if (!one) return null;
  const id = decodeURIComponent(one[1] ?? '');
  const user = tenant.users.find(
    (u) => u.id === id || u.userPrincipalName.toLowerCase() === id.toLowerCase(),
  );
  if (!user) return graphError(404, 'Request_ResourceNotFound', MESSAGES.notFound(id));
  if (req.method === 'GET' && !one[2]) {
    return {
      status: 200,
      body: userJson(asRead(context, user), req.query.get('$select')?.split(',') ?? null),
    };
  }
  if (req.method === 'POST' && one[2]) return assignLicense(context, req, tenant, user);
  return null;
}

/** A $skiptoken stands for the query it continues; Graph refuses $skip and unsupported queries. */
function listUsers(context: UsersContext, req: GraphRequest, tenant: FakeTenant): GraphAnswer {
  let params = req.query;
  let offset = 0;
  const skipToken = params.get('$skiptoken');
  if (skipToken !== null) {
    const saved = context.skipTokens.get(skipToken);
    if (!saved) return graphError(400, 'Request_BadRequest', 'Invalid $skiptoken.');
    params = saved.params;
    offset = saved.offset;
  }
  const advanced = req.headers.consistencylevel?.toLowerCase() === 'eventual';
  const matching = matchingUsers(tenant.users, params, advanced);
  if (!Array.isArray(matching)) return matching;
  const top = Number(params.get('$top') ?? '100');
  const select =
    params
      .get('$select')
      ?.split(',')
      .map((s) => s.trim()) ?? null;
  const body: Record<string, unknown> = { '@odata.context': `${context.origin}/v1.0/$metadata#users` };
  if (params.get('$count') === 'true' && offset === 0) body['@odata.count'] = matching.length;
  body.value = matching.slice(offset, offset + top).map((u) => userJson(asRead(context, u), select));
  if (offset + top < matching.length) {
    const token = randomUUID().replace(/-/g, '');
    context.skipTokens.set(token, { params, offset: offset + top });
    const next = new URLSearchParams(params);
    next.set('$skiptoken', token);
    body['@odata.nextLink'] = `${context.origin}/v1.0/users?${next.toString()}`;
  }
  return { status: 200, body };
}

/** The users a query selects, in its order; or Graph's refusal of the query. */
function matchingUsers(
  all: readonly FakeUser[],
  params: URLSearchParams,
  advanced: boolean,
): FakeUser[] | GraphAnswer {
  if (params.has('$skip'))
    return graphError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
  const search = params.get('$search');
  if (search !== null && !advanced) return graphError(400, 'Request_UnsupportedQuery', MESSAGES.searchHeader);
  const filter = params.get('$filter');
  const orderby = params.get('$orderby');
  const count = params.get('$count') === 'true';
  if (orderby !== null && (filter !== null || search !== null) && !(advanced && count)) {
    return graphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
  }
  const top = Number(params.get('$top') ?? '100');
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    return graphError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${params.get('$top')}'. Must be between 1 and 999 inclusive.`,
    );
  }
  if (filter !== null && needsAdvanced(filter) && !(advanced && count)) {
    return graphError(400, 'Request_UnsupportedQuery', MESSAGES.advancedFilter);
  }
  let users = [...all];
  if (filter !== null) {
    const predicate = parseFilter(filter);
    if (!predicate) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    users = users.filter(predicate);
  }
  if (search !== null) {
    const predicate = parseSearch(search);
    if (!predicate)
      return graphError(400, 'Request_BadRequest', `Syntax error: invalid $search '${search}'.`);
    users = users.filter(predicate);
  }
  if (orderby !== null) {
    if (orderby !== 'displayName' && orderby !== 'displayName asc') {
      return graphError(400, 'Request_UnsupportedQuery', 'Unsupported sort property.');
    }
    users.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  }
  return users;
}

function assignLicense(
  context: UsersContext,
  req: GraphRequest,
  tenant: FakeTenant,
  user: FakeUser,
): GraphAnswer {
  const body = req.body as { addLicenses?: unknown; removeLicenses?: unknown } | undefined;
  if (!body || !Array.isArray(body.addLicenses) || !Array.isArray(body.removeLicenses)) {
    return graphError(
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
  const before = structuredClone(user.licenses);
  const failure = applyLicenseChange(tenant, user, add, remove);
  if (failure) return graphError(400, 'Request_BadRequest', failure.message);
  if (context.staleReads > 0) {
    // A replica that lags shows the state before the first change it has not seen.
    const licenses = context.stale.get(user.id)?.licenses ?? before;
    context.stale.set(user.id, { licenses, left: context.staleReads });
  }
  return { status: 200, body: userJson(user, ['accountEnabled', 'assignedLicenses', 'displayName']) };
}
