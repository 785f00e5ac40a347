/**
 * The failure pieces both real providers share: what an error with no HTTP status to read means,
 * and how a classified failure becomes the port's LicenseProviderError. Reading a status answer
 * stays with each provider (their bodies and codes differ).
 */
import type { FailureReason } from '../licensing/model.js';
import { HttpError } from './http.js';
import { LicenseProviderError } from './license-provider.js';

/** A failed call as a provider classified it, before it crosses the port. */
export interface ProviderFailure {
  reason: FailureReason;
  message: string;
  transient: boolean;
  retryAfterMs: number | undefined;
  skuId: string | undefined;
}

/** An HTTP answer with a non-2xx status: the only kind of error a provider reads further. */
export function isStatusAnswer(error: unknown): error is HttpError {
  return error instanceof HttpError && error.code === 'http_status';
}

/**
 * Any other error: a LicenseProviderError keeps its reason, a time-out or network failure is a
 * transient provider_error, anything else (a bug, a bad body) a lasting one.
 */
export function unansweredFailure(error: unknown): Pick<ProviderFailure, 'reason' | 'message' | 'transient'> {
  if (error instanceof LicenseProviderError) {
    return { reason: error.reason, message: error.message, transient: error.transient };
  }
  if (error instanceof HttpError)
    return { reason: 'provider_error', message: error.message, transient: true };
  return {
    reason: 'provider_error',
    message: error instanceof Error ? error.message : String(error),
    transient: false,
  };
}

export function toProviderError(failure: ProviderFailure, cause: unknown): LicenseProviderError {
  return new LicenseProviderError(failure.reason, failure.message, {
    transient: failure.transient,
    retryAfterMs: failure.retryAfterMs,
    skuId: failure.skuId,
    cause,
  });
}
