/** Backoff for transient provider failures: exponential with jitter, Retry-After honoured. */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failed (1-based). Without a Retry-After
 * it is "equal jitter": half of min(max, base·2^(attempt−1)) plus a random part of the other half,
 * so retries spread out but still grow. With one, at least the server's delay plus up to 20 %.
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
