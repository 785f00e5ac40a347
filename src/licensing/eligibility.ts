/**
 * Who of a selection would get a product, and why the others cannot, from what is known before
 * anything is sent: the users' usage locations and holdings, the product's seats and the
 * provider's licensing rules (plan dependencies, exclusions, country limits). The manage step's
 * counts and the preview read this one function.
 *
 * It decides as the providers do (the demo tenant mirrors Graph): checks in Graph's order (usage
 * location, country, seats, dependencies, exclusions), on the service plans enabled before and
 * after the assignment, and seats taken in the order the run goes through the users. Pure.
 * Revocations too (predictRevocations): a group's license, or a product another one needs.
 */
import type { AssignChoice, FailureReason, Product, TenantUser, UserLicense } from './model.js';

/** A plan that works only when one of the listed plans is enabled too. */
export interface PlanDependency {
  plan: string;
  requiresAnyOf: readonly string[];
}

/** Two plans one user cannot have enabled together, except when brought by an exempt product. */
export interface PlanExclusion {
  plans: readonly [string, string];
  exemptSkus: readonly string[];
}

/** A plan that may only be enabled for users in the listed countries (ISO 3166 alpha-2). */
export interface PlanCountryLimit {
  plan: string;
  countries: readonly string[];
}

/** The licensing rules a provider knows, by service-plan id. */
export interface LicensingRules {
  dependencies: readonly PlanDependency[];
  exclusions: readonly PlanExclusion[];
  countryLimits: readonly PlanCountryLimit[];
}

/** A provider that tells no rule: only usage locations and seats are predicted. */
export const NO_RULES: LicensingRules = { dependencies: [], exclusions: [], countryLimits: [] };

/** The reasons known before submitting, in the order the checks run. */
export const PREDICTED_REASONS = [
  'usage_location_missing',
  'usage_location_not_allowed',
  'insufficient_licenses',
  'missing_prerequisite',
  'mutually_exclusive',
] as const satisfies readonly FailureReason[];
export type PredictedReason = (typeof PREDICTED_REASONS)[number];

/** Why one user cannot get the product. */
export interface Refusal {
  userId: string;
  reason: PredictedReason;
  /**
   * The product in the way: for a clash, the held product it clashes with; for a missing
   * prerequisite, a product of the customer that would provide it. Absent when none is known.
   */
  blockingSkuId?: string;
}

/** The prediction for one product over the selection. */
export interface AssignPrediction {
  skuId: string;
  /** Users who would get it, in the run's order. */
  gets: string[];
  /** Users who hold it already (directly or through a group): nothing to assign. */
  holds: string[];
  /** Users who would be refused, in the run's order. */
  cannot: Refusal[];
}

export interface EligibilityInput {
  /** The selected users in the order the run goes through them. */
  users: readonly TenantUser[];
  /** Every product of the customer (prerequisites are looked up among them). */
  products: readonly Product[];
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
  rules: LicensingRules;
  choice: AssignChoice;
}

type PlanHolders = ReadonlyMap<string, readonly string[]>;

/** For each selected user: gets it, holds it already, or cannot (reason, product in the way). */
export function predictAssignment(input: EligibilityInput): AssignPrediction {
  const { choice } = input;
  const prediction: AssignPrediction = { skuId: choice.skuId, gets: [], holds: [], cannot: [] };
  const product = input.products.find((p) => p.skuId === choice.skuId);
  if (product === undefined) return prediction;
  const productPlans = enabledOf(product, choice.disabledPlans ?? []);
  const productsBySku = new Map(input.products.map((p) => [p.skuId, p]));
  let seats = product.status === 'suspended' ? 0 : product.available;
  for (const user of input.users) {
    const held = input.holdings.get(user.id) ?? [];
    if (held.some((license) => license.skuId === choice.skuId)) {
      prediction.holds.push(user.id);
      continue;
    }
    const refusal = refusalOf(user, seats, {
      ...input,
      productPlans,
      before: plansOf(held, productsBySku),
    });
    if (refusal === undefined) {
      prediction.gets.push(user.id);
      seats--;
    } else prediction.cannot.push({ userId: user.id, ...refusal });
  }
  return prediction;
}

/** How many are refused for each reason, in the checks' order (reasons with none are left out). */
export function refusalCounts(prediction: AssignPrediction): [PredictedReason, number][] {
  return PREDICTED_REASONS.map((reason): [PredictedReason, number] => [
    reason,
    prediction.cannot.filter((refusal) => refusal.reason === reason).length,
  ]).filter(([, count]) => count > 0);
}

/** A planned revocation the run is expected to refuse, and why. */
export interface RevokeRefusal {
  userId: string;
  skuId: string;
  reason: 'inherited_from_group' | 'missing_prerequisite';
}

export interface RevokeInput {
  /** Each user's planned revocations (a request's items: products the user holds). */
  revokes: readonly { userId: string; skuIds: readonly string[] }[];
  products: readonly Product[];
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
  rules: LicensingRules;
}

