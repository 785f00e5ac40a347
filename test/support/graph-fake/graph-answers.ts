/** The Graph fake's requests and answers: Graph's error envelope, its 429, and injected failures. */
import { randomUUID } from 'node:crypto';
import type { FakeFailure } from './http-kit.js';
import { MESSAGES } from './licensing-rules.js';

export interface GraphRequest {
  method: string;
  /** Path after /v1.0 */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  tenantId: string;
}

export interface GraphAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): GraphAnswer {
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString(),
          'request-id': randomUUID(),
          'client-request-id': randomUUID(),
        },
      },
    },
  };
}

export function throttled(retryAfter: string | undefined, extra: Record<string, string> = {}): GraphAnswer {
  return {
    status: 429,
    headers: { ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }), ...extra },
    body: {
      error: {
        code: 'TooManyRequests',
        innerError: {
          code: '429',
          date: new Date().toISOString(),
          message: 'Please retry after',
          'request-id': randomUUID(),
          status: '429',
        },
        message: MESSAGES.throttled,
      },
    },
  };
}

const INJECTED: Record<number, [string, string]> = {
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Authorization_RequestDenied', MESSAGES.forbidden],
  500: ['InternalServerError', 'Internal server error.'],
  503: ['ServiceUnavailable', 'Service Unavailable'],
  504: ['GatewayTimeout', 'Gateway Timeout'],
};

/** Graph's answer for an injected failure. */
export function injectedAnswer(rule: FakeFailure): GraphAnswer {
  if (rule.status === 429) return throttled(rule.retryAfter);
  const headers: Record<string, string> =
    rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter };
  const [code, message] = INJECTED[rule.status] ?? ['UnknownError', 'Unknown error'];
  return graphError(rule.status, code, message, headers);
}
