/**
 * The one backoff for retries of transient failures, shared by the executor's provider calls, the
 * HTTP client's reads, the verification's re-reads and the file writer's probes of an unwritable
 * disk: exponential with jitter, a server's Retry-After honoured. It lives outside src/licensing
 * and src/providers because both use it and neither may import the other.
 */
export interface BackoffOptions {
  /** The ceiling of the first wait; it doubles per attempt. */
  baseDelayMs: number;
  /** The largest ceiling when the server names no delay. */
  maxDelayMs: number;
  random: () => number;
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failed (1-based). Without a Retry-After
 * it is "equal jitter": half of min(max, base·2^(attempt−1)) plus a random part of the other half,
 * so retries spread out but still grow. With one, at least the server's delay plus up to 20 %, so
 * callers told the same delay do not all come back at once.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) {
    return retryAfterMs * (1 + 0.2 * options.random());
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (options.random() * ceiling) / 2;
}
