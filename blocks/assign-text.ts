/** The option description of a product to assign on the manage step: who would get it, and who cannot. */
import { type AssignPrediction, type PredictedReason, refusalCounts } from '../src/licensing/eligibility.js';
import type { ProductOverview } from '../src/licensing/licensing-service.js';
import { plural } from './elements.js';
import { limits, truncate } from './limits.js';
import { planChangeText } from './plan-change-words.js';
import { holderCount } from './product-lines.js';

/** Why users cannot get a product, in a word or two each, for the option description. */
const REFUSAL_WORDS: Record<PredictedReason, string> = {
  usage_location_missing: 'no location',
  usage_location_not_allowed: 'country',
  insufficient_licenses: 'no seats',
  missing_prerequisite: 'no base',
  mutually_exclusive: 'conflicts',
};

/**
 * "5 cannot: 3 conflicts, 2 no location", or without the counts ("5 cannot: conflicts, no
 * location") when the description would not fit with them.
 */
function refusedText(prediction: AssignPrediction, room: number): string {
  const counts = refusalCounts(prediction);
  const head = `${prediction.cannot.length} cannot: `;
  const counted = head + counts.map(([reason, n]) => `${n} ${REFUSAL_WORDS[reason]}`).join(', ');
  if (counted.length <= room) return counted;
  return truncate(head + counts.map(([reason]) => REFUSAL_WORDS[reason]).join(', '), room);
}

/**
 * What assigning the product would take, for its option description: "12 available · 4 would
 * get it", "9 would get it · 5 cannot: 3 conflicts, 2 no location" (eligibility.ts; seats that
 * run out part-way refuse the users beyond them: "4 would get it · 3 cannot: 3 no seats"), "Not
 * enough: 0 available for 4 users" without a prediction, "All selected have it already",
 * "Suspended: cannot be assigned"; with plans turned off, holders whose plans change are counted
 * apart and named by plan where `plansOff` names them and it fits: "17 would get it · turn off
 * Microsoft 365 Apps for 13 who have it", else "12 available · 17 would get it · 13 who have it
 * change plans".
 */
export function assignText(
  p: ProductOverview,
  selectedCount: number,
  plansOff: readonly string[] | null = null,
): string {
  const replans = p.planChanges ?? 0;
  if (plansOff !== null && replans > 0) {
    const named = assignWords(p, selectedCount, planChangeText({ users: replans, off: plansOff }));
    if (named.length <= limits.optionDescription) return named;
  }
  return assignWords(p, selectedCount, null);
}

/** assignText's words, with the holders' plan change in `replanText` (null: counted). */
function assignWords(p: ProductOverview, selectedCount: number, replanText: string | null): string {
  if (p.product.status === 'suspended') return 'Suspended: cannot be assigned';
  const prediction = p.prediction;
  const missing = prediction
    ? prediction.gets.length + prediction.cannot.length
    : Math.max(0, selectedCount - holderCount(p));
  // Holders re-assigned with other plans keep the product: a change of theirs, never "would get it".
  const replans = p.planChanges ?? 0;
  const changes = replans === 0 ? '' : ` · ${replanText ?? `${replans} who have it change plans`}`;
  if (missing === 0) {
    const have = selectedCount === 1 ? 'The selected user has it' : 'All selected have it';
    if (replans === 0) return `${have} already`;
    return replanText !== null
      ? `${have}${changes}`
      : `${have} · ${replans === 1 ? 'it changes' : `${replans} change`} plans`;
  }
  // Seats short part-way: the prediction names who is beyond them ("3 no seats"), per user.
  if (missing > p.product.available && prediction === undefined) {
    return `Not enough: ${p.product.available} available for ${plural(missing, 'user')}`;
  }
  if (prediction === undefined || prediction.cannot.length === 0) {
    // Named plans need the room; the product's line shows the seats anyway.
    const seats = replanText === null ? `${p.product.available} available · ` : '';
    return `${seats}${missing} would get it${changes}`;
  }
  const gets = `${prediction.gets.length} would get it${changes} · `;
  return gets + refusedText(prediction, limits.optionDescription - gets.length);
}
