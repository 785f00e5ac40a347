/**
 * A plan change said as what it is, named by plan: "turn off Microsoft 365 Apps for 13 users who
 * have Office 365 E3". The one wording of a holder's plan change on every surface: the manage
 * step's option, "Request sent", the approval message, App Home, the summary, the thread and the
 * CSV; where the plans' names are not known it falls back to "change plans". Plan names come from
 * the product's service plans (friendly name first), in catalogue order: stored on the request's
 * items when planned (src/licensing/plan.ts), or from the customer's catalogue.
 */
import type { ChangeItem, ChangeRequest, ServicePlan } from '../src/licensing/model.js';
import { plansOffNamed } from '../src/licensing/plan.js';
import { isPlanChange } from '../src/licensing/run-counts.js';
import { plural } from './elements.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';

/** Service plans per product (skuId), where a surface knows them. */
export type PlanCatalog = ReadonlyMap<string, readonly ServicePlan[]>;

/** Names shown at most before "and N more plans". */
const NAMES_SHOWN = 2;

/**
 * Names of the plans turned off (`disabled`, plan ids) in the product's catalogue order; a plan
 * the catalogue does not list is "another plan". Null when the product's plans are not known.
 */
export function plansOffNames(
  servicePlans: readonly ServicePlan[] | undefined,
  disabled: readonly string[],
): string[] | null {
  if (servicePlans === undefined || servicePlans.length === 0) return null;
  return plansOffNamed(servicePlans, disabled);
}

/** "A", "A and B", "A, B and 3 more plans". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= NAMES_SHOWN) return `${names[0]} and ${names[1]}`;
  const rest = names.length - NAMES_SHOWN;
  return `${names.slice(0, NAMES_SHOWN).join(', ')} and ${plural(rest, 'more plan')}`;
}

/**
 * What a plan change does, without whom: "turn off Microsoft 365 Apps" / "turn on every plan" /
 * "change plans" (`off` null: names unknown); `done`: "Microsoft 365 Apps turned off" / "every
 * plan turned on" / "plans changed". `all` lists every name (the CSV) instead of two and "N more".
 */
export function planChangeAction(
  off: readonly string[] | null,
  options: { done?: boolean; all?: boolean } = {},
): string {
  const names = off === null || off.length === 0 ? '' : options.all ? off.join(', ') : listNames(off);
  if (options.done) {
    if (off === null) return 'plans changed';
    return off.length === 0 ? 'every plan turned on' : `${names} turned off`;
  }
  if (off === null) return 'change plans';
  return off.length === 0 ? 'turn on every plan' : `turn off ${names}`;
}

/**
 * "turn off Microsoft 365 Apps for 13 users who have Office 365 E3" (with `product`), or "… for
 * 13 who have it" where the product is named already; `off` null (plans unknown): "change plans
 * for …"; `off` empty (every plan back on): "turn on every plan for …"; `done`: "Microsoft 365
 * Apps turned off for …" (what a run did). `off` names are used as given: escape them first for
 * mrkdwn. The one wording of a holder's plan change on every surface.
 */
export function planChangeText(input: {
  users: number;
  off: readonly string[] | null;
  product?: string;
  done?: boolean;
}): string {
  const { users, off, product } = input;
  const has = users === 1 ? 'has' : 'have';
  const who =
    product === undefined ? `${users} who ${has} it` : `${plural(users, 'user')} who ${has} ${product}`;
  return `${planChangeAction(off, { done: input.done === true })} for ${who}`;
}

/**
 * The names of the plans an item's change turns off for `skuId`: as stored when it was planned
 * (`plansOff`), else read from `catalog`; null when it is no plan change of the item or the names
 * are not known (a request stored before the names were kept, without a catalogue).
 */
export function itemPlansOff(
  item: Pick<ChangeItem, 'change' | 'planChanges' | 'plansOff'>,
  skuId: string,
  catalog?: PlanCatalog,
): string[] | null {
  if (!isPlanChange(item, skuId)) return null;
  const stored = item.plansOff?.[skuId];
  if (stored !== undefined) return stored;
  const part = item.change.assign.find((a) => a.skuId === skuId);
  return part === undefined || catalog === undefined
    ? null
    : plansOffNames(catalog.get(skuId), part.disabledPlans);
}

/**
 * The plans a stored request turns off for the holders of `skuId` whose plans change (see
 * itemPlansOff); null when it changes no holder's plans or the names are not known. Every holder
 * of one product gets the same plans (one choice per product), so the first one tells.
 */
export function requestPlansOff(
  request: Pick<ChangeRequest, 'items'>,
  skuId: string,
  catalog?: PlanCatalog,
): string[] | null {
  const item = request.items.find((i) => isPlanChange(i, skuId));
  return item === undefined ? null : itemPlansOff(item, skuId, catalog);
}

/** requestPlansOff's names escaped for mrkdwn (each on one line, at most 100 characters). */
export function requestPlansOffMrkdwn(
  request: Pick<ChangeRequest, 'items'>,
  skuId: string,
  catalog?: PlanCatalog,
): string[] | null {
  return (
    requestPlansOff(request, skuId, catalog)?.map((n) => escapeMrkdwn(truncate(oneLine(n), 100))) ?? null
  );
}

/**
 * A failed plan change named by plan: "Could not turn off Exchange Online (Plan 2) for Ava
 * (ava@…), who has *Office 365 E3*" (`one`: `whom` is the user) or "… for 2 users who have
 * *Office 365 E3*"; null when the plans are not known (the caller says "the plans of … could not
 * be changed"). `whom`, `off` and `product` are mrkdwn, escaped by the caller.
 */
export function failedPlanChangeText(input: {
  whom: string;
  one: boolean;
  off: readonly string[] | null;
  product: string;
}): string | null {
  const { whom, one, off, product } = input;
  if (off === null) return null;
  const action = planChangeAction(off);
  return one
    ? `Could not ${action} for ${whom}, who has ${product}`
    : `Could not ${action} for ${whom} who have ${product}`;
}
