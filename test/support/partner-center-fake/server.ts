/**
 * A local Partner Center REST API + Entra token endpoint (refresh-token grant), built from
 * reference/microsoft-licensing-api.md §2: collections with links.next + MS-ContinuationToken
 * paging, starts_with filters, users, Group1 subscribed SKUs, user licences, licenseupdates
 * (201 with licenseWarnings on demand, the 60012 body verbatim, directory messages passed through,
 * a repeated MS-RequestId answered as the first time), the 429 envelope, slow answers on demand,
 * and BOM-prefixed bodies on request. Licensing rules are the Graph fake's.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeServer,
  type FakeFailure,
  type FakeTenant,
  flatHeaders,
  handleLogin,
  listen,
  readText,
  type TokenRequest,
  takeMatching,
} from '../graph-fake/index.js';
import { type Answer, pcError } from './answers.js';
import type { FakeLicenseWarning } from './license-update.js';
import { Continuations } from './paging.js';
import { type RefreshGrantState, refreshGrant } from './refresh-grant.js';
import { type PcRequest, route } from './routes.js';

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

/** The fake's state and request handling; startPartnerCenterFake puts it behind a port. */
class PartnerCenterFakeServer {
  readonly refreshToken: string;
  readonly customers: Map<string, FakeTenant>;
  readonly requests: PcRecordedRequest[] = [];
  readonly failures: Array<FakeFailure & { message?: string; left: number }> = [];
  readonly stalls: Array<FakeStall & { left: number }> = [];
  readonly entra: RefreshGrantState;
  nextWarnings: FakeLicenseWarning[] = [];
  private readonly tokens = new Set<string>();
  private readonly paging = new Continuations();
  /** licenseupdates answers by MS-RequestId: a retried write gets the first answer, applied once. */
  private readonly writeAnswers = new Map<string, Answer>();

  constructor(private readonly options: PartnerCenterFakeOptions) {
    this.refreshToken = options.refreshToken ?? 'pc-fake-refresh-token';
    this.customers = new Map(options.customers.map((c) => [c.tenantId, c]));
    this.entra = {
      clientId: options.clientId ?? '99999999-2222-3333-4444-555555555555',
      clientSecret: options.clientSecret ?? 'pc-fake-secret',
      partnerTenantId: options.partnerTenantId ?? 'ffffffff-0000-4000-8000-0000000000aa',
      validRefreshTokens: new Set([this.refreshToken]),
      refreshTokensPresented: [],
      refreshTokensIssued: [],
      tokenRequests: [],
      issued: (token) => this.tokens.add(token),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (await this.login(req, res, url)) return;
    const headers = flatHeaders(req);
    const text = await readText(req);
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const answer = await this.answer({ method, url, headers, body });
    const stall = takeMatching(this.stalls, method, url.pathname);
    if (stall) await sleep(stall.ms);
    this.requests.push({
      method,
      path: url.pathname,
      url: url.toString(),
      headers,
      body,
      status: answer.status,
    });
    this.respond(res, answer, headers['ms-requestid'], headers['ms-correlationid']);
  }

  /** The refresh-token grant, and the discovery documents of the shared login; false for API paths. */
  private async login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (tokenPath && req.method === 'POST') {
      await refreshGrant(this.entra, req, res, tokenPath[1] ?? '');
      return true;
    }
    return handleLogin(
      req,
      res,
      url,
      {
        apps: [{ clientId: this.entra.clientId, clientSecret: this.entra.clientSecret }],
        tenants: () => [this.entra.partnerTenantId],
        refreshTokens: this.entra.validRefreshTokens,
        issued: (token) => this.tokens.add(token),
      },
      this.entra.tokenRequests,
    );
  }

  private async answer(req: PcRequest): Promise<Answer> {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    // Tokens from another fake's login (one Entra for every app) carry the partner tenant.
    const partnerToken = token.startsWith(`fake-${this.entra.partnerTenantId}-`);
    if (!this.tokens.has(token) && !partnerToken) {
      return { status: 401, body: { code: 401, description: 'Unauthorized', data: [], source: 'PartnerFD' } };
    }
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    const rule = takeMatching(this.failures, req.method, req.url.pathname);
    return rule ? injectedAnswer(rule) : this.write(req);
  }

  /** Routes a request; a licenseupdates POST with a known MS-RequestId is answered as the first time. */
  private write(req: PcRequest): Answer {
    const requestId = req.headers['ms-requestid'];
    const isWrite = req.method === 'POST' && req.url.pathname.endsWith('/licenseupdates');
    if (!isWrite || requestId === undefined) return this.route(req);
    const first = this.writeAnswers.get(requestId);
    if (first) return first;
    const answer = this.route(req);
    this.writeAnswers.set(requestId, answer);
    return answer;
  }

  private route(req: PcRequest): Answer {
    const takeWarnings = () => {
      const warnings = this.nextWarnings;
      this.nextWarnings = [];
      return warnings;
    };
    return route({ customers: this.customers, paging: this.paging, takeWarnings }, req);
  }

  private respond(
    res: ServerResponse,
    answer: Answer,
    requestId: string | undefined,
    correlationId: string | undefined,
  ): void {
    const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'MS-RequestId': requestId ?? randomUUID(),
      'MS-CorrelationId': correlationId ?? randomUUID(),
      'MS-CV': randomUUID(),
      'MS-ServerId': 'fake',
      ...answer.headers,
    });
    res.end(text === '' ? '' : `${this.options.bom ? '\uFEFF' : ''}${text}`);
  }
}

/** Partner Center's answer for an injected failure: its own 429 envelope, else its error body. */
function injectedAnswer(rule: FakeFailure & { message?: string }): Answer {
  if (rule.status !== 429) return pcError(rule.status, rule.status, rule.message ?? 'Service unavailable.');
  const seconds = rule.retryAfter ?? '57';
  return {
    status: 429,
    headers: rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter },
    body: {
      statusCode: 429,
      message: rule.message ?? `Rate limit is exceeded. Try again in ${seconds} seconds.`,
    },
  };
}

export async function startPartnerCenterFake(options: PartnerCenterFakeOptions): Promise<PartnerCenterFake> {
  const fake = new PartnerCenterFakeServer(options);
  const server = createServer((req, res) => {
    fake.handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  const { entra } = fake;
  return {
    baseUrl: origin,
    loginBaseUrl: origin,
    clientId: entra.clientId,
    clientSecret: entra.clientSecret,
    refreshToken: fake.refreshToken,
    partnerTenantId: entra.partnerTenantId,
    requests: fake.requests,
    tokenRequests: entra.tokenRequests,
    refreshTokensPresented: entra.refreshTokensPresented,
    refreshTokensIssued: entra.refreshTokensIssued,
    revokeRefreshToken: (token) => {
      entra.validRefreshTokens.delete(token);
    },
    customer: (id) => {
      const customer = fake.customers.get(id);
      if (!customer) throw new Error(`no fake customer ${id}`);
      return customer;
    },
    fail: (failure) => fake.failures.push({ ...failure, left: failure.count ?? 1 }),
    stall: (stall) => fake.stalls.push({ ...stall, left: stall.count ?? 1 }),
    warnOnNextUpdate: (warnings) => {
      fake.nextWarnings = warnings;
    },
    close: () => closeServer(server),
  };
}
