/**
 * Graph calls under one tenant's app-only token: reads (retried by the HTTP client, failures as
 * the port's LicenseProviderError) and writes (sent once, failures as thrown: the executor owns
 * retries and the caller classifies).
 */
import type { z } from 'zod';
import { HttpClient, type HttpClientOptions, mapLimited } from '../http.js';
import { postOnce } from '../post-once.js';
import { toProviderError } from '../provider-failure.js';
import type { GraphAuth } from './graph-auth.js';
import { classifyGraphError } from './graph-errors.js';
import { type GraphUser, GraphUserPage, USER_SELECT } from './graph-wire.js';

export interface GraphClientOptions {
  auth: GraphAuth;
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  http?: Omit<HttpClientOptions, 'name'>;
  /** Parallel reads when fetching users by id or e-mail (default 4). */
  readConcurrency?: number;
}

/** Graph accepts at most 15 values in one `in (…)` filter. */
const IN_CHUNK = 15;

export class GraphClient {
  /** Without a trailing slash; paths are appended to it. */
  readonly baseUrl: string;
  private readonly http: HttpClient;
  private readonly readConcurrency: number;

  constructor(private readonly options: GraphClientOptions) {
    this.http = new HttpClient({ name: 'Graph', ...options.http });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.readConcurrency = options.readConcurrency ?? 4;
  }

  /** GET of an absolute URL (a next link) or of a path under the base URL. */
  async read<T>(
    tenantId: string,
    urlOrPath: string,
    schema: z.ZodType<T>,
    headers?: Record<string, string>,
  ): Promise<T> {
    const url = urlOrPath.startsWith('/') ? `${this.baseUrl}${urlOrPath}` : urlOrPath;
    try {
      const { data } = await this.http.send({
        method: 'GET',
        url,
        token: this.token(tenantId),
        headers,
        schema,
      });
      return data;
    } catch (error) {
      throw toProviderError(classifyGraphError(error), error);
    }
  }

  /** One POST of a path under the base URL, never retried here; an HttpError is thrown as is. */
  post<T>(tenantId: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    return postOnce(this.http, { url: `${this.baseUrl}${path}`, token: this.token(tenantId), body, schema });
  }

  /** Users whose property is one of the values, 15 values per request, a few requests at a time. */
  async usersWhere(tenantId: string, property: string, values: readonly string[]): Promise<GraphUser[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < values.length; i += IN_CHUNK) chunks.push(values.slice(i, i + IN_CHUNK));
    const pages = await mapLimited(chunks, this.readConcurrency, async (chunk) => {
      const list = chunk.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
      const filter = encodeURIComponent(`${property} in (${list})`);
      const users: GraphUser[] = [];
      let url: string | undefined = `/users?$filter=${filter}&$select=${USER_SELECT}&$top=${IN_CHUNK}`;
      while (url) {
        const page: GraphUserPage = await this.read(tenantId, url, GraphUserPage);
        users.push(...page.value);
        url = page['@odata.nextLink'];
      }
      return users;
    });
    return pages.flat();
  }

  private token(tenantId: string): () => Promise<string> {
    return () => this.options.auth.token(tenantId);
  }
}
