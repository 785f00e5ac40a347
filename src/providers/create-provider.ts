/**
 * Builds the LicenseProvider LICENSE_PROVIDER names. A real backend proves at start-up that it
 * can authenticate, so a wrong secret stops the bot with one line instead of failing every
 * operator later.
 */
import type { INetworkModule } from '@azure/msal-node';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { CodedError } from '../errors.js';
import { type DemoBackendOptions, openDemoBackend } from './demo/demo-backend.js';
import type { DemoLogger } from './demo/demo-file.js';
import { type CustomerDirectory, StaticCustomerDirectory } from './graph/customer-directory.js';
import type { HttpClientOptions } from './http.js';
import { type LicenseProvider, LicenseProviderError } from './license-provider.js';
import { PartnerCenterProvider } from './partner-center/partner-center-provider.js';
import { PartnerCenterAuth } from './partner-center/pc-auth.js';
import { partnerCenterTokenFile, RefreshTokenFile } from './partner-center/pc-token-file.js';

export interface ProviderHandle {
  provider: LicenseProvider;
  /**
   * For shutdown, before the store is closed: refuses new changes, lets those under way finish
   * (bounded) and saves what the provider keeps (the demo tenant), retrying a failed write for a
   * bounded time. Resolves with one line per thing it could not tidy up (already logged); it
   * does not reject for a write that failed and was then retried successfully.
   */
  close(): Promise<ProviderCloseReport>;
  /**
   * For /readyz: whether the backend can do its work now: the demo tenant can write its change
   * log, Graph and Partner Center can get a token (cached tokens make this cheap).
   */
  readiness(): Promise<{ ready: boolean; reason?: string }>;
}

export interface ProviderCloseReport {
  problems: string[];
}

const NOTHING_TO_SAVE = async (): Promise<ProviderCloseReport> => ({ problems: [] });

/**
 * Why a backend cannot start:
 * - `provider_config_missing`: a variable the chosen backend needs is not set;
 * - `provider_config_invalid`: a variable is set to something the backend cannot use;
 * - `provider_auth_refused`: Entra answered and refused the credentials or the refresh token;
 * - `provider_unreachable`: Entra did not answer (network, time-out, 5xx);
 * - `provider_start_failed`: anything else that failed the start-up check.
 */
export type ProviderStartErrorCode =
  | 'provider_config_missing'
  | 'provider_config_invalid'
  | 'provider_auth_refused'
  | 'provider_unreachable'
  | 'provider_start_failed';

