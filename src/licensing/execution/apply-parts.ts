/**
 * Applies a user's parts in one call; when the backend refuses it for a product's sake, product
 * by product, so each part gets its own result and one refused product does not fail the rest.
 */
import type { ItemResult } from '../model.js';
import type { Refusal } from '../retry.js';
import type { Attempt } from './attempt.js';
import { failureOf, isAboutTheUser, type Part, type Settle } from './parts.js';

/** One all-or-nothing call for the given parts of one user (see attemptChange). */
export type AttemptParts = (parts: readonly Part[]) => Promise<Attempt>;

export async function applyParts(
  parts: readonly Part[],
  attempt: AttemptParts,
  settle: Settle,
): Promise<ItemResult[]> {
  if (parts.length === 0) return [];
  const whole = await attempt(parts);
  if (whole.ok) return parts.map((part) => applied(settle, part, whole.warnings));
  if (whole.exhausted || parts.length === 1 || isAboutTheUser(whole.error, parts)) {
    return parts.map((part) =>
      whole.landed.includes(part) ? settle(part, 'success') : refused(settle, part, whole),
    );
  }
  return applyOneByOne(parts, attempt, settle);
}

/**
 * One product at a time; a part refused for an order reason (a prerequisite assigned later in the
 * list, a conflicting product revoked later) gets another pass while others still succeed. Passes
 * stop when one makes no progress, and there are never more passes than parts.
 */
async function applyOneByOne(
  parts: readonly Part[],
  attempt: AttemptParts,
  settle: Settle,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  let remaining = parts;
  for (let pass = 1; remaining.length > 0; pass++) {
    const refusals: { part: Part; refusal: Refusal }[] = [];
    for (const part of remaining) {
      const single = await attempt([part]);
      if (single.ok) results.push(applied(settle, part, single.warnings));
      else refusals.push({ part, refusal: single });
    }
    if (refusals.length === remaining.length || pass >= parts.length) {
      results.push(...refusals.map(({ part, refusal }) => refused(settle, part, refusal)));
      break;
    }
    remaining = refusals.map(({ part }) => part);
  }
  return results;
}

const applied = (settle: Settle, part: Part, warnings: readonly string[]): ItemResult =>
  settle(part, 'success', warnings.length > 0 ? { note: warnings.join(' ') } : {});

const refused = (settle: Settle, part: Part, refusal: Refusal): ItemResult =>
  settle(part, 'failed', failureOf(refusal.error, refusal.exhausted));
