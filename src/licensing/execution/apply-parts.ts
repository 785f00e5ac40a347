/**
 * Applies a user's parts in one call; when the backend refuses it for a product's sake, product
 * by product, so each part gets its own result and one refused product does not fail the rest.
 * A replacement's two parts (B assigned, A revoked) are one unit throughout: they are tried
 * together, and a refusal fails both with its reason, so A is never revoked without B.
 */
import type { ItemResult, Replacement } from '../model.js';
import type { Refusal } from '../retry.js';
import type { Attempt } from './attempt.js';
import { failureOf, isAboutTheUser, type Part, type Settle } from './parts.js';
import { unitsOf } from './replace-pairs.js';

/** One all-or-nothing call for the given parts of one user (see attemptChange). */
export type AttemptParts = (parts: readonly Part[]) => Promise<Attempt>;

export async function applyParts(
  parts: readonly Part[],
  attempt: AttemptParts,
  settle: Settle,
  pairs: readonly Replacement[] = [],
): Promise<ItemResult[]> {
  if (parts.length === 0) return [];
  const whole = await attempt(parts);
  if (whole.ok) return parts.map((part) => applied(settle, part, whole.warnings));
  const units = unitsOf(parts, pairs);
  if (whole.exhausted || units.length === 1 || isAboutTheUser(whole.error, parts)) {
    return parts.map((part) =>
      whole.landed.includes(part) ? settle(part, 'success') : refused(settle, part, whole),
    );
  }
  return applyOneByOne(units, attempt, settle);
}

/**
 * One product (or replacement) at a time; a unit refused for an order reason (a prerequisite
 * assigned later in the list, a conflicting product revoked later) gets another pass while others
 * still succeed. Passes stop when one makes no progress, and there are never more passes than units.
 */
async function applyOneByOne(
  units: readonly (readonly Part[])[],
  attempt: AttemptParts,
  settle: Settle,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  let remaining = units;
  for (let pass = 1; remaining.length > 0; pass++) {
    const refusals: { unit: readonly Part[]; refusal: Refusal }[] = [];
    for (const unit of remaining) {
      const single = await attempt(unit);
      if (single.ok) results.push(...unit.map((part) => applied(settle, part, single.warnings)));
      else refusals.push({ unit, refusal: single });
    }
    if (refusals.length === remaining.length || pass >= units.length) {
      results.push(
        ...refusals.flatMap(({ unit, refusal }) => unit.map((part) => refused(settle, part, refusal))),
      );
      break;
    }
    remaining = refusals.map(({ unit }) => unit);
  }
  return results;
}

const applied = (settle: Settle, part: Part, warnings: readonly string[]): ItemResult =>
  settle(part, 'success', warnings.length > 0 ? { note: warnings.join(' ') } : {});

const refused = (settle: Settle, part: Part, refusal: Refusal): ItemResult =>
  settle(part, 'failed', failureOf(refusal.error, refusal.exhausted));
