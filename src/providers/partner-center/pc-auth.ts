/**
 * App+User tokens for Partner Center: the consented partner user's refresh token is exchanged at
 * the Entra token endpoint (grant_type=refresh_token). Entra rotates the refresh token on every
 * exchange; the new one is used for the next exchange and saved (pc-token-file.ts), so the bot
 * keeps authenticating after the configured token has aged out. The access token is kept here
 * until shortly before it expires.
 *
 * The exchange is a plain OAuth request rather than MSAL's acquireTokenByRefreshToken: MSAL never
 * hands the rotated refresh token back to the caller, and saving it is the point.
 * Neither token ever appears in a message or a log line.
 */
import { z } from 'zod';
import { EARLY_RENEWAL_MS, entraErrorLine, tokenEndpoint } from '../entra/token-endpoint.js';
import { LicenseProviderError } from '../license-provider.js';
import type { RefreshTokenFile, TokenChain } from './pc-token-file.js';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
const DEFAULT_TIMEOUT_MS = 30_000;

/** The log lines auth writes (pino, Bolt's Logger and console all fit). */
export interface AuthLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface PartnerCenterAuthOptions {
  clientId: string;
  clientSecret: string;
  /** PARTNER_CENTER_REFRESH_TOKEN: used until a rotated token of the same chain is stored. */
  refreshToken: string;
  partnerTenantId: string;
  loginBaseUrl: string;
  /** Where rotated refresh tokens are kept (DATA_DIR/partner-center-token.json); none = memory only. */
  tokenFile?: RefreshTokenFile;
  logger?: AuthLogger;
  timeoutMs?: number;
  now?: () => number;
}

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
});

const TokenRefusal = z.object({ error: z.string().optional(), error_description: z.string().optional() });

class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export class PartnerCenterAuth {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** The refresh token to present next: the configured one, a stored one, then each rotated one. */
  private refreshToken: Promise<string> | undefined;
  private readonly chain: TokenChain;
  private readonly now: () => number;

  constructor(private readonly options: PartnerCenterAuthOptions) {
    this.now = options.now ?? Date.now;
    this.chain = {
      partnerTenantId: options.partnerTenantId,
      clientId: options.clientId,
      configuredToken: options.refreshToken,
    };
  }

  token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - EARLY_RENEWAL_MS > this.now())
      return Promise.resolve(this.cached.token);
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private currentRefreshToken(): Promise<string> {
    this.refreshToken ??= this.storedRefreshToken();
    return this.refreshToken;
  }

  private async storedRefreshToken(): Promise<string> {
    const file = this.options.tokenFile;
    const stored = await file?.read(this.chain).catch((error: unknown) => {
      this.options.logger?.warn(
        `Partner Center: cannot read ${file.file} (${describe(error)}); using PARTNER_CENTER_REFRESH_TOKEN`,
      );
      return null;
    });
    if (stored) {
      this.options.logger?.info(`Partner Center: using the refresh token saved in ${file?.file}`);
      return stored;
    }
    return this.options.refreshToken;
  }

  private async exchange(): Promise<string> {
    const tenant = this.options.partnerTenantId;
    try {
      const answer = await this.request(await this.currentRefreshToken());
      if (answer.refresh_token !== undefined) await this.keep(answer.refresh_token);
      const expiresAt = this.now() + (answer.expires_in ?? 30 * 60) * 1000;
      this.cached = { token: answer.access_token, expiresAt };
      return answer.access_token;
    } catch (error) {
      throw new LicenseProviderError(
        'provider_error',
        `Partner Center: cannot get a token for partner tenant ${tenant}: ${describe(error)}`,
        { cause: error, transient: error instanceof TokenRequestError && error.transient },
      );
    }
  }

  /** Uses the rotated token from now on and saves it; a failed save is logged, not fatal. */
  private async keep(rotated: string): Promise<void> {
    const previous = await this.currentRefreshToken();
    if (rotated === previous) return;
    this.refreshToken = Promise.resolve(rotated);
    const file = this.options.tokenFile;
    if (!file) return;
    try {
      await file.write(this.chain, rotated, new Date(this.now()));
    } catch (error) {
      // The previous refresh token stays valid for a while: a restart before the next successful
      // save falls back to it, which is why this warns instead of failing the call.
      this.options.logger?.warn(
        `Partner Center: could not save the rotated refresh token to ${file.file}: ${describe(error)}`,
      );
    }
  }

  private async request(refreshToken: string): Promise<z.infer<typeof TokenAnswer>> {
    const url = tokenEndpoint(this.options.loginBaseUrl, this.options.partnerTenantId);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          scope: `${PARTNER_CENTER_SCOPE} offline_access`,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      // Entra answered nothing (network, time-out): worth retrying, unlike a refusal.
      throw new TokenRequestError(`the token endpoint did not answer (${describe(error)})`, true);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const refusal = TokenRefusal.safeParse(body);
      const description = refusal.success
        ? (refusal.data.error_description ?? refusal.data.error)
        : undefined;
      const first = description === undefined ? '' : entraErrorLine(description);
      throw new TokenRequestError(
        first || `the token endpoint answered ${response.status}`,
        response.status >= 500,
      );
    }
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success) throw new TokenRequestError('no access token in the answer', false);
    return answer.data;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
