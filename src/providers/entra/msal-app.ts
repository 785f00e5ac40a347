/**
 * MSAL set-up for app-only tokens (client credentials). MSAL talks to the login base URL over
 * https with its own HTTP client; a caller may hand it another network client (tests route MSAL's
 * requests to a local Entra fake that way, and src/ knows nothing of plain-http logins).
 */
import { AuthError, ConfidentialClientApplication, type INetworkModule, ServerError } from '@azure/msal-node';
import { authorityOf, entraErrorLine } from './token-endpoint.js';

export interface MsalAppOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com */
  loginBaseUrl: string;
  /** Tenant id or domain the authority points at. */
  tenant: string;
  /** Carries MSAL's requests instead of its own HTTP client. */
  networkClient?: INetworkModule;
}

export function createMsalApp(options: MsalAppOptions): ConfidentialClientApplication {
  const credentials = { clientId: options.clientId, clientSecret: options.clientSecret };
  if (options.networkClient === undefined) {
    return new ConfidentialClientApplication({
      auth: { ...credentials, authority: authorityOf(options.loginBaseUrl, options.tenant) },
    });
  }
  // MSAL accepts only https authorities and asks Microsoft about hosts it does not know: the
  // injected client's host is named over https as a known authority. The client owns retrying.
  const { host } = new URL(options.loginBaseUrl);
  return new ConfidentialClientApplication({
    auth: { ...credentials, authority: `https://${host}/${options.tenant}`, knownAuthorities: [host] },
    system: { networkClient: options.networkClient, disableInternalRetries: true },
  });
}

/** The first line of an MSAL/Entra error (AADSTS code and sentence), never the request. */
export function describeAuthError(error: unknown): string {
  if (error instanceof AuthError) {
    const firstLine = entraErrorLine(error.errorMessage || error.message || error.errorCode);
    return firstLine.length > 0 ? firstLine : error.errorCode;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Entra answered nothing (network, time-out): worth retrying, unlike a refusal. */
export function isNetworkFailure(error: unknown): boolean {
  if (error instanceof ServerError) return false;
  return error instanceof Error && /network|timeout|timed out|fetch failed|ECONN/i.test(error.message);
}
