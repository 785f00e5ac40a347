/**
 * The "Replace A with B" selects of the manage step, read from the view's state: the service's
 * replacement (B with the plans chosen for it through "Service plans"), and the inline errors of
 * a half-made or impossible choice.
 */
import { ids } from '../../../blocks/ids.js';
import type { PlanProblem } from '../../licensing/plan.js';
import type { ReplaceChoice } from '../../licensing/plan-replace.js';
import type { Draft } from '../../store/store.js';
import { StateValues } from '../payloads.js';

/** The products chosen in the pair; a side left empty is absent. */
export type ReplacePick = Draft['replacePick'];

export function replacePicked(state: unknown): ReplacePick {
  const values = new StateValues(state);
  const from = values.selected(ids.blocks.replaceFrom, ids.actions.replaceFrom);
  const to = values.selected(ids.blocks.replaceTo, ids.actions.replaceTo);
  return { ...(from === null ? {} : { from }), ...(to === null ? {} : { to }) };
}

/** The replacement to plan: none unless both sides are chosen; B gets the plans chosen for it. */
export function replaceChoices(
  pick: ReplacePick,
  disabledPlansBySku: Draft['disabledPlansBySku'],
): ReplaceChoice[] {
  const { from, to } = pick;
  if (from === undefined || to === undefined) return [];
  const off = Object.hasOwn(disabledPlansBySku, to) ? disabledPlansBySku[to] : undefined;
  return [{ from, to: { skuId: to, disabledPlans: off === undefined ? null : [...off] } }];
}

/** The error of a pair with one side chosen; null when both or neither are. */
export function halfPickErrors(pick: ReplacePick): Record<string, string> | null {
  if (pick.from !== undefined && pick.to === undefined)
    return { [ids.blocks.replaceTo]: 'Choose the product to give instead, or clear "Replace".' };
  if (pick.from === undefined && pick.to !== undefined)
    return { [ids.blocks.replaceFrom]: 'Choose the product to replace, or clear "With".' };
  return null;
}

/** A replacement's plan problem as an inline error (block and words); null for other problems. */
export function replaceProblemError(
  problem: PlanProblem,
  nameOf: (skuId: string) => string,
): { blockId: string; text: string } | null {
  if (problem.kind === 'replace_same')
    return { blockId: ids.blocks.replaceTo, text: 'Choose another product than the one it replaces.' };
  if (problem.kind === 'replace_overlap')
    return {
      blockId: ids.blocks.replaceFrom,
      text: `${nameOf(problem.skuId)} is also ticked to assign or revoke: replace it, or tick it, not both.`,
    };
  return null;
}
