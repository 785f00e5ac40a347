/**
 * MSAL set-up shared by the Graph and Partner Center adapters. The real path is MSAL's default:
 * an https authority under the login base URL. A plain-http login base URL (a local fake) keeps
 * MSAL's https-only authority check happy by naming the same host over https as a known
 * authority, and sends MSAL's requests to it over http through a custom network client.
 */
import {
  AuthError,
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';

export interface MsalAppOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com, or http://127.0.0.1:PORT for a fake. */
  loginBaseUrl: string;
  /** Tenant id or domain the authority points at. */
  tenant: string;
}

export function createMsalApp(options: MsalAppOptions): ConfidentialClientApplication {
  const base = new URL(options.loginBaseUrl);
  if (base.protocol === 'https:') {
    return new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${trimSlash(options.loginBaseUrl)}/${options.tenant}`,
      },
    });
  }
  return new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `https://${base.host}/${options.tenant}`,
      knownAuthorities: [base.host],
    },
    system: { networkClient: new PlainHttpNetworkClient(base.host), disableInternalRetries: true },
  });
}

/** Sends https://{host}/… requests to http://{host}/…; anything else goes out unchanged. */
class PlainHttpNetworkClient implements INetworkModule {
  constructor(private readonly host: string) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const target = new URL(url);
    if (target.host === this.host && target.protocol === 'https:') target.protocol = 'http:';
    const response = await fetch(target, {
      method,
      headers: options?.headers,
      body: options?.body,
      signal: AbortSignal.timeout(timeout ?? 30_000),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const text = await response.text();
    return { headers, status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
  }
}

/** The first line of an MSAL/Entra error (AADSTS code and sentence), never the request. */
export function describeAuthError(error: unknown): string {
  if (error instanceof AuthError) {
    const text = error.errorMessage || error.message || error.errorCode;
    const entra = /AADSTS\d+:.*?(?=\s*(?:\r?\n|Trace ID:|- Correlation|$))/s.exec(text)?.[0];
    const firstLine = entra ?? text.split(/\r?\n/)[0]?.trim() ?? '';
    return firstLine.length > 0 ? firstLine : error.errorCode;
  }
  return error instanceof Error ? error.message : String(error);
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
