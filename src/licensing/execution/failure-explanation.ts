/**
 * Translates a refusal that names service plans (Graph's wording, which Partner Center passes
 * through: reference §1.6) into the products concerned, from the user's holdings read before the
 * change and the customer's product catalogue. Pure: no plan or SKU id leaves it, only names.
 */
import type { PlanExclusion } from '../eligibility.js';
import type { FailureExplanation, ItemResult, NamedProduct, Product, UserLicense } from '../model.js';

export interface ExplainInput {
  /** A failed result with the provider's message in `detail`. */
  result: ItemResult;
  /** The user's licenses before the change. */
  holdings: readonly UserLicense[];
  catalogue: readonly Product[];
  /** The other products assigned to the user in the same change (a clash may be with one of them). */
  assigned: readonly string[];
  /** The provider's plan exclusions, when it tells them: a product exempt from a pair does not clash. */
  exclusions?: readonly PlanExclusion[];
}

/** Products named in a `needs` explanation at most (those that include what is missing). */
const MAX_PROVIDERS = 4;

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A name that is an id (a backend without a friendly name falls back to one): never shown. */
const isId = (name: string): boolean =>
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(name);

/** The plan ids a message names, lower-cased, in order. */
function planIdsIn(text: string): string[] {
  return [...text.matchAll(GUID)].map((match) => match[0].toLowerCase());
}

/** What blocked the result, named; undefined when the message names nothing the catalogue knows. */
export function explainFailure(input: ExplainInput): FailureExplanation | undefined {
  const { result } = input;
  if (result.outcome !== 'failed' || !result.detail) return undefined;
  const plans = planIdsIn(result.detail);
  if (result.reason === 'mutually_exclusive') return conflict(input, plans);
  if (result.reason === 'missing_prerequisite') return dependency(input, plans);
  if (result.reason === 'usage_location_not_allowed') return country(input, plans, result.detail);
  return undefined;
}

/** Plan id → friendly name, from every product of the catalogue. */
function planNames(catalogue: readonly Product[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const product of catalogue) {
    for (const plan of product.servicePlans) {
      const name = [plan.friendlyName, plan.name].find((n) => n && !isId(n));
      if (name && !names.has(plan.id.toLowerCase())) names.set(plan.id.toLowerCase(), name);
    }
  }
  return names;
}

const namesOf = (catalogue: readonly Product[], planIds: readonly string[]): string[] => {
  const names = planNames(catalogue);
  return [...new Set(planIds.flatMap((id) => names.get(id) ?? []))];
};

const includes = (product: Product | undefined, planId: string): boolean =>
  product?.servicePlans.some((plan) => plan.id.toLowerCase() === planId) ?? false;

/** The plans a held license has on (its direct plans; a group's may differ, so it counts as on). */
const enables = (product: Product | undefined, license: UserLicense, planId: string): boolean =>
  includes(product, planId) &&
  (!license.direct || !license.disabledPlans.some((id) => id.toLowerCase() === planId));

/** A product by name (its part number when the name is an id; "another product" when both are). */
const named = (product: Product): NamedProduct => ({
  skuId: product.skuId,
  name: [product.name, product.partNumber].find((n) => n && !isId(n)) ?? 'another product',
});

const byName = (a: NamedProduct, b: NamedProduct): number => a.name.localeCompare(b.name);

/** The held products (or, failing that, the ones assigned with it) that enable the plan it clashes with. */
function conflict(input: ExplainInput, planIds: readonly string[]): FailureExplanation | undefined {
  const { result, catalogue } = input;
  const product = (skuId: string) => catalogue.find((p) => p.skuId === skuId);
  const own = product(result.skuId);
  // The plan of the pair the failed product does not bring is the one the other product brings.
  const others = planIds.filter((id) => !includes(own, id));
  const clashing = others.length > 0 ? others : planIds;
  const exempt = new Set(
    (input.exclusions ?? [])
      .filter((rule) => rule.plans.every((id) => planIds.includes(id.toLowerCase())))
      .flatMap((rule) => rule.exemptSkus),
  );
  const held = input.holdings
    .filter((license) => license.skuId !== result.skuId && !exempt.has(license.skuId))
    .filter((license) => clashing.some((id) => enables(product(license.skuId), license, id)))
    .flatMap((license) => product(license.skuId) ?? []);
  if (held.length > 0) return explanation('conflict', held, true, []);
  const assigned = input.assigned
    .filter((skuId) => skuId !== result.skuId && !exempt.has(skuId))
    .flatMap((skuId) => product(skuId) ?? [])
    .filter((p) => clashing.some((id) => includes(p, id)));
  return assigned.length > 0 ? explanation('conflict', assigned, false, []) : undefined;
}

/**
 * "Plan D depends on plan(s) R…": when the failed product brings D, it needs one of R (`needs`,
 * with the catalogue's products that include one); otherwise it takes R away from a product the
 * user holds that brings D (`needed_by`).
 */
function dependency(input: ExplainInput, planIds: readonly string[]): FailureExplanation | undefined {
  const [dependent, ...required] = planIds;
  if (dependent === undefined) return undefined;
  const { result, catalogue } = input;
  const product = (skuId: string) => catalogue.find((p) => p.skuId === skuId);
  const needed = namesOf(catalogue, required);
  if (includes(product(result.skuId), dependent)) {
    const providers = catalogue
      .filter((p) => p.skuId !== result.skuId && p.status !== 'suspended')
      .filter((p) => required.some((id) => includes(p, id)))
      .map(named)
      .sort(byName)
      .slice(0, MAX_PROVIDERS);
    if (needed.length === 0 && providers.length === 0) return undefined;
    return { kind: 'needs', products: providers, held: false, plans: needed };
  }
  const holders = input.holdings
    .filter((license) => license.skuId !== result.skuId)
    .flatMap((license) => product(license.skuId) ?? [])
    .filter((p) => includes(p, dependent));
  return holders.length > 0 ? explanation('needed_by', holders, true, needed) : undefined;
}

/** "Plan P is not available in usage location XX": the plan's name and the country. */
function country(
  input: ExplainInput,
  planIds: readonly string[],
  detail: string,
): FailureExplanation | undefined {
  const plans = namesOf(input.catalogue, planIds);
  const where = /usage location ([A-Za-z]{2})\b/.exec(detail)?.[1]?.toUpperCase();
  if (plans.length === 0 && where === undefined) return undefined;
  return { kind: 'country', products: [], held: false, plans, ...(where ? { country: where } : {}) };
}

function explanation(
  kind: FailureExplanation['kind'],
  products: readonly Product[],
  held: boolean,
  plans: string[],
): FailureExplanation {
  const unique = [...new Map(products.map((p) => [p.skuId, named(p)])).values()].sort(byName);
  return { kind, products: unique, held, plans };
}
