/**
 * The one fetch wrapper the real providers share: bearer token, time-out, retries for reads
 * (429/503/504 and time-outs, honouring Retry-After), and zod-parsed bodies.
 * Writes are sent once: the executor owns their retries and pacing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { backoffDelay } from '../backoff.js';
import type { CodedError } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** Backend name used in messages, e.g. "Graph". */
  name: string;
  timeoutMs?: number;
  /** Retries of a read after 429/503/504 or a time-out (default 3). */
  readRetries?: number;
  /**
   * A read whose Retry-After exceeds this is not waited for but failed as transient; it also caps
   * the back-off when the server names no delay (default 10 s).
   */
  maxRetryWaitMs?: number;
  /**
   * Ceiling of the first back-off when the server names no delay; doubles per attempt, jittered
   * by the shared backoff (default 500 ms).
   */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The backoff's jitter source (tests pin it). */
  random?: () => number;
}

export interface HttpCall<T> {
  method: HttpMethod;
  url: string;
  token: () => Promise<string>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  schema: z.ZodType<T>;
  /** Defaults to true for GET, false otherwise. */
  retry?: boolean;
}

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  data: T;
}

export type HttpErrorKind = 'status' | 'timeout' | 'network';
export type HttpErrorCode = `http_${HttpErrorKind}`;

/** A non-2xx answer, a time-out or a network failure; `code` is `http_` and the kind. */
export class HttpError extends Error implements CodedError {
  override readonly name = 'HttpError';
  readonly code: HttpErrorCode;
  constructor(
    message: string,
    readonly kind: HttpErrorKind,
    readonly status: number,
    /** The parsed body (JSON when it was JSON, else the text). */
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = `http_${kind}`;
  }

  get transient(): boolean {
    return this.kind !== 'status' || this.status === 429 || this.status >= 500;
  }
}

const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After as seconds (fractional allowed) or an HTTP date; absent or unreadable → undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * JSON with the leniency real bodies need: a UTF-8 BOM (Partner Center sends one) and numbers with
 * leading zeros (a documented Partner Center sample has `"totalCount": 04`). Non-JSON stays text.
 */
export function parseBody(text: string): unknown {
  const clean = text.replace(/^\uFEFF/, '').trim();
  if (clean === '') return undefined;
  try {
    return JSON.parse(clean);
  } catch {
    try {
      return JSON.parse(clean.replace(/(:\s*)0+(\d)/g, '$1$2'));
    } catch {
      return clean;
    }
  }
}

export class HttpClient {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly readRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: HttpClientOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.readRetries = options.readRetries ?? 3;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
    this.backoffMs = options.backoffMs ?? 500;
    this.sleep = options.sleep ?? ((ms) => sleep(ms));
    this.random = options.random ?? Math.random;
  }

  async send<T>(call: HttpCall<T>): Promise<HttpResult<T>> {
    const retry = call.retry ?? call.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(call);
      } catch (error) {
        if (!(error instanceof HttpError) || !retry || attempt > this.readRetries) throw error;
        const retryable = error.kind !== 'status' || RETRYABLE.has(error.status);
        if (!retryable) throw error;
        if ((error.retryAfterMs ?? 0) > this.maxRetryWaitMs) throw error;
        await this.sleep(
          backoffDelay(attempt, error.retryAfterMs, {
            baseDelayMs: this.backoffMs,
            maxDelayMs: this.maxRetryWaitMs,
            random: this.random,
          }),
        );
      }
    }
  }

  private async once<T>(call: HttpCall<T>): Promise<HttpResult<T>> {
    const token = await call.token();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...call.headers,
      Authorization: `Bearer ${token}`,
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    const what = `${call.method} ${pathOf(call.url)}`;
    let response: Response;
    try {
      response = await fetch(call.url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new HttpError(
        timedOut
          ? `${this.name}: ${what} timed out after ${this.timeoutMs} ms`
          : `${this.name}: ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
        timedOut ? 'timeout' : 'network',
        0,
        undefined,
        undefined,
        { cause: error },
      );
    }
    const body = parseBody(await response.text());
    if (!response.ok) {
      throw new HttpError(
        `${this.name}: ${what} answered ${response.status}`,
        'status',
        response.status,
        body,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    const parsed = call.schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `${this.name}: unexpected body from ${what}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`,
      );
    }
    return { status: response.status, headers: response.headers, data: parsed.data };
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** Runs `fn` over the items with at most `limit` calls in flight (read fan-out). */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
