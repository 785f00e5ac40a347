/** Options both real providers (Graph, Partner Center) take besides their auth. */
import type { HttpClientOptions } from './http.js';

export interface RemoteProviderOptions {
  /** The API root, e.g. https://graph.microsoft.com/v1.0 or https://api.partnercenter.microsoft.com */
  baseUrl: string;
  /** Overrides of the HTTP behaviour (tests shorten back-off). */
  http?: Omit<HttpClientOptions, 'name'>;
  /** Page size asked of the API for listings (Graph's maximum is 999). */
  pageSize?: number;
  /** Parallel reads when fetching several users' records. */
  readConcurrency?: number;
  now?: () => number;
}
