/**
 * Retries of one provider call: a transient LicenseProviderError is tried again after the shared
 * backoff, up to `maxAttempts`; a lasting one is a refusal; any other error is a crash and is
 * rethrown.
 */
import { type BackoffOptions, backoffDelay } from '../backoff.js';
import { isLicenseProviderError, type LicenseProviderError } from '../providers/license-provider.js';

export interface RetryPolicy {
  /** Attempts, the first included (at least 1). */
  maxAttempts: number;
  backoff: BackoffOptions;
  sleep: (ms: number) => Promise<void>;
  /** Awaited before every attempt (a write waits for its tenant's pace). */
  beforeAttempt?: () => Promise<void>;
  /** Told of a server's Retry-After before the backoff (the tenant's pacer holds back). */
  onRetryAfter?: (ms: number) => void;
}

/** `exhausted`: every attempt failed transiently, so the last error is not the backend's verdict. */
export type Refusal = { ok: false; error: LicenseProviderError; exhausted: boolean };
export type Retried<T> = { ok: true; value: T } | Refusal;

export async function retryTransient<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<Retried<T>> {
  for (let attempt = 1; ; attempt++) {
    await policy.beforeAttempt?.();
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      if (!isLicenseProviderError(error)) throw error;
      if (!error.transient) return { ok: false, error, exhausted: false };
      if (attempt >= policy.maxAttempts) return { ok: false, error, exhausted: true };
      if (error.retryAfterMs !== undefined) policy.onRetryAfter?.(error.retryAfterMs);
      await policy.sleep(backoffDelay(attempt, error.retryAfterMs, policy.backoff));
    }
  }
}
