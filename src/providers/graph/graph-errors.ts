/**
 * Graph error catalogue (reference §1.6) → FailureReason, by HTTP status, `error.code` and
 * message substring (Graph messages are English only).
 */
import { classifyDirectoryMessage } from '../directory-messages.js';
import { isStatusAnswer, type ProviderFailure, unansweredFailure } from '../provider-failure.js';
import { GraphErrorBody } from './graph-wire.js';

export interface GraphFailure extends ProviderFailure {
  /** "invalid usage location": missing vs not allowed depends on the user's current value. */
  usageLocation: boolean;
}

export function graphErrorText(body: unknown): { code: string | undefined; message: string | undefined } {
  const parsed = GraphErrorBody.safeParse(body);
  if (parsed.success) return { code: parsed.data.error.code, message: parsed.data.error.message };
  return { code: undefined, message: typeof body === 'string' && body.length > 0 ? body : undefined };
}

export function classifyGraphError(error: unknown): GraphFailure {
  if (!isStatusAnswer(error)) return { ...noDetail, ...unansweredFailure(error) };
  return classifyGraphAnswer(error);
}

/** A Graph answer with a non-2xx status: a whole call's, or one item's of a $batch. */
export interface GraphAnswer {
  status: number;
  body: unknown;
  retryAfterMs: number | undefined;
}

export function classifyGraphAnswer(answer: GraphAnswer): GraphFailure {
  const base = noDetail;
  const { code, message } = graphErrorText(answer.body);
  const text = message ?? `Graph answered ${answer.status}${code ? ` (${code})` : ''}`;
  if (answer.status === 429 || answer.status === 503) {
    return {
      ...base,
      reason: 'throttled',
      message: text,
      transient: true,
      retryAfterMs: answer.retryAfterMs,
    };
  }
  if (answer.status >= 500) {
    return {
      ...base,
      reason: 'provider_error',
      message: text,
      transient: true,
      retryAfterMs: answer.retryAfterMs,
    };
  }
  if (answer.status === 404) return { ...base, reason: 'user_not_found', message: text };
  const known = answer.status === 400 ? classifyDirectoryMessage(text) : null;
  return { ...base, ...known, reason: known?.reason ?? 'provider_error', message: text };
}

const noDetail = { retryAfterMs: undefined, skuId: undefined, usageLocation: false, transient: false };
