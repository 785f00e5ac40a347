/**
 * Partner Center errors (reference §2.6–2.8) → FailureReason. Its own codes first (60012 no
 * seats, 60002 user not found), then the directory's text it passes through, then HTTP status.
 */
import { classifyDirectoryMessage, guidsIn } from '../directory-messages.js';
import { parseRetryAfter } from '../http.js';
import { isStatusAnswer, type ProviderFailure, unansweredFailure } from '../provider-failure.js';
import { PcError, PcThrottle } from './pc-wire.js';

export interface PcFailure extends ProviderFailure {
  usageLocation: boolean;
  code: number | undefined;
}

/** Partner Center HTML-escapes some descriptions ("We&#39;re sorry"). */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function classifyPcError(error: unknown): PcFailure {
  const base = {
    transient: false,
    retryAfterMs: undefined,
    skuId: undefined,
    usageLocation: false,
    code: undefined,
  };
  if (!isStatusAnswer(error)) return { ...base, ...unansweredFailure(error) };

  const throttle = PcThrottle.safeParse(error.body);
  if (error.status === 429) {
    const message = throttle.success ? throttle.data.message : 'Rate limit is exceeded.';
    const fromBody = /try again in (\d+(?:\.\d+)?) seconds?/i.exec(message)?.[1];
    return {
      ...base,
      reason: 'throttled',
      message,
      transient: true,
      retryAfterMs: error.retryAfterMs ?? parseRetryAfter(fromBody),
    };
  }
  const parsed = PcError.safeParse(error.body);
  const code = parsed.success && parsed.data.code !== undefined ? Number(parsed.data.code) : undefined;
  const description = parsed.success ? unescapeHtml(parsed.data.description ?? '') : '';
  const data = parsed.success ? (parsed.data.data ?? []).map(unescapeHtml) : [];
  const message =
    description ||
    data[0] ||
    (typeof error.body === 'string' ? error.body : `Partner Center answered ${error.status}`);
  const all = [description, ...data].join(' ');
  if (error.status >= 500) {
    return {
      ...base,
      code,
      reason: error.status === 503 ? 'throttled' : 'provider_error',
      message,
      transient: true,
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (code === 60012) {
    const skuId = guidsIn(all).at(-1);
    return { ...base, code, reason: 'insufficient_licenses', message, skuId };
  }
  if (code === 60002) return { ...base, code, reason: 'user_not_found', message };
  const known = classifyDirectoryMessage(all);
  if (known)
    return { ...base, ...known, code, message: data.find((d) => classifyDirectoryMessage(d)) ?? message };
  if (error.status === 404 && code !== 60003) return { ...base, code, reason: 'user_not_found', message };
  return { ...base, code, reason: 'provider_error', message };
}
