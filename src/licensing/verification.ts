/**
 * What a run reported, checked against what the tenant holds after it. A result is kept when the
 * user's licenses agree with it:
 * - assign success: held directly with the planned service plans turned off (the same set);
 * - revoke success: not held directly (a group may still give it);
 * - assign no change: held, directly or through a group;
 * - revoke no change: not held directly;
 * - failed, or an undo's part left as it is (`changedSince`): the part is not applied (parts.ts's
 *   isApplied): a tenant that shows it applied makes the report a false one, a mismatch too.
 * Pure: the reads and their retries are in verification-run.ts.
 */
import { isApplied, type Part } from './execution/parts.js';
import type { ChangeRequest, ItemResult, Mismatch, TenantFinding, UserLicense } from './model.js';
import { samePlans } from './plan.js';
import { resultKey } from './result-key.js';

/** A reported result with the part it was for (the plans an assignment was to leave off). */
export interface ReportedPart {
  result: Pick<ItemResult, 'userId' | 'skuId' | 'op' | 'outcome' | 'changedSince'>;
  part: Part;
}

/**
 * Every result of the request with its planned part, planned no-ops without a recorded result
 * included (as "no change", the way the thread and the CSV report them).
 */
export function reportedParts(request: Pick<ChangeRequest, 'items' | 'results'>): ReportedPart[] {
  const reported: ReportedPart[] = [];
  for (const item of request.items) {
    const { userId } = item;
    const parts: Part[] = [
      ...item.change.assign.map((a) => ({
        op: 'assign' as const,
        skuId: a.skuId,
        disabledPlans: a.disabledPlans,
      })),
      ...item.change.revoke.map((skuId) => ({ op: 'revoke' as const, skuId, disabledPlans: [] })),
      ...item.noops.map((n) => ({ op: n.op, skuId: n.skuId, disabledPlans: [] })),
    ];
    const seen = new Set<string>();
    for (const part of parts) {
      const key = resultKey(userId, part.skuId, part.op);
      if (seen.has(key)) continue;
      seen.add(key);
      const result = request.results[key];
      const planned = item.noops.some((n) => n.skuId === part.skuId && n.op === part.op);
      if (result) reported.push({ result, part });
      else if (planned)
        reported.push({ result: { userId, skuId: part.skuId, op: part.op, outcome: 'noop' }, part });
    }
  }
  return reported;
}

/** The users whose holdings the check needs, in run order, each once. */
export function touchedUsers(reported: readonly ReportedPart[]): string[] {
  return [...new Set(reported.map((r) => r.result.userId))];
}

/** What the tenant shows of the product: the finding a mismatch records. */
function findingOf(license: UserLicense | undefined, part: Part): TenantFinding {
  if (license === undefined) return 'not_held';
  if (!license.direct) return 'held_via_group';
  if (part.op === 'assign' && !samePlans(license.disabledPlans, part.disabledPlans)) return 'other_plans';
  return 'held_directly';
}

/** True when the user's license of the product agrees with the reported result. */
export function agrees(reported: ReportedPart, license: UserLicense | undefined): boolean {
  const { result, part } = reported;
  if (result.outcome === 'failed' || result.changedSince) return !isApplied(part, license);
  if (result.op === 'revoke') return license?.direct !== true;
  if (result.outcome === 'noop') return license !== undefined;
  return isApplied(part, license);
}

/**
 * The reported parts the holdings contradict. `holdings` has an entry for every user the tenant
 * still knows; a user it has not is `user_not_found` where the result said the user holds the
 * product (a user gone holds nothing, and a failure for them cannot have been a false one).
 */
export function mismatchesOf(
  reported: readonly ReportedPart[],
  holdings: ReadonlyMap<string, readonly UserLicense[]>,
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  for (const r of reported) {
    const { userId, skuId, op, outcome } = r.result;
    const licenses = holdings.get(userId);
    if (licenses === undefined) {
      if (op === 'assign' && outcome !== 'failed')
        mismatches.push({ userId, skuId, op, reported: outcome, found: 'user_not_found' });
      continue;
    }
    const license = licenses.find((l) => l.skuId === skuId);
    if (!agrees(r, license))
      mismatches.push({ userId, skuId, op, reported: outcome, found: findingOf(license, r.part) });
  }
  return mismatches;
}
