/**
 * What both Entra clients know about Entra's v2.0 token endpoint: Graph's (MSAL, client
 * credentials) and Partner Center's (a plain refresh-token exchange, see pc-auth.ts).
 */

/** A token is renewed this long before it expires, so that no call goes out with one about to lapse. */
export const EARLY_RENEWAL_MS = 5 * 60_000;

/** The tenant's token endpoint under the login base URL (e.g. https://login.microsoftonline.com). */
export function tokenEndpoint(loginBaseUrl: string, tenant: string): string {
  return `${trimSlash(loginBaseUrl)}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

/** The authority MSAL is given: the tenant under the login base URL. */
export function authorityOf(loginBaseUrl: string, tenant: string): string {
  return `${trimSlash(loginBaseUrl)}/${tenant}`;
}

/**
 * The line of an Entra refusal worth showing: "AADSTS70000: Provided grant is invalid or
 * malformed." without the trace and correlation ids that follow it; else the first line.
 */
export function entraErrorLine(text: string): string {
  const entra = /AADSTS\d+:.*?(?=\s*(?:\r?\n|Trace ID:|- Correlation|$))/s.exec(text)?.[0];
  return entra ?? text.split(/\r?\n/)[0]?.trim() ?? '';
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
