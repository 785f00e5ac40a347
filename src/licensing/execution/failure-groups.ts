/**
 * Failures that read alike, for the thread and the summary: grouped by operation, product and
 * reason, and within a group by what blocked them (the same held product, the same missing
 * plan…). Pure.
 */
import type { FailureExplanation, FailureReason, ItemResult, Operation } from '../model.js';

/** Users of a group blocked by the same thing (`blockedBy` undefined: nothing named). */
export interface Blocker {
  blockedBy: FailureExplanation | undefined;
  userIds: string[];
}

/** The failures of one operation, product and reason. */
export interface FailureGroup {
  op: Operation;
  skuId: string;
  reason: FailureReason | undefined;
  /** A provider_error's own words, when they name no id (nothing else says what went wrong). */
  quote: string | undefined;
  userIds: string[];
  /** Largest first. */
  blockers: Blocker[];
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The words of a provider_error that may be quoted: one line, at most 300 characters, no id in them. */
function quotable(r: ItemResult): string | undefined {
  if (r.reason !== 'provider_error' || !r.detail || ID.test(r.detail)) return undefined;
  const line = r.detail.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** What makes two explanations the same blocker (names aside: ids decide). */
function blockerKey(e: FailureExplanation | undefined): string {
  if (e === undefined) return '';
  const products = e.products.map((p) => p.skuId).sort();
  return JSON.stringify([e.kind, e.held, products, [...e.plans].sort(), e.country ?? '']);
}

/** The failed results grouped by operation, product and reason, in order of first appearance. */
export function groupFailures(results: readonly ItemResult[]): FailureGroup[] {
  const groups = new Map<string, { group: FailureGroup; blockers: Map<string, Blocker> }>();
  for (const r of results) {
    if (r.outcome !== 'failed') continue;
    const quote = quotable(r);
    const key = JSON.stringify([r.op, r.skuId, r.reason ?? '', quote ?? '']);
    let entry = groups.get(key);
    if (entry === undefined) {
      const group = { op: r.op, skuId: r.skuId, reason: r.reason, quote, userIds: [], blockers: [] };
      entry = { group, blockers: new Map() };
      groups.set(key, entry);
    }
    entry.group.userIds.push(r.userId);
    const by = blockerKey(r.blockedBy);
    const blocker = entry.blockers.get(by) ?? { blockedBy: r.blockedBy, userIds: [] };
    blocker.userIds.push(r.userId);
    entry.blockers.set(by, blocker);
  }
  return [...groups.values()].map(({ group, blockers }) => ({
    ...group,
    blockers: [...blockers.values()].sort((a, b) => b.userIds.length - a.userIds.length),
  }));
}

/** The blockers of a group as one explanation (products and plans of all, by name), for its fix. */
export function mergedExplanation(blockers: readonly Blocker[]): FailureExplanation | undefined {
  const known = blockers.flatMap((b) => b.blockedBy ?? []);
  const [first] = known;
  if (first === undefined) return undefined;
  const products = new Map(known.flatMap((e) => e.products).map((p) => [p.skuId, p]));
  const countries = new Set(known.map((e) => e.country));
  return {
    kind: first.kind,
    held: first.held,
    products: [...products.values()].sort((a, b) => a.name.localeCompare(b.name)),
    plans: [...new Set(known.flatMap((e) => e.plans))],
    ...(countries.size === 1 && first.country ? { country: first.country } : {}),
  };
}

/**
 * How many of each group to name within `budget` names in all: an equal share each, what a small
 * group leaves going to the others, so a small group is named in full beside a large one.
 */
export function namedShares(sizes: readonly number[], budget: number): number[] {
  const shares = sizes.map(() => 0);
  let left = Math.max(0, Math.floor(budget));
  let open = sizes.map((_, i) => i).filter((i) => (sizes[i] ?? 0) > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      const add = Math.min(each, (sizes[i] ?? 0) - (shares[i] ?? 0), left);
      shares[i] = (shares[i] ?? 0) + add;
      left -= add;
    }
    open = open.filter((i) => (shares[i] ?? 0) < (sizes[i] ?? 0));
  }
  return shares;
}