/** A backend that cannot start; the message is one line without secrets. */
export class ProviderStartError extends Error implements CodedError {
  override readonly name = 'ProviderStartError';
  constructor(
    readonly code: ProviderStartErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type ProviderConfig = Pick<
  Config,
  | 'LICENSE_PROVIDER'
  | 'DATA_DIR'
  | 'GRAPH_CLIENT_ID'
  | 'GRAPH_CLIENT_SECRET'
  | 'GRAPH_CUSTOMERS'
  | 'GRAPH_BASE_URL'
  | 'LOGIN_BASE_URL'
  | 'PARTNER_TENANT_ID'
  | 'PARTNER_CENTER_CLIENT_ID'
  | 'PARTNER_CENTER_CLIENT_SECRET'
  | 'PARTNER_CENTER_REFRESH_TOKEN'
  | 'PARTNER_CENTER_BASE_URL'
  | 'PROVIDER_TIMEOUT_MS'
>;

export interface CreateProviderOptions {
  /** Overrides of the HTTP behaviour (tests shorten back-off). */
  http?: Omit<HttpClientOptions, 'name'>;
  /** Overrides of the demo tenant's durability and shutdown bounds (tests shorten them). */
  demo?: Omit<DemoBackendOptions, 'logger'>;
  /** The app logger: the demo tenant reports a disk that refuses writes, Partner Center its token refreshes (default: the fallback logger). */
  logger?: DemoLogger;
  /**
   * Carries Graph's MSAL requests instead of MSAL's own HTTP client: tests route them to a local
   * Entra fake over plain http (LOGIN_BASE_URL http://…). Without one, LOGIN_BASE_URL must be https.
   */
  msalNetworkClient?: INetworkModule;
  /**
   * The replica's PostgreSQL pool (STORE=postgres): the demo tenant then lives in the database,
   * shared by every replica, instead of in DATA_DIR (only `seed`, `initial`, `closeWaitMs` and
   * `provider` of `demo` apply). Other backends ignore it.
   */
  pool?: Pool;
}

export async function createProvider(
  config: ProviderConfig,
  options: CreateProviderOptions = {},
): Promise<ProviderHandle> {
  const http = { timeoutMs: config.PROVIDER_TIMEOUT_MS, ...options.http };
  switch (config.LICENSE_PROVIDER) {
    case 'graph':
      return createGraph(config, http, options);
    case 'partner-center': {
      const partnerCenter = await createPartnerCenter(
        config,
        http,
        'LICENSE_PROVIDER=partner-center',
        options.logger,
      );
      return {
        provider: partnerCenter.provider,
        close: NOTHING_TO_SAVE,
        readiness: () => tokenReadiness('Partner Center', partnerCenter.token),
      };
    }
    default: {
      if (options.pool !== undefined) return openSharedDemoHandle(options.pool, options);
      const { provider, close, tenant } = await openDemoBackend(config.DATA_DIR, {
        ...options.demo,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      return {
        provider,
        close,
        readiness: async () => {
          const { log } = tenant.health();
          return log.writable
            ? { ready: true }
            : { ready: false, reason: `demo tenant cannot save changes: ${log.error ?? 'write failed'}` };
        },
      };
    }
  }
}

async function openSharedDemoHandle(pool: Pool, options: CreateProviderOptions): Promise<ProviderHandle> {
  const { seed, initial, closeWaitMs, provider } = options.demo ?? {};
  const { onChange: _unused, ...providerOptions } = provider ?? {};
  // Loaded only with a pool (STORE=postgres): one process on lowdb needs none of it.
  const { openSharedDemo } = await import('./demo/postgres/open-shared-demo.js');
  const shared = await openSharedDemo(pool, {
    ...(seed === undefined ? {} : { seed }),
    ...(initial === undefined ? {} : { initial }),
    ...(closeWaitMs === undefined ? {} : { closeWaitMs }),
    provider: providerOptions,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return { provider: shared.provider, close: shared.close, readiness: shared.readiness };
}

async function createGraph(
  config: ProviderConfig,
  http: CreateProviderOptions['http'],
  { logger, msalNetworkClient }: CreateProviderOptions,
): Promise<ProviderHandle> {
  if (msalNetworkClient === undefined && new URL(config.LOGIN_BASE_URL).protocol !== 'https:') {
    throw new ProviderStartError(
      'provider_config_invalid',
      'LOGIN_BASE_URL must be an https URL when LICENSE_PROVIDER=graph (MSAL accepts no other)',
    );
  }
  // Loaded only for Graph: MSAL (about 90 ms) and the search cache are start-up the demo tenant
  // does not need.
  const [{ GraphAuth }, { GraphProvider }] = await Promise.all([
    import('./graph/graph-auth.js'),
    import('./graph/graph-provider.js'),
  ]);
  const auth = new GraphAuth({
    clientId: required(config.GRAPH_CLIENT_ID, 'GRAPH_CLIENT_ID', 'LICENSE_PROVIDER=graph'),
    clientSecret: required(config.GRAPH_CLIENT_SECRET, 'GRAPH_CLIENT_SECRET', 'LICENSE_PROVIDER=graph'),
    loginBaseUrl: config.LOGIN_BASE_URL,
    graphBaseUrl: config.GRAPH_BASE_URL,
    ...(msalNetworkClient === undefined ? {} : { networkClient: msalNetworkClient }),
  });
  let customers: CustomerDirectory;
  let token: () => Promise<unknown>;
  if (config.GRAPH_CUSTOMERS.length > 0) {
    const configured = new StaticCustomerDirectory(config.GRAPH_CUSTOMERS);
    // Every configured tenant must grant a token now; a partner-listed one is checked on use.
    await startUp(Promise.all(configured.tenantIds.map((tenantId) => auth.token(tenantId))));
    customers = configured;
    token = () => Promise.all(configured.tenantIds.map((tenantId) => auth.token(tenantId)));
  } else {
    const partnerCenter = await createPartnerCenter(
      config,
      http,
      'LICENSE_PROVIDER=graph without GRAPH_CUSTOMERS',
      logger,
    );
    customers = partnerCenter.provider;
    token = partnerCenter.token;
  }
  return {
    provider: new GraphProvider({
      auth,
      customers,
      baseUrl: config.GRAPH_BASE_URL,
      ...(http ? { http } : {}),
    }),
    close: NOTHING_TO_SAVE,
    readiness: () => tokenReadiness('Graph', token),
  };
}

/** Ready when a token can be had (tokens are cached, so this asks Entra only when one expired). */
async function tokenReadiness(
  backend: string,
  token: () => Promise<unknown>,
): Promise<{ ready: boolean; reason?: string }> {
  try {
    await token();
    return { ready: true };
  } catch (error) {
    return {
      ready: false,
      reason: `${backend} cannot authenticate: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

async function createPartnerCenter(
  config: ProviderConfig,
  http: CreateProviderOptions['http'],
  why: string,
  logger: CreateProviderOptions['logger'],
): Promise<{ provider: PartnerCenterProvider; token: () => Promise<string> }> {
  const auth = new PartnerCenterAuth({
    clientId: required(config.PARTNER_CENTER_CLIENT_ID, 'PARTNER_CENTER_CLIENT_ID', why),
    clientSecret: required(config.PARTNER_CENTER_CLIENT_SECRET, 'PARTNER_CENTER_CLIENT_SECRET', why),
    refreshToken: required(config.PARTNER_CENTER_REFRESH_TOKEN, 'PARTNER_CENTER_REFRESH_TOKEN', why),
    partnerTenantId: required(config.PARTNER_TENANT_ID, 'PARTNER_TENANT_ID', why),
    loginBaseUrl: config.LOGIN_BASE_URL,
    // Entra rotates the refresh token at every exchange: the newest one is kept for the next start.
    tokenFile: new RefreshTokenFile(partnerCenterTokenFile(config.DATA_DIR)),
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    ...(logger === undefined ? {} : { logger }),
  });
  await startUp(auth.token());
  const provider = new PartnerCenterProvider({
    auth,
    baseUrl: config.PARTNER_CENTER_BASE_URL,
    ...(http ? { http } : {}),
  });
  return { provider, token: () => auth.token() };
}

function required(value: string | undefined, name: string, why: string): string {
  if (value === undefined || value === '')
    throw new ProviderStartError('provider_config_missing', `${name} is required when ${why}`);
  return value;
}

/** The start-up token check: a refusal, no answer, or anything else, each with its code. */
async function startUp(check: Promise<unknown>): Promise<void> {
  try {
    await check;
  } catch (error) {
    throw new ProviderStartError(
      startFailureCode(error),
      error instanceof Error ? error.message : String(error),
      {
        cause: error,
      },
    );
  }
}

function startFailureCode(error: unknown): ProviderStartErrorCode {
  if (!(error instanceof LicenseProviderError)) return 'provider_start_failed';
  return error.transient ? 'provider_unreachable' : 'provider_auth_refused';
}
