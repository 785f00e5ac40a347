/**
 * Slack's request signing (v0): `X-Slack-Signature: v0=<hex>` where hex is HMAC-SHA256 of
 * `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Largest distance, either way, between a request's timestamp and our clock. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export interface SignatureHeaders {
  timestamp: string;
  signature: string;
}

export type HeaderCheck =
  | { kind: 'signed'; headers: SignatureHeaders }
  | { kind: 'unsigned' }
  | { kind: 'refused'; reason: string };

/**
 * Checks the signature headers before the body is read: a stale or future timestamp, or a
 * signature that cannot be v0, is refused without reading anything. `unsigned` means neither
 * header is present (only an ssl_check may be unsigned).
 */
export function checkSignatureHeaders(headers: IncomingHttpHeaders, nowSeconds: number): HeaderCheck {
  const timestamp = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (timestamp === undefined && signature === undefined) return { kind: 'unsigned' };
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) {
    return { kind: 'refused', reason: 'missing or malformed X-Slack-Request-Timestamp' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { kind: 'refused', reason: `timestamp ${timestamp} is more than 5 minutes off` };
  }
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return { kind: 'refused', reason: 'missing or malformed X-Slack-Signature' };
  }
  return { kind: 'signed', headers: { timestamp, signature } };
}

/** The v0 signature of `body` at `timestamp`. */
export function signatureOf(signingSecret: string, timestamp: string, body: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/** True when `headers.signature` signs `body`; compared in constant time. */
export function hasValidSignature(signingSecret: string, headers: SignatureHeaders, body: Buffer): boolean {
  const expected = Buffer.from(signatureOf(signingSecret, headers.timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
