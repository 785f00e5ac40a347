/**
 * A local Microsoft Graph v1.0 + Entra token endpoint, built from the wire formats of
 * reference/microsoft-licensing-api.md §1: the server, its request log, throttling (injected, or a
 * per-tenant write quota) with and without Retry-After, and the routes of the other modules.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INetworkModule } from '@azure/msal-node';
import { batch } from './batch.js';
import { routeDirectory } from './directory.js';
import { handleLogin, type TokenRequest } from './entra.js';
import {
  type GraphAnswer,
  type GraphRequest,
  graphError,
  injectedAnswer,
  throttled,
} from './graph-answers.js';
import {
  closeServer,
  type FakeFailure,
  flatHeaders,
  listen,
  readText,
  send,
  takeMatching,
} from './http-kit.js';
import { plainHttpNetworkClient } from './msal-network.js';
import { subscribedSkus } from './subscribed-skus.js';
import type { FakeTenant, FakeUser } from './tenant.js';
import { routeUsers, type UsersContext } from './users.js';

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

export interface GraphFakeOptions {
  clientId?: string;
  clientSecret?: string;
  tenants: FakeTenant[];
  /** Added to every Graph call (not to token calls). */
  latencyMs?: number;
  /**
   * Eventual consistency: after a licence change, this many reads of the user still show it as it
   * was (default 0: every read sees every write at once).
   */
  staleReads?: number;
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
  /** For createProvider's and GraphAuth's MSAL: carries its https requests to this fake over http. */
  msalNetworkClient: INetworkModule;
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

/** The fake's state and request handling; startGraphFake puts it behind a port. */
class GraphFakeServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenants: Map<string, FakeTenant>;
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly failures: Array<FakeFailure & { left: number }> = [];
  readonly writeCounts = new Map<string, number>();
  readonly context: UsersContext;
  /** Access token → the tenant it was issued for. */
  private readonly tokens = new Map<string, string>();
  private readonly writeLog = new Map<string, number[]>();

  constructor(private readonly options: GraphFakeOptions) {
    this.clientId = options.clientId ?? '11111111-2222-3333-4444-555555555555';
    this.clientSecret = options.clientSecret ?? 'graph-fake-secret';
    this.tenants = new Map(options.tenants.map((t) => [t.tenantId, t]));
    this.context = {
      origin: '',
      skipTokens: new Map(),
      staleReads: options.staleReads ?? 0,
      stale: new Map(),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (await this.login(req, res, url)) return;
    if (!url.pathname.startsWith('/v1.0/'))
      return send(res, 404, { error: { code: 'NotFound', message: 'Not found' } });
    const text = await readText(req);
    const auth = req.headers.authorization ?? '';
    const tenantId = this.tokens.get(auth.replace(/^Bearer /, ''));
    if (!tenantId) {
      const message = auth ? 'Access token validation failure.' : 'Access token is empty.';
      const answer = graphError(401, 'InvalidAuthenticationToken', message);
      return send(res, answer.status, answer.body);
    }
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      const answer = graphError(400, 'BadRequest', 'Unable to read JSON request payload.');
      return send(res, answer.status, answer.body);
    }
    const graphReq: GraphRequest = {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/v1\.0/, ''),
      query: url.searchParams,
      headers: flatHeaders(req),
      body,
      tenantId,
    };
    const answer =
      graphReq.method === 'POST' && graphReq.path === '/$batch'
        ? await batch(this.context.origin, graphReq, this.dispatch)
        : await this.dispatch(graphReq, false, url.toString());
    send(res, answer.status, answer.body, answer.headers);
  }

  private login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const login = this.options.login;
    return handleLogin(
      req,
      res,
      url,
      {
        apps: [{ clientId: this.clientId, clientSecret: this.clientSecret }, ...(login?.apps ?? [])],
        tenants: () => [...this.tenants.keys(), ...(login?.tenants ?? [])],
        refreshTokens: new Set(login?.refreshTokens ?? []),
        issued: (token, tenant) => this.tokens.set(token, tenant),
      },
      this.tokenRequests,
    );
  }

  /** Answers one Graph request (a whole one, or one inside a $batch) and records it. */
  readonly dispatch = async (req: GraphRequest, batched: boolean, rawUrl: string): Promise<GraphAnswer> => {
    const isWrite = req.method !== 'GET';
    const rule = takeMatching(this.failures, req.method, req.path);
    const answer =
      (rule ? injectedAnswer(rule) : null) ??
      (isWrite ? this.writeQuota(req.tenantId) : null) ??
      this.route(req);
    if (isWrite && answer.status >= 200 && answer.status < 300) {
      this.writeCounts.set(req.tenantId, (this.writeCounts.get(req.tenantId) ?? 0) + 1);
    }
    this.requests.push({
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
  };

  private route(req: GraphRequest): GraphAnswer {
    const tenant = this.tenants.get(req.tenantId);
    // A token of a tenant only the login knows (the Partner Center partner): no directory here.
    if (!tenant) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    if (req.method === 'GET' && req.path === '/subscribedSkus')
      return subscribedSkus(this.context.origin, tenant);
    return (
      routeDirectory(this.context.origin, req, tenant) ??
      routeUsers(this.context, req, tenant) ??
      graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`)
    );
  }

  /** Graph's app+tenant write quota as a sliding window: over it, 429 with the wait as Retry-After. */
  private writeQuota(tenantId: string): GraphAnswer | null {
    const limit = this.options.writeLimit;
    if (!limit) return null;
    const now = Date.now();
    const log = (this.writeLog.get(tenantId) ?? []).filter((t) => t > now - limit.windowMs);
    this.writeLog.set(tenantId, log);
    if (log.length >= limit.writes) {
      const waitMs = (log[0] ?? now) + limit.windowMs - now;
      return throttled((Math.max(waitMs, 1) / 1000).toFixed(3), {
        'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${this.clientId}/${tenantId}`,
        'x-ms-throttle-information': 'WriteLimitExceeded',
      });
    }
    log.push(now);
    return null;
  }
}

export async function startGraphFake(options: GraphFakeOptions): Promise<GraphFake> {
  const fake = new GraphFakeServer(options);
  const server = createServer((req, res) => {
    fake.handle(req, res).catch((err: unknown) => {
      send(res, 500, { error: { code: 'FakeCrashed', message: String(err) } });
    });
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  fake.context.origin = origin;
  return {
    baseUrl: `${origin}/v1.0`,
    loginBaseUrl: origin,
    msalNetworkClient: plainHttpNetworkClient(origin),
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    requests: fake.requests,
    tokenRequests: fake.tokenRequests,
    tenant: (tenantId) => {
      const tenant = fake.tenants.get(tenantId);
      if (!tenant) throw new Error(`no fake tenant ${tenantId}`);
      return tenant;
    },
    user: (tenantId, userId) => {
      const user = fake.tenants.get(tenantId)?.users.find((u) => u.id === userId);
      if (!user) throw new Error(`no fake user ${userId}`);
      return user;
    },
    fail: (failure) => fake.failures.push({ ...failure, left: failure.count ?? 1 }),
    writes: (tenantId) => fake.writeCounts.get(tenantId) ?? 0,
    close: () => closeServer(server),
  };
}