/**
 * The planned revocations expected to fail, as the run meets them: a license held only through a
 * group is refused on its own (inherited_from_group); the user's other revocations go in one call,
 * refused together when they take away a plan that a product the user keeps needs (the rules'
 * dependencies, as for an assignment). A license also held through a group keeps its plans. Pure.
 */
export function predictRevocations(input: RevokeInput): RevokeRefusal[] {
  const productsBySku = new Map(input.products.map((p) => [p.skuId, p]));
  const refusals: RevokeRefusal[] = [];
  for (const { userId, skuIds } of input.revokes) {
    const held = input.holdings.get(userId) ?? [];
    const direct = skuIds.filter((skuId) => held.some((l) => l.skuId === skuId && l.direct));
    for (const skuId of skuIds) {
      if (!direct.includes(skuId) && held.some((l) => l.skuId === skuId))
        refusals.push({ userId, skuId, reason: 'inherited_from_group' });
    }
    const kept = held.filter((l) => !direct.includes(l.skuId) || l.viaGroups.length > 0);
    const before = plansOf(held, productsBySku);
    const after = plansOf(kept, productsBySku);
    const broken = input.rules.dependencies.some((d) => isUnmet(d, after) && !isUnmet(d, before));
    if (broken)
      refusals.push(...direct.map((skuId) => ({ userId, skuId, reason: 'missing_prerequisite' as const })));
  }
  return refusals;
}

interface UserCheck {
  rules: LicensingRules;
  products: readonly Product[];
  choice: AssignChoice;
  /** Plans the product would enable (its own minus the ones turned off). */
  productPlans: readonly string[];
  /** The user's enabled plans now → the products enabling them. */
  before: PlanHolders;
}

function refusalOf(user: TenantUser, seats: number, check: UserCheck): Omit<Refusal, 'userId'> | undefined {
  if (user.usageLocation === null) return { reason: 'usage_location_missing' };
  const country = user.usageLocation;
  const limited = check.rules.countryLimits.some(
    (limit) => check.productPlans.includes(limit.plan) && !limit.countries.includes(country),
  );
  if (limited) return { reason: 'usage_location_not_allowed' };
  if (seats < 1) return { reason: 'insufficient_licenses' };
  const after = new Map(check.before);
  for (const plan of check.productPlans) after.set(plan, [...(after.get(plan) ?? []), check.choice.skuId]);
  return missingPrerequisite(check, after) ?? clash(check, after);
}

/** A dependency the assignment leaves unmet where it was not missing before. */
function missingPrerequisite(check: UserCheck, after: PlanHolders): Omit<Refusal, 'userId'> | undefined {
  for (const dependency of check.rules.dependencies) {
    if (!isUnmet(dependency, after) || isUnmet(dependency, check.before)) continue;
    const provider = check.products.find(
      (p) =>
        p.skuId !== check.choice.skuId &&
        p.servicePlans.some((plan) => dependency.requiresAnyOf.includes(plan.id)),
    );
    return provider === undefined
      ? { reason: 'missing_prerequisite' }
      : { reason: 'missing_prerequisite', blockingSkuId: provider.skuId };
  }
  return undefined;
}

function isUnmet(dependency: PlanDependency, plans: PlanHolders): boolean {
  return plans.has(dependency.plan) && !dependency.requiresAnyOf.some((plan) => plans.has(plan));
}

/** Two excluded plans the assignment turns on together, where they did not clash before. */
function clash(check: UserCheck, after: PlanHolders): Omit<Refusal, 'userId'> | undefined {
  for (const exclusion of check.rules.exclusions) {
    const clashing = clashingProducts(exclusion, after);
    if (clashing.length === 0 || clashingProducts(exclusion, check.before).length > 0) continue;
    const held = clashing.find((skuId) => skuId !== check.choice.skuId);
    return held === undefined
      ? { reason: 'mutually_exclusive' }
      : { reason: 'mutually_exclusive', blockingSkuId: held };
  }
  return undefined;
}

/** The non-exempt products enabling the two plans, or none when they do not clash. */
function clashingProducts(exclusion: PlanExclusion, plans: PlanHolders): string[] {
  const [one, other] = exclusion.plans.map((plan) =>
    (plans.get(plan) ?? []).filter((skuId) => !exclusion.exemptSkus.includes(skuId)),
  );
  return one !== undefined && other !== undefined && one.length > 0 && other.length > 0
    ? [...one, ...other]
    : [];
}

function enabledOf(product: Product, disabled: readonly string[]): string[] {
  return product.servicePlans.map((plan) => plan.id).filter((id) => !disabled.includes(id));
}

/** Enabled plan id → the products enabling it, from a user's licenses. */
function plansOf(
  held: readonly UserLicense[],
  products: ReadonlyMap<string, Product>,
): Map<string, string[]> {
  const plans = new Map<string, string[]>();
  for (const license of held) {
    const product = products.get(license.skuId);
    if (product === undefined) continue;
    for (const plan of enabledOf(product, license.disabledPlans)) {
      plans.set(plan, [...(plans.get(plan) ?? []), license.skuId]);
    }
  }
  return plans;
}
