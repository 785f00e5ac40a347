/** A local Entra: the token endpoint and the discovery documents MSAL reads (shared with the Partner Center fake). */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readText, send } from './http-kit.js';

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
  const document = discoveryDocument(url, req.headers.host ?? 'localhost');
  if (document) {
    send(res, 200, document);
    return true;
  }
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
  if (!token || req.method !== 'POST') return false;
  await grantToken(req, res, token[1] ?? '', options, log);
  return true;
}

/** The instance discovery and OpenID configuration MSAL reads before asking for a token. */
function discoveryDocument(url: URL, host: string): Record<string, unknown> | null {
  const authority = `https://${host}`;
  if (url.pathname === '/common/discovery/instance') {
    return {
      tenant_discovery_endpoint: `${authority}/common/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }
  const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
  if (!discovery) return null;
  const tenant = discovery[1];
  return {
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
  };
}

/** Client credentials or a refresh token: checked as Entra does (tenant, app, secret, grant), then a token. */
async function grantToken(
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
  options: LoginOptions,
  log: TokenRequest[],
): Promise<void> {
  const { form, grantType, scope, fail } = await tokenRequestOf(req, res, tenant, log);
  if (![...options.tenants()].includes(tenant)) {
    fail(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
    return;
  }
  const app = options.apps.find((a) => a.clientId === form.get('client_id'));
  if (!app) {
    fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
    );
    return;
  }
  if (form.get('client_secret') !== app.clientSecret) {
    fail(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
    return;
  }
  if (grantType === 'refresh_token') {
    if (!options.refreshTokens?.has(form.get('refresh_token') ?? '')) {
      fail(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      return;
    }
  } else if (grantType !== 'client_credentials') {
    fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    return;
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
}

/** A token request's form, and its refusal (logged as a failed token request). */
export async function tokenRequestOf(
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
  log: TokenRequest[],
) {
  const form = new URLSearchParams(await readText(req));
  const grantType = form.get('grant_type') ?? '';
  const scope = form.get('scope') ?? '';
  const fail = (status: number, error: string, code: number, text: string): void => {
    log.push({ tenant, grantType, scope, ok: false });
    sendEntraRefusal(res, status, error, code, text);
  };
  return { form, grantType, scope, fail };
}

/** Entra's refusal: the AADSTS line first, then the trace and correlation ids, as the real one writes it. */
function sendEntraRefusal(
  res: ServerResponse,
  status: number,
  error: string,
  code: number,
  text: string,
): void {
  send(res, status, {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}
