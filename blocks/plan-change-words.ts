/**
 * A plan change said as what it is, named by plan: "turn off Microsoft 365 Apps for 13 users who
 * have Office 365 E3". The one wording of a holder's plan change for the manage step's option and
 * the approval message; where the plans' names are not known it falls back to "change plans".
 * Plan names come from the product's service plans (friendly name first), in catalogue order.
 */
import type { ChangeRequest, ServicePlan } from '../src/licensing/model.js';
import { plural } from './elements.js';

/** Service plans per product (skuId), where a surface knows them. */
export type PlanCatalog = ReadonlyMap<string, readonly ServicePlan[]>;

/** Names shown at most before "and N more plans". */
const NAMES_SHOWN = 2;

/** A service plan as people know it. */
export function planName(plan: ServicePlan): string {
  return plan.friendlyName ?? plan.name;
}

/**
 * Names of the plans turned off (`disabled`, plan ids) in the product's catalogue order; a plan
 * the catalogue does not list is "another plan". Null when the product's plans are not known.
 */
export function plansOffNames(
  servicePlans: readonly ServicePlan[] | undefined,
  disabled: readonly string[],
): string[] | null {
  if (servicePlans === undefined || servicePlans.length === 0) return null;
  const off = new Set(disabled);
  const named = servicePlans.filter((plan) => off.has(plan.id)).map(planName);
  const unknown = disabled.filter((id) => !servicePlans.some((plan) => plan.id === id)).length;
  return [...named, ...Array.from({ length: unknown }, () => 'another plan')];
}

/** "A", "A and B", "A, B and 3 more plans". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= NAMES_SHOWN) return `${names[0]} and ${names[1]}`;
  const rest = names.length - NAMES_SHOWN;
  return `${names.slice(0, NAMES_SHOWN).join(', ')} and ${plural(rest, 'more plan')}`;
}

/**
 * "turn off Microsoft 365 Apps for 13 users who have Office 365 E3" (with `product`), or "… for
 * 13 who have it" where the product is named already; `off` null (plans unknown): "change plans
 * for …"; `off` empty (every plan back on): "turn on every plan for …". `off` names are used as
 * given: escape them first for mrkdwn.
 */
export function planChangeText(input: {
  users: number;
  off: readonly string[] | null;
  product?: string;
}): string {
  const { users, off, product } = input;
  const has = users === 1 ? 'has' : 'have';
  const who =
    product === undefined ? `${users} who ${has} it` : `${plural(users, 'user')} who ${has} ${product}`;
  if (off === null) return `change plans for ${who}`;
  if (off.length === 0) return `turn on every plan for ${who}`;
  return `turn off ${listNames(off)} for ${who}`;
}

/**
 * The plans a stored request turns off for the holders of `skuId` whose plans change, named from
 * `catalog`; null when it changes no holder's plans or the names are not known. Every holder of
 * one product gets the same plans (one choice per product), so the first one tells.
 */
export function requestPlansOff(
  request: Pick<ChangeRequest, 'items'>,
  skuId: string,
  catalog: PlanCatalog | undefined,
): string[] | null {
  if (catalog === undefined) return null;
  for (const item of request.items) {
    if (!item.planChanges?.includes(skuId)) continue;
    const part = item.change.assign.find((a) => a.skuId === skuId);
    if (part !== undefined) return plansOffNames(catalog.get(skuId), part.disabledPlans);
  }
  return null;
}
