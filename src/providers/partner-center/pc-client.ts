/**
 * Partner Center REST calls under the partner's App+User token: reads with their request ids
 * (failures as the port's LicenseProviderError), collections followed through links.next, and
 * customer-scoped URLs.
 */
import type { z } from 'zod';
import { HttpClient, type HttpClientOptions } from '../http.js';
import { postOnce } from '../post-once.js';
import { toProviderError } from '../provider-failure.js';
import type { PartnerCenterAuth } from './pc-auth.js';
import { classifyPcError } from './pc-errors.js';
import { newRequestIds, partnerCenterHeaders, type RequestIds } from './pc-request-ids.js';
import type { PcLink } from './pc-wire.js';

export interface PcClientOptions {
  auth: PartnerCenterAuth;
  /** e.g. https://api.partnercenter.microsoft.com */
  baseUrl: string;
  http?: Omit<HttpClientOptions, 'name'>;
}

/** One page of a collection: its items and where the next page is. */
interface PcPage<T> {
  items: T[];
  links?: { next?: PcLink } | null | undefined;
}

export class PcClient {
  private readonly http: HttpClient;
  private readonly baseUrl: string;

  constructor(private readonly options: PcClientOptions) {
    this.http = new HttpClient({ name: 'Partner Center', ...options.http });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  private readonly token = (): Promise<string> => this.options.auth.token();

  /** A path under /v1, e.g. `customers?size=10`. */
  url(path: string): string {
    return `${this.baseUrl}/v1/${path}`;
  }

  customerUrl(customerId: string, path = ''): string {
    return `${this.url(`customers/${encodeURIComponent(customerId)}`)}${path}`;
  }

  /** Follows links.next (with its MS-ContinuationToken header) until `limit` items or the end. */
  async collect<T>(url: string, schema: z.ZodType<PcPage<T>>, limit: number): Promise<T[]> {
    const items: T[] = [];
    // The pages of one listing are one operation: each page a new request, one correlation id.
    const correlationId = newRequestIds().correlationId;
    let next: { url: string; headers: Record<string, string> } | undefined = { url, headers: {} };
    while (next && items.length < limit) {
      const page: PcPage<T> = await this.read(next.url, schema, next.headers, correlationId);
      items.push(...page.items);
      const link = page.links?.next;
      next = link
        ? {
            url: this.resolve(link.uri),
            headers: Object.fromEntries(link.headers.map((h) => [h.key, h.value])),
          }
        : undefined;
    }
    return items;
  }

  /** One logical read; HttpClient's retries of it resend the same headers, so the same MS-RequestId. */
  async read<T>(
    url: string,
    schema: z.ZodType<T>,
    headers: Record<string, string> = {},
    correlationId?: string,
  ): Promise<T> {
    try {
      const { data } = await this.http.send({
        method: 'GET',
        url,
        token: this.token,
        headers: { ...partnerCenterHeaders(newRequestIds(correlationId)), ...headers },
        schema,
      });
      return data;
    } catch (error) {
      throw toProviderError(classifyPcError(error), error);
    }
  }

  /** One POST with the given ids' headers, never retried here; an HttpError is thrown as is. */
  post<T>(url: string, ids: RequestIds, body: unknown, schema: z.ZodType<T>): Promise<T> {
    return postOnce(this.http, { url, token: this.token, headers: partnerCenterHeaders(ids), body, schema });
  }

  /** links.next.uri is relative to the API root, with or without the /v1 prefix. */
  private resolve(uri: string): string {
    if (/^https?:\/\//.test(uri)) return uri;
    const path = uri.startsWith('/') ? uri : `/${uri}`;
    return `${this.baseUrl}${path.startsWith('/v1/') ? path : `/v1${path}`}`;
  }
}
