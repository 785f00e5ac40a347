/**
 * Decides one user's all-or-nothing change the way Graph's assignLicense does: every part is
 * checked against the state the whole call would leave, and nothing is applied on refusal.
 * Pure: the provider applies the result.
 */
import type { FailureReason, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import type { DemoGroup, DemoProduct } from './demo-tenant.js';
import { PLAN_COUNTRY_LIMITS, PLAN_DEPENDENCIES, PLAN_EXCLUSIONS } from './rules.js';

export interface ChangeContext {
  user: TenantUser;
  holdings: readonly UserLicense[];
  products: ReadonlyMap<string, DemoProduct>;
  groups: ReadonlyMap<string, DemoGroup>;
  /** Seats that can still be assigned (0 for a suspended product). */
  available: (skuId: string) => number;
}

export interface Refusal {
  reason: FailureReason;
  /** Graph's wording (reference §1.6). */
  message: string;
  skuId: string;
}

export type ChangeVerdict =
  | { ok: true; holdings: UserLicense[]; seatDeltas: Map<string, number> }
  | { ok: false; refusal: Refusal };

export const graphMessages = {
  notCompanyLicense: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  notUserLicense: (skuId: string) => `License ${skuId} cannot be assigned to a user.`,
  invalidUsageLocation: 'License assignment cannot be done for user with invalid usage location.',
  prohibitedUsageLocation: (planId: string, country: string) =>
    `License assignment failed because service plan ${planId} is not available in usage location ${country}.`,
  noSeats: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  dependency: (planId: string, required: readonly string[]) =>
    `License assignment failed because service plan ${planId} depends on the service plan(s) ${required.join(', ')}.`,
  exclusive: (a: string, b: string) =>
    `License assignment failed because service plans ${a}, ${b} are mutually exclusive.`,
  inherited:
    'User license is inherited from a group membership and it cannot be removed directly from the user.',
  notHeld: 'User does not have a corresponding license.',
  addAndRemove: (skuId: string) => `License ${skuId} cannot be added and removed in the same request.`,
  unknownPlan: (planId: string, skuId: string) => `Service plan ${planId} is not part of license ${skuId}.`,
} as const;

function refuse(reason: FailureReason, message: string, skuId: string): ChangeVerdict {
  return { ok: false, refusal: { reason, message, skuId } };
}

export function checkUserChange(context: ChangeContext, change: UserChange): ChangeVerdict {
  const { user, products } = context;
  const assignIds = new Set(change.assign.map((a) => a.skuId));

  for (const skuId of [...assignIds, ...change.revoke]) {
    if (!products.has(skuId)) return refuse('provider_error', graphMessages.notCompanyLicense(skuId), skuId);
  }
  for (const skuId of change.revoke) {
    if (assignIds.has(skuId)) return refuse('provider_error', graphMessages.addAndRemove(skuId), skuId);
  }
  for (const { skuId, disabledPlans } of change.assign) {
    const product = productOf(context, skuId);
    if (product.appliesTo !== 'User')
      return refuse('provider_error', graphMessages.notUserLicense(skuId), skuId);
    const planIds = new Set(product.servicePlans.map((plan) => plan.id));
    const unknown = disabledPlans.find((planId) => !planIds.has(planId));
    if (unknown !== undefined)
      return refuse('provider_error', graphMessages.unknownPlan(unknown, skuId), skuId);
  }

  const before = new Map(context.holdings.map((holding) => [holding.skuId, holding]));
  const after = new Map(before);
  for (const skuId of change.revoke) {
    const held = before.get(skuId);
    if (!held?.direct) continue; // refused below, after the checks Graph makes first
    const groupId = held.viaGroups[0];
    if (groupId === undefined) after.delete(skuId);
    else
      after.set(skuId, {
        ...held,
        direct: false,
        disabledPlans: groupDisabledPlans(context, groupId, skuId),
      });
  }
  for (const { skuId, disabledPlans } of change.assign) {
    const held = after.get(skuId);
    after.set(skuId, {
      skuId,
      disabledPlans: [...disabledPlans],
      direct: true,
      viaGroups: held?.viaGroups ?? [],
    });
  }

  const firstAssign = change.assign[0];
  if (firstAssign !== undefined && user.usageLocation === null) {
    return refuse('usage_location_missing', graphMessages.invalidUsageLocation, firstAssign.skuId);
  }
  for (const { skuId, disabledPlans } of change.assign) {
    const enabled = new Set(productOf(context, skuId).servicePlans.map((plan) => plan.id));
    for (const planId of disabledPlans) enabled.delete(planId);
    for (const limit of PLAN_COUNTRY_LIMITS) {
      const country = user.usageLocation ?? '';
      if (enabled.has(limit.plan) && !limit.countries.includes(country)) {
        return refuse(
          'usage_location_not_allowed',
          graphMessages.prohibitedUsageLocation(limit.plan, country),
          skuId,
        );
      }
    }
  }

  const seatDeltas = new Map<string, number>();
  for (const skuId of assignIds) {
    if (before.has(skuId)) continue; // a seat is per user and product, however many paths grant it
    if (context.available(skuId) < 1)
      return refuse('insufficient_licenses', graphMessages.noSeats(skuId), skuId);
    seatDeltas.set(skuId, 1);
  }
  for (const skuId of before.keys()) if (!after.has(skuId)) seatDeltas.set(skuId, -1);

  const plansBefore = enabledPlans(context, before);
  const plansAfter = enabledPlans(context, after);
  for (const dependency of PLAN_DEPENDENCIES) {
    const enablers = plansAfter.get(dependency.plan);
    if (enablers !== undefined && isMissing(dependency, plansAfter) && !isMissing(dependency, plansBefore)) {
      const message = graphMessages.dependency(dependency.plan, dependency.requiresAnyOf);
      const dependent = enablers.find((skuId) => assignIds.has(skuId));
      if (dependent !== undefined) return refuse('missing_prerequisite', message, dependent);
      // The dependent stays; name the product whose change took its base away.
      const base = dependency.requiresAnyOf
        .flatMap((planId) => plansBefore.get(planId) ?? [])
        .find((skuId) => change.revoke.includes(skuId) || assignIds.has(skuId));
      return refuse('missing_prerequisite', message, base ?? enablers[0]);
    }
  }

  for (const exclusion of PLAN_EXCLUSIONS) {
    const clashAfter = clashingProducts(exclusion.plans, exclusion.exemptSkus, plansAfter);
    const [firstClashing] = clashAfter;
    if (firstClashing === undefined) continue;
    if (clashingProducts(exclusion.plans, exclusion.exemptSkus, plansBefore).length > 0) continue;
    const culprit = clashAfter.find((skuId) => assignIds.has(skuId)) ?? firstClashing;
    return refuse(
      'mutually_exclusive',
      graphMessages.exclusive(exclusion.plans[0], exclusion.plans[1]),
      culprit,
    );
  }

  for (const skuId of change.revoke) {
    const held = before.get(skuId);
    if (held === undefined) return refuse('provider_error', graphMessages.notHeld, skuId);
    if (!held.direct) return refuse('inherited_from_group', graphMessages.inherited, skuId);
  }

  return { ok: true, holdings: [...after.values()], seatDeltas };
}

/** A product the change names; checked to exist before anything else. */
function productOf(context: ChangeContext, skuId: string): DemoProduct {
  const product = context.products.get(skuId);
  if (product === undefined) throw new Error(`product ${skuId} was checked to exist`);
  return product;
}

function groupDisabledPlans(context: ChangeContext, groupId: string, skuId: string): string[] {
  const license = context.groups.get(groupId)?.licenses.find((l) => l.skuId === skuId);
  return license === undefined ? [] : [...license.disabledPlans];
}

/** At least one product. */
type Skus = [string, ...string[]];

/** Enabled plan id → the products enabling it; a plan is on when any path (direct, group) enables it. */
function enabledPlans(context: ChangeContext, holdings: ReadonlyMap<string, UserLicense>): Map<string, Skus> {
  const plans = new Map<string, Skus>();
  for (const holding of holdings.values()) {
    const product = context.products.get(holding.skuId);
    if (product === undefined) continue;
    const disabledSets: string[][] = [];
    if (holding.direct) disabledSets.push(holding.disabledPlans);
    for (const groupId of holding.viaGroups) {
      disabledSets.push(groupDisabledPlans(context, groupId, holding.skuId));
    }
    if (disabledSets.length === 0) disabledSets.push(holding.disabledPlans);
    for (const plan of product.servicePlans) {
      if (disabledSets.every((disabled) => disabled.includes(plan.id))) continue;
      const skus = plans.get(plan.id);
      if (skus === undefined) plans.set(plan.id, [holding.skuId]);
      else skus.push(holding.skuId);
    }
  }
  return plans;
}

function isMissing(
  dependency: (typeof PLAN_DEPENDENCIES)[number],
  plans: ReadonlyMap<string, string[]>,
): boolean {
  return plans.has(dependency.plan) && !dependency.requiresAnyOf.some((planId) => plans.has(planId));
}

/** The non-exempt products enabling the two plans, or none when they do not clash. */
function clashingProducts(
  pair: readonly [string, string],
  exempt: readonly string[],
  plans: ReadonlyMap<string, string[]>,
): string[] {
  const first = (plans.get(pair[0]) ?? []).filter((skuId) => !exempt.includes(skuId));
  const second = (plans.get(pair[1]) ?? []).filter((skuId) => !exempt.includes(skuId));
  return first.length > 0 && second.length > 0 ? [...first, ...second] : [];
}
