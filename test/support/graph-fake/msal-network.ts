/**
 * The MSAL network client the tests hand to createProvider and GraphAuth. MSAL accepts only https
 * authorities, so it is given the fake's host over https; this client sends those requests to the
 * fake over plain http (anything else goes out unchanged) and answers as MSAL expects.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export function plainHttpNetworkClient(loginBaseUrl: string): INetworkModule {
  return new PlainHttpNetworkClient(new URL(loginBaseUrl).host);
}

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
