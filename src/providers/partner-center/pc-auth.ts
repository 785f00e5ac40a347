/**
 * App+User tokens for Partner Center: the stored refresh token of a consented partner user is
 * exchanged through MSAL (acquireTokenByRefreshToken, which does not cache the result without an
 * account), so the access token is kept here until shortly before it expires.
 */
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { isNetworkFailure } from '../graph/graph-auth.js';
import { createMsalApp, describeAuthError } from '../graph/msal.js';
import { LicenseProviderError } from '../license-provider.js';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
const EARLY_RENEWAL_MS = 5 * 60_000;

export interface PartnerCenterAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  partnerTenantId: string;
  loginBaseUrl: string;
  now?: () => number;
}

export class PartnerCenterAuth {
  private readonly app: ConfidentialClientApplication;
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PartnerCenterAuthOptions) {
    this.app = createMsalApp({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      loginBaseUrl: options.loginBaseUrl,
      tenant: options.partnerTenantId,
    });
    this.now = options.now ?? Date.now;
  }

  token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - EARLY_RENEWAL_MS > this.now())
      return Promise.resolve(this.cached.token);
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async exchange(): Promise<string> {
    try {
      const result = await this.app.acquireTokenByRefreshToken({
        scopes: [PARTNER_CENTER_SCOPE],
        refreshToken: this.options.refreshToken,
      });
      if (!result?.accessToken) throw new Error('no access token in the answer');
      const expiresAt = result.expiresOn?.getTime() ?? this.now() + 30 * 60_000;
      this.cached = { token: result.accessToken, expiresAt };
      return result.accessToken;
    } catch (error) {
      throw new LicenseProviderError(
        'provider_error',
        `Partner Center: cannot get a token for partner tenant ${this.options.partnerTenantId}: ${describeAuthError(error)}`,
        { cause: error, transient: isNetworkFailure(error) },
      );
    }
  }
}
