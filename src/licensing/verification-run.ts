/**
 * Verifying a finished run: a short wait after its last write (Graph's directory is eventually
 * consistent: a read right after a write may still show the old state), then the holdings of every
 * user it touched read in batches, and the users whose holdings contradict a result read again,
 * with backoff, up to `attempts` reads in all. What still disagrees on the last read is a mismatch.
 * A read that keeps failing, or a deadline reached, ends as "could not verify", never "verified".
 */
import { backoffDelay } from '../backoff.js';
import { readHoldings, type TenantCalls } from './execution/attempt.js';
import { runPool } from './execution/worker-pool.js';
import type { ChangeRequest, Mismatch, UserLicense, Verification } from './model.js';
import { resultKey } from './result-key.js';
import type { RunLogger } from './service-types.js';
import { mismatchesOf, type ReportedPart, reportedParts, touchedUsers } from './verification.js';

/** How verification waits and retries (VERIFY_DELAY_MS, VERIFY_ATTEMPTS). */
export interface VerificationSettings {
  /** Wait after the run's last write before the first read. */
  delayMs: number;
  /** Reads of a user whose holdings contradict a result, the first included (at least 1). */
  attempts: number;
  /** The first wait between two reads of those users; it doubles (with jitter) per attempt. */
  retryDelayMs: number;
}

export interface VerifyDeps {
  calls: TenantCalls;
  settings: VerificationSettings;
  /** Users whose holdings are read in one call. */
  batchSize: number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  random: () => number;
  logger: RunLogger;
  /** When the verdict must be in (ms since the epoch): a queued finisher's share of its job's time. */
  until?: number;
}

/** Batch reads in flight at once: a 1,000-user run is read back in about three round trips. */
const READS_IN_FLIGHT = 4;

type Read = { ok: true; holdings: Map<string, UserLicense[]> } | { ok: false };

/** The verdict on `request`'s results (every part has one: the run is finished). */
export async function verifyRun(request: ChangeRequest, deps: VerifyDeps): Promise<Verification> {
  const { settings, now } = deps;
  const reported = reportedParts(request);
  const verdict = (rest: Pick<Verification, 'mismatches' | 'unverified'>): Verification => ({
    at: now().toISOString(),
    checked: reported.length,
    ...rest,
  });
  const wait = lastWriteAt(request) + settings.delayMs - now().getTime();
  if (wait > 0) {
    if (pastDeadline(deps, wait)) return verdict({ mismatches: [], unverified: 'out_of_time' });
    await deps.sleep(wait);
  }
  let suspects: ReportedPart[] = reported;
  let mismatches: Mismatch[] = [];
  for (let attempt = 1; attempt <= Math.max(1, settings.attempts); attempt++) {
    if (attempt > 1) {
      const pause = backoffDelay(attempt - 1, undefined, {
        baseDelayMs: settings.retryDelayMs,
        maxDelayMs: settings.retryDelayMs * 8,
        random: deps.random,
      });
      if (pastDeadline(deps, pause)) return verdict({ mismatches: [], unverified: 'out_of_time' });
      await deps.sleep(pause);
    }
    const read = await readTouched(touchedUsers(suspects), deps);
    if (!read.ok) return verdict({ mismatches: [], unverified: read.reason });
    mismatches = mismatchesOf(suspects, read.holdings);
    if (mismatches.length === 0) break;
    // Only the parts that disagreed are read again: a mismatch is one that disagreed on every read.
    const still = new Set(mismatches.map((m) => resultKey(m.userId, m.skuId, m.op)));
    suspects = suspects.filter((r) => still.has(resultKey(r.result.userId, r.result.skuId, r.result.op)));
  }
  return verdict({ mismatches });
}

/**
 * The holdings of `userIds`, READS_IN_FLIGHT batches at a time; the first failed read, or the
 * deadline, stops it.
 */
async function readTouched(
  userIds: readonly string[],
  deps: VerifyDeps,
): Promise<
  { ok: true; holdings: Map<string, UserLicense[]> } | { ok: false; reason: 'read_failed' | 'out_of_time' }
> {
  const holdings = new Map<string, UserLicense[]>();
  let failed: 'read_failed' | 'out_of_time' | undefined;
  const batches = Math.ceil(userIds.length / deps.batchSize);
  const readBatch = async (index: number) => {
    if (pastDeadline(deps, 0)) failed ??= 'out_of_time';
    if (failed !== undefined) return;
    const read = await safeRead(userIds.slice(index * deps.batchSize, (index + 1) * deps.batchSize), deps);
    if (!read.ok) failed ??= 'read_failed';
    else for (const [userId, licenses] of read.holdings) holdings.set(userId, licenses);
  };
  await runPool(batches, READS_IN_FLIGHT, readBatch, () => failed !== undefined);
  return failed === undefined ? { ok: true, holdings } : { ok: false, reason: failed };
}

/** One batch read with the reads' retries; any error is a failed read (verification never stops a run). */
async function safeRead(userIds: string[], deps: VerifyDeps): Promise<Read> {
  try {
    const read = await readHoldings(deps.calls, userIds);
    if (read.ok) return read;
    deps.logger.warn(`[verification] reading holdings failed: ${read.error.message}`);
  } catch (error) {
    deps.logger.warn('[verification] reading holdings failed:', error);
  }
  return { ok: false };
}

const pastDeadline = (deps: VerifyDeps, waitMs: number): boolean =>
  deps.until !== undefined && deps.now().getTime() + waitMs > deps.until;

/** When the run last changed the tenant (ms): its latest result. */
function lastWriteAt(request: ChangeRequest): number {
  let latest = 0;
  for (const result of Object.values(request.results)) latest = Math.max(latest, Date.parse(result.at) || 0);
  return latest;
}
