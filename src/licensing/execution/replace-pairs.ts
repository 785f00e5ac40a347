/**
 * The parts of a "replace A with B" pair (ChangeItem.replaces) stay together: B assigned and A
 * revoked in one call, so the user is never left without a license. Before any call, the user's
 * licenses settle pairs that need none; a pending revoke of A is never applied while its B is
 * neither applied nor held.
 */
import type { ChangeItem, ItemResult, Replacement, UserLicense } from '../model.js';
import { resultKey } from '../result-key.js';
import { isApplied, type Part, type Results, type Settle } from './parts.js';

const findPart = (parts: readonly Part[], op: Part['op'], skuId: string) =>
  parts.find((part) => part.op === op && part.skuId === skuId);

/**
 * The parts grouped into what one call must carry: each pair whose two parts are both here
 * together (in the place of its assignment), every other part alone.
 */
export function unitsOf(parts: readonly Part[], pairs: readonly Replacement[]): Part[][] {
  const partner = new Map<Part, Part>();
  for (const { from, to } of pairs) {
    const assign = findPart(parts, 'assign', to);
    const revoke = findPart(parts, 'revoke', from);
    if (assign && revoke) partner.set(assign, revoke).set(revoke, assign);
  }
  const units: Part[][] = [];
  const placed = new Set<Part>();
  for (const part of parts) {
    if (placed.has(part)) continue;
    const other = partner.get(part);
    const unit = other ? [part, other] : [part];
    for (const p of unit) placed.add(p);
    units.push(unit);
  }
  return units;
}

/**
 * Settles the pairs the user's licenses decide, before the usual per-part rules (settleByHoldings)
 * see the rest. A user who holds B (applied, or through a group) keeps the usual rules: A may go
 * alone. Otherwise the pair did not land: without A there is nothing to replace (both no-ops,
 * even when resuming: the one call that carries them did not land); A held only through a group
 * cannot be revoked, so neither part is applied. A revoke of A whose B already has a result
 * (recorded, not applied) and is not held fails instead of leaving the user without a license.
 */
export function settlePairs(
  item: Pick<ChangeItem, 'userId' | 'replaces'>,
  parts: readonly Part[],
  context: { licenses: readonly UserLicense[]; results: Results; settle: Settle },
): { settled: ItemResult[]; rest: Part[] } {
  const { licenses, results, settle } = context;
  const licenseOf = (skuId: string) => licenses.find((held) => held.skuId === skuId);
  const settled: ItemResult[] = [];
  const done = new Set<Part>();
  const decide = (part: Part, outcome: ItemResult['outcome'], extra: Parameters<Settle>[2] = {}) => {
    settled.push(settle(part, outcome, extra));
    done.add(part);
  };
  for (const { from, to } of item.replaces ?? []) {
    const assign = findPart(parts, 'assign', to);
    const revoke = findPart(parts, 'revoke', from);
    const b = licenseOf(to);
    if (revoke === undefined || (b !== undefined && (!b.direct || assign === undefined))) continue;
    if (b !== undefined && assign !== undefined && isApplied(assign, b)) continue;
    const a = licenseOf(from);
    if (assign === undefined) {
      const recorded = results[resultKey(item.userId, to, 'assign')];
      decide(revoke, 'failed', {
        reason: recorded?.reason ?? 'provider_error',
        detail: 'Not revoked: the product replacing it is not assigned.',
      });
    } else if (a === undefined) {
      decide(assign, 'noop');
      decide(revoke, 'noop');
    } else if (!a.direct) {
      decide(assign, 'failed', { reason: 'inherited_from_group' });
      decide(revoke, 'failed', { reason: 'inherited_from_group' });
    }
  }
  return { settled, rest: parts.filter((part) => !done.has(part)) };
}
