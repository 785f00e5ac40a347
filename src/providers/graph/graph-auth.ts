/**
 * App-only Graph tokens: one MSAL confidential client per customer tenant (client-credentials
 * flow); MSAL caches each tenant's token until shortly before it expires.
 */
import { type ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { LicenseProviderError } from '../license-provider.js';
import { createMsalApp, describeAuthError } from './msal.js';

const EARLY_RENEWAL_MS = 5 * 60_000;

export interface GraphAuthOptions {
  clientId: string;
  clientSecret: string;
  loginBaseUrl: string;
  graphBaseUrl: string;
}

export class GraphAuth {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  /** MSAL's cache look-up costs about a millisecond of CPU; a run makes one call per user. */
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();
  private readonly scope: string;

  constructor(private readonly options: GraphAuthOptions) {
    const graph = new URL(options.graphBaseUrl);
    // A fake Graph over http still hands out tokens for the real resource.
    this.scope =
      graph.protocol === 'https:' ? `${graph.origin}/.default` : 'https://graph.microsoft.com/.default';
  }

  /** A bearer token for the tenant; throws one clear line when Entra refuses. */
  async token(tenantId: string): Promise<string> {
    const cached = this.tokens.get(tenantId);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    let app = this.apps.get(tenantId);
    if (!app) {
      app = createMsalApp({
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        loginBaseUrl: this.options.loginBaseUrl,
        tenant: tenantId,
      });
      this.apps.set(tenantId, app);
    }
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [this.scope] });
      if (!result?.accessToken) throw new Error('no access token in the answer');
      const expiresAt = result.expiresOn?.getTime() ?? Date.now();
      this.tokens.set(tenantId, { token: result.accessToken, renewAt: expiresAt - EARLY_RENEWAL_MS });
      return result.accessToken;
    } catch (error) {
      throw new LicenseProviderError(
        'provider_error',
        `Graph: cannot get a token for tenant ${tenantId}: ${describeAuthError(error)}`,
        { cause: error, transient: isNetworkFailure(error) },
      );
    }
  }
}

/** Entra answered nothing (network, time-out): worth retrying, unlike a refusal. */
export function isNetworkFailure(error: unknown): boolean {
  if (error instanceof ServerError) return false;
  return error instanceof Error && /network|timeout|timed out|fetch failed|ECONN/i.test(error.message);
}
