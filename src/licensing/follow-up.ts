/**
 * What a follow-up request sends: a request made from an earlier one, as each user's own parts
 * (plan.ts UserParts), planned again against the tenant as it is when it is made. Pure; the
 * service's part that loads, plans and submits follow-ups is service-follow-up.ts.
 *
 * Retry: the earlier request's failed parts whose reason a later attempt can get past, never a
 * part that succeeded, and not one a completed retry of it has done since.
 */
import type { ChangeRequest, FailureReason, ItemResult, RequestStatus } from './model.js';
import type { PartChoice, UserParts } from './plan.js';
import { resultKey } from './result-key.js';
import { isPlanChange } from './run-counts.js';

/** Failure reasons a later attempt can get past: transient ones, and those fixed outside (seats bought, a location set). */
export const RETRYABLE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>([
  'throttled',
  'provider_error',
  'insufficient_licenses',
  'usage_location_missing',
]);

/** Statuses of a follow-up that is not finished: another follow-up of the same request waits for it. */
export const UNFINISHED: readonly RequestStatus[] = ['pending_approval', 'approved', 'running'];

/** True for a failed part whose reason a retry can get past. */
export function isRetryable(result: ItemResult | undefined): boolean {
  return result?.outcome === 'failed' && result.reason !== undefined && RETRYABLE_REASONS.has(result.reason);
}

/** The planned parts of an item, each with its result key. */
function partsOf(item: ChangeRequest['items'][number]) {
  return [
    ...item.change.assign.map((part) => ({
      key: resultKey(item.userId, part.skuId, 'assign'),
      skuId: part.skuId,
      assign: part,
    })),
    ...item.change.revoke.map((skuId) => ({
      key: resultKey(item.userId, skuId, 'revoke'),
      skuId,
      assign: null,
    })),
  ];
}

/**
 * The failed results of `request` a retry sends again, in the request's order: retryable ones,
 * less the parts of `doneSince` (result keys a completed retry of it has done since).
 */
export function retryableFailures(
  request: Pick<ChangeRequest, 'items' | 'results'>,
  doneSince: ReadonlySet<string> = new Set(),
): ItemResult[] {
  const failures: ItemResult[] = [];
  for (const item of request.items) {
    for (const { key } of partsOf(item)) {
      const result = request.results[key];
      if (result !== undefined && isRetryable(result) && !doneSince.has(key)) failures.push(result);
    }
  }
  return failures;
}

/**
 * The parts a retry of `request` sends, user by user in the request's order. An assignment keeps
 * the plans it was planned with; one that was a new license stays one (`newOnly`: a user who has
 * the product by now is a no-op, whatever its plans), a plan change stays a plan change.
 */
export function retryParts(
  request: Pick<ChangeRequest, 'items' | 'results'>,
  doneSince: ReadonlySet<string> = new Set(),
): UserParts[] {
  const retried = new Set(
    retryableFailures(request, doneSince).map((r) => resultKey(r.userId, r.skuId, r.op)),
  );
  const parts: UserParts[] = [];
  for (const item of request.items) {
    const assign: PartChoice[] = [];
    const revoke: string[] = [];
    for (const { key, skuId, assign: planned } of partsOf(item)) {
      if (!retried.has(key)) continue;
      if (planned === null) {
        revoke.push(skuId);
        continue;
      }
      const newOnly = !isPlanChange(item, skuId);
      assign.push({ skuId, disabledPlans: [...planned.disabledPlans], ...(newOnly ? { newOnly } : {}) });
    }
    if (assign.length + revoke.length > 0) parts.push({ userId: item.userId, assign, revoke });
  }
  return parts;
}

/** Result keys the given follow-ups got done (succeeded, or found already done): never sent again. */
export function doneBy(followUps: readonly Pick<ChangeRequest, 'results'>[]): Set<string> {
  const done = new Set<string>();
  for (const followUp of followUps) {
    for (const [key, result] of Object.entries(followUp.results)) {
      if (result.outcome !== 'failed') done.add(key);
    }
  }
  return done;
}

/** The results of `request` for the given parts (what a retry of them sends again), in the parts' order. */
export function resultsOfParts(
  request: Pick<ChangeRequest, 'results'>,
  parts: readonly UserParts[],
): ItemResult[] {
  const keys = parts.flatMap((part) => [
    ...part.assign.map((choice) => resultKey(part.userId, choice.skuId, 'assign')),
    ...part.revoke.map((skuId) => resultKey(part.userId, skuId, 'revoke')),
  ]);
  return keys.flatMap((key) => request.results[key] ?? []);
}
