/**
 * App-only Graph tokens: one MSAL confidential client per customer tenant (client-credentials
 * flow); MSAL caches each tenant's token until shortly before it expires.
 */
import type { ConfidentialClientApplication, INetworkModule } from '@azure/msal-node';
import { createMsalApp, describeAuthError, isNetworkFailure } from '../entra/msal-app.js';
import { EARLY_RENEWAL_MS } from '../entra/token-endpoint.js';
import { LicenseProviderError } from '../license-provider.js';

export interface GraphAuthOptions {
  clientId: string;
  clientSecret: string;
  loginBaseUrl: string;
  graphBaseUrl: string;
  /** Carries MSAL's requests instead of its own HTTP client (tests: a local Entra fake). */
  networkClient?: INetworkModule;
}

export class GraphAuth {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  /** MSAL's cache look-up costs about a millisecond of CPU; a run makes one call per user. */
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();
  /** Token requests under way: reads sent together (products and their dates) share one. */
  private readonly pending = new Map<string, Promise<string>>();
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
    const running = this.pending.get(tenantId);
    if (running) return running;
    const asking = this.acquire(tenantId).finally(() => this.pending.delete(tenantId));
    this.pending.set(tenantId, asking);
    return asking;
  }

  private async acquire(tenantId: string): Promise<string> {
    try {
      const result = await this.app(tenantId).acquireTokenByClientCredential({ scopes: [this.scope] });
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

  private app(tenantId: string): ConfidentialClientApplication {
    let app = this.apps.get(tenantId);
    if (!app) {
      app = createMsalApp({
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        loginBaseUrl: this.options.loginBaseUrl,
        tenant: tenantId,
        ...(this.options.networkClient ? { networkClient: this.options.networkClient } : {}),
      });
      this.apps.set(tenantId, app);
    }
    return app;
  }
}
