/**
 * Graph error catalogue (reference §1.6) → FailureReason, by HTTP status, `error.code` and
 * message substring (Graph messages are English only).
 */
import type { FailureReason } from '../../licensing/model.js';
import { isStatusAnswer, type ProviderFailure, unansweredFailure } from '../provider-failure.js';
import { GraphErrorBody } from './graph-wire.js';

export interface GraphFailure extends ProviderFailure {
  /** "invalid usage location": missing vs not allowed depends on the user's current value. */
  usageLocation: boolean;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const substringRules: Array<{ text: string; reason: FailureReason; skuInMessage: boolean }> = [
  { text: 'does not have any available licenses', reason: 'insufficient_licenses', skuInMessage: true },
  { text: 'mutually exclusive', reason: 'mutually_exclusive', skuInMessage: false },
  { text: 'depends on the service plan', reason: 'missing_prerequisite', skuInMessage: false },
  { text: 'inherited from a group', reason: 'inherited_from_group', skuInMessage: false },
  { text: 'does not correspond to a valid company license', reason: 'provider_error', skuInMessage: true },
  { text: 'does not have a corresponding license', reason: 'provider_error', skuInMessage: false },
  { text: 'cannot be assigned to a user', reason: 'provider_error', skuInMessage: true },
];

export function graphErrorText(body: unknown): { code: string | undefined; message: string | undefined } {
  const parsed = GraphErrorBody.safeParse(body);
  if (parsed.success) return { code: parsed.data.error.code, message: parsed.data.error.message };
  return { code: undefined, message: typeof body === 'string' && body.length > 0 ? body : undefined };
}

export function classifyGraphError(error: unknown): GraphFailure {
  const base = { retryAfterMs: undefined, skuId: undefined, usageLocation: false, transient: false };
  if (!isStatusAnswer(error)) return { ...base, ...unansweredFailure(error) };
  const { code, message } = graphErrorText(error.body);
  const text = message ?? `Graph answered ${error.status}${code ? ` (${code})` : ''}`;
  if (error.status === 429 || error.status === 503) {
    return { ...base, reason: 'throttled', message: text, transient: true, retryAfterMs: error.retryAfterMs };
  }
  if (error.status >= 500) {
    return {
      ...base,
      reason: 'provider_error',
      message: text,
      transient: true,
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error.status === 404) return { ...base, reason: 'user_not_found', message: text };
  const known = error.status === 400 ? classifyDirectoryMessage(text) : null;
  return { ...base, ...known, reason: known?.reason ?? 'provider_error', message: text };
}

/**
 * The directory's licensing messages, which Partner Center passes through too. "Invalid usage
 * location" covers both a missing value and a country the product is not sold in; the caller
 * decides by looking at the user (`usageLocation: true`).
 */
export function classifyDirectoryMessage(
  text: string,
): { reason: FailureReason; skuId: string | undefined; usageLocation: boolean } | null {
  const lower = text.toLowerCase();
  if (lower.includes('invalid usage location')) {
    return { reason: 'usage_location_missing', skuId: undefined, usageLocation: true };
  }
  for (const rule of substringRules) {
    if (lower.includes(rule.text)) {
      const skuId = rule.skuInMessage ? GUID.exec(text)?.[0]?.toLowerCase() : undefined;
      return { reason: rule.reason, skuId, usageLocation: false };
    }
  }
  return null;
}
