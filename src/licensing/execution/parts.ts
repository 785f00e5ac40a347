/**
 * A part is one product of one user's change (assign or revoke), the unit a result is recorded
 * for. These rules say which parts still need a result and which a user's holdings show applied.
 */
import type { LicenseProviderError } from '../../providers/license-provider.js';
import type { ChangeItem, ChangeRequest, ItemResult, Operation, UserChange, UserLicense } from '../model.js';
import { samePlans } from '../plan.js';
import { resultKey } from '../result-key.js';

export interface Part {
  op: Operation;
  skuId: string;
  disabledPlans: string[];
}

export type Results = ChangeRequest['results'];

export const isRecorded = (results: Results, userId: string, skuId: string, op: Operation): boolean =>
  results[resultKey(userId, skuId, op)] !== undefined;

/** The item's planned parts that have no result yet, assignments first, in plan order. */
export function pendingParts(item: ChangeItem, results: Results): Part[] {
  return [
    ...item.change.assign
      .filter((part) => !isRecorded(results, item.userId, part.skuId, 'assign'))
      .map((part) => ({ op: 'assign' as const, skuId: part.skuId, disabledPlans: part.disabledPlans })),
    ...item.change.revoke
      .filter((skuId) => !isRecorded(results, item.userId, skuId, 'revoke'))
      .map((skuId) => ({ op: 'revoke' as const, skuId, disabledPlans: [] })),
  ];
}

/** The item's planned no-ops that have no result yet. */
export function pendingNoops(item: ChangeItem, results: Results): ChangeItem['noops'] {
  return item.noops.filter((noop) => !isRecorded(results, item.userId, noop.skuId, noop.op));
}

export const hasPendingWork = (item: ChangeItem, results: Results): boolean =>
  pendingParts(item, results).length > 0 || pendingNoops(item, results).length > 0;

/** An assignment is applied when the user holds it directly with the same plans off. */
export function isApplied(part: Part, license: UserLicense | undefined): boolean {
  return part.op === 'assign'
    ? license?.direct === true && samePlans(license.disabledPlans, part.disabledPlans)
    : license === undefined;
}

/** The parts the user's licenses show applied. */
export function appliedParts(parts: readonly Part[], licenses: readonly UserLicense[]): Part[] {
  return parts.filter((part) =>
    isApplied(
      part,
      licenses.find((license) => license.skuId === part.skuId),
    ),
  );
}

export function toChange(parts: readonly Part[]): UserChange {
  return {
    assign: parts
      .filter((part) => part.op === 'assign')
      .map((part) => ({ skuId: part.skuId, disabledPlans: part.disabledPlans })),
    revoke: parts.filter((part) => part.op === 'revoke').map((part) => part.skuId),
  };
}

/** A refusal about the user, not a product: trying the products one by one would only repeat it. */
export function isAboutTheUser(error: LicenseProviderError, parts: readonly Part[]): boolean {
  if (error.reason === 'user_not_found') return true;
  return error.reason === 'usage_location_missing' && parts.every((part) => part.op === 'assign');
}

/**
 * What a refusal records. After every attempt failed transiently the last error is not the
 * backend's verdict on the change, so only throttling keeps its reason; the rest is provider_error.
 */
export function failureOf(
  error: LicenseProviderError,
  exhausted: boolean,
): Pick<ItemResult, 'reason' | 'detail'> {
  return {
    reason: exhausted ? (error.reason === 'throttled' ? 'throttled' : 'provider_error') : error.reason,
    detail: error.message,
  };
}

/** Builds a part's result, stamped with the time it was settled. */
export type Settle = (
  part: Part,
  outcome: ItemResult['outcome'],
  extra?: Pick<ItemResult, 'reason' | 'detail' | 'note' | 'changedSince'>,
) => ItemResult;

export function settlerFor(userId: string, now: () => Date): Settle {
  return (part, outcome, extra = {}) => ({
    userId,
    skuId: part.skuId,
    op: part.op,
    outcome,
    ...extra,
    at: now().toISOString(),
  });
}
