/**
 * One user's item: its planned no-ops, then its pending parts checked against the holdings read
 * at run time (which settle what needs no call: an undo's part changed since, changed-since.ts;
 * a replacement that cannot land, replace-pairs.ts; a part applied already), then the rest
 * applied (a replacement's two parts in one call).
 */
import type { PlanExclusion } from '../eligibility.js';
import type { ChangeItem, ItemResult, Product, UserLicense } from '../model.js';
import type { AttemptParts } from './apply-parts.js';
import { applyParts } from './apply-parts.js';
import { settleChangedSince } from './changed-since.js';
import { explainFailure } from './failure-explanation.js';
import type { Holdings } from './holdings-prefetch.js';
import {
  failureOf,
  isApplied,
  type Part,
  pendingNoops,
  pendingParts,
  type Results,
  type Settle,
  settlerFor,
} from './parts.js';
import { settlePairs } from './replace-pairs.js';

/** What failures are named from: the customer's products and the provider's plan exclusions. */
export interface Catalogue {
  products: readonly Product[];
  exclusions: readonly PlanExclusion[];
}

export interface ItemDeps {
  /** The results recorded so far: parts with one are not run again. */
  results: Results;
  /** The holdings batch that holds this item's user. */
  holdings: () => Promise<Holdings>;
  attempt: (userId: string) => AttemptParts;
  /** True when continuing an interrupted run (see settleByHoldings). */
  resumed: boolean;
  now: () => Date;
  /**
   * The customer's products (and the provider's plan exclusions), read once per run when a refusal
   * names service plans (null when the read failed): what blocked such a failure is then named.
   */
  catalogue?: () => Promise<Catalogue | null>;
}

/** The item's new results (none when everything already has one). */
export async function runItem(item: ChangeItem, deps: ItemDeps): Promise<ItemResult[]> {
  const results: ItemResult[] = pendingNoops(item, deps.results).map((noop) => ({
    userId: item.userId,
    skuId: noop.skuId,
    op: noop.op,
    outcome: 'noop',
    ...(noop.changedSince ? { changedSince: true } : {}),
    at: deps.now().toISOString(),
  }));
  const parts = pendingParts(item, deps.results);
  if (parts.length === 0) return results;
  const settle = settlerFor(item.userId, deps.now);
  const read = await deps.holdings();
  if (!read.ok) return [...results, ...parts.map((part) => settle(part, 'failed', failureOfRead(read)))];
  const licenses = read.holdings.get(item.userId);
  if (!licenses) {
    return [...results, ...parts.map((part) => settle(part, 'failed', { reason: 'user_not_found' }))];
  }
  const changed = settleChangedSince(item, parts, licenses, settle);
  const pairs = settlePairs(item, changed.rest, { licenses, results: deps.results, settle });
  const { settled, toApply } = settleByHoldings(pairs.rest, licenses, deps.resumed, settle);
  const applied = await applyParts(toApply, deps.attempt(item.userId), settle, item.replaces);
  const decided = [...changed.settled, ...pairs.settled, ...settled, ...applied];
  return [...results, ...(await explained(decided, licenses, item, deps))];
}

/** Refusals whose provider message names service plans: those explainFailure can name. */
const namesPlans = (result: ItemResult): boolean =>
  result.outcome === 'failed' &&
  result.detail !== undefined &&
  (result.reason === 'mutually_exclusive' ||
    result.reason === 'missing_prerequisite' ||
    result.reason === 'usage_location_not_allowed');

/** The results, each refusal that names service plans with what blocked it (`blockedBy`). */
async function explained(
  results: ItemResult[],
  licenses: readonly UserLicense[],
  item: ChangeItem,
  deps: ItemDeps,
): Promise<ItemResult[]> {
  if (deps.catalogue === undefined || !results.some(namesPlans)) return results;
  const catalogue = await deps.catalogue();
  if (catalogue === null) return results;
  const assigned = item.change.assign.map((part) => part.skuId);
  return results.map((result) => {
    if (!namesPlans(result)) return result;
    const { products, exclusions } = catalogue;
    const blockedBy = explainFailure({
      result,
      holdings: licenses,
      catalogue: products,
      assigned,
      exclusions,
    });
    return blockedBy ? { ...result, blockedBy } : result;
  });
}

/**
 * Settles the parts the user's licenses decide without a call. A part already applied is `success`
 * in a resumed run (the interrupted run applied it and stopped before recording) and `noop` in a
 * fresh one (the tenant changed since planning). A license held through a group satisfies an
 * assignment (`noop`) but cannot be revoked from the user (`inherited_from_group`).
 */
export function settleByHoldings(
  parts: readonly Part[],
  licenses: readonly UserLicense[],
  resumed: boolean,
  settle: Settle,
): { settled: ItemResult[]; toApply: Part[] } {
  const settled: ItemResult[] = [];
  const toApply: Part[] = [];
  for (const part of parts) {
    const license = licenses.find((held) => held.skuId === part.skuId);
    if (isApplied(part, license)) settled.push(settle(part, resumed ? 'success' : 'noop'));
    else if (license && !license.direct && part.op === 'assign') settled.push(settle(part, 'noop'));
    else if (license && !license.direct)
      settled.push(settle(part, 'failed', { reason: 'inherited_from_group' }));
    else toApply.push(part);
  }
  return { settled, toApply };
}

/** A batch read that kept failing transiently: its parts fail as an exhausted call would. */
const failureOfRead = (read: Extract<Holdings, { ok: false }>) => failureOf(read.error, true);
