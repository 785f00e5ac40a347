/**
 * How fast a run goes when configuration says nothing. The env schema, the service and the
 * executor all read these, so the defaults are stated once.
 */
export const RUN_DEFAULTS = {
  /** Parallel provider calls per run. */
  concurrency: 8,
  /** Writes per second per customer tenant (Graph allows about 20). */
  tenantWritesPerSecond: 15,
  /** Writes per second across all tenants (Graph allows one app about 117). */
  appWritesPerSecond: 100,
} as const;

/**
 * How a finished run is checked against the tenant when configuration says nothing: the wait after
 * its last write (Graph's directory is eventually consistent), the reads of a user whose holdings
 * contradict a result, and the first pause between two of those reads (it doubles).
 */
export const VERIFY_DEFAULTS = { delayMs: 5_000, attempts: 3, retryDelayMs: 1_000 } as const;
