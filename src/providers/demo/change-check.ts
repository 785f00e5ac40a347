/**
 * Decides one user's all-or-nothing change the way Graph's assignLicense does: every part is
 * checked against the state the whole call would leave, and nothing is applied on refusal.
 * Pure: the provider applies the result.
 */
import type { FailureReason, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import { graphMessages } from './demo-errors.js';
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
  /** Graph's wording (graphMessages). */
  message: string;
  skuId: string;
}

export type ChangeVerdict =
  | { ok: true; holdings: UserLicense[]; seatDeltas: Map<string, number> }
  | { ok: false; refusal: Refusal };

function refusal(reason: FailureReason, message: string, skuId: string): Refusal {
  return { reason, message, skuId };
}

export function checkUserChange(context: ChangeContext, change: UserChange): ChangeVerdict {
  const assignIds = new Set(change.assign.map((a) => a.skuId));
  const before = new Map(context.holdings.map((holding) => [holding.skuId, holding]));
  const named = checkNamedProducts(context, change, assignIds);
  if (named !== undefined) return { ok: false, refusal: named };
  const after = holdingsAfter(context, before, change);
  // In the order Graph checks them: the first refusal is the one it answers.
  const refused =
    checkUsageLocation(context, change) ??
    checkSeats(context, before, assignIds) ??
    checkServicePlans(context, change, assignIds, before, after) ??
    checkRevocations(before, change);
  if (refused !== undefined) return { ok: false, refusal: refused };
  return { ok: true, holdings: [...after.values()], seatDeltas: seatDeltas(before, after, assignIds) };
}

/** Every product named exists, none both assigned and revoked, each assigned one is for users with its plans. */
function checkNamedProducts(
  context: ChangeContext,
  change: UserChange,
  assignIds: ReadonlySet<string>,
): Refusal | undefined {
  for (const skuId of [...assignIds, ...change.revoke]) {
    if (!context.products.has(skuId))
      return refusal('provider_error', graphMessages.notCompanyLicense(skuId), skuId);
  }
  for (const skuId of change.revoke) {
    if (assignIds.has(skuId)) return refusal('provider_error', graphMessages.addAndRemove(skuId), skuId);
  }
  for (const { skuId, disabledPlans } of change.assign) {
    const product = productOf(context, skuId);
    if (product.appliesTo !== 'User')
      return refusal('provider_error', graphMessages.notUserLicense(skuId), skuId);
    const planIds = new Set(product.servicePlans.map((plan) => plan.id));
    const unknown = disabledPlans.find((planId) => !planIds.has(planId));
    if (unknown !== undefined)
      return refusal('provider_error', graphMessages.unknownPlan(unknown, skuId), skuId);
  }
  return undefined;
}

/** The user's licenses as the whole change would leave them. */
function holdingsAfter(
  context: ChangeContext,
  before: ReadonlyMap<string, UserLicense>,
  change: UserChange,
): Map<string, UserLicense> {
  const after = new Map(before);
  for (const skuId of change.revoke) {
    const held = before.get(skuId);
    if (!held?.direct) continue; // refused later, after the checks Graph makes first
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
  return after;
}

function checkUsageLocation(context: ChangeContext, change: UserChange): Refusal | undefined {
  const { user } = context;
  const firstAssign = change.assign[0];
  if (firstAssign !== undefined && user.usageLocation === null) {
    return refusal('usage_location_missing', graphMessages.invalidUsageLocation, firstAssign.skuId);
  }
  for (const { skuId, disabledPlans } of change.assign) {
    const enabled = new Set(productOf(context, skuId).servicePlans.map((plan) => plan.id));
    for (const planId of disabledPlans) enabled.delete(planId);
    for (const limit of PLAN_COUNTRY_LIMITS) {
      const country = user.usageLocation ?? '';
      if (enabled.has(limit.plan) && !limit.countries.includes(country)) {
        return refusal(
          'usage_location_not_allowed',
          graphMessages.prohibitedUsageLocation(limit.plan, country),
          skuId,
        );
      }
    }
  }
  return undefined;
}

/** A seat is per user and product, however many paths grant it: only products new to the user take one. */
function checkSeats(
  context: ChangeContext,
  before: ReadonlyMap<string, UserLicense>,
  assignIds: ReadonlySet<string>,
): Refusal | undefined {
  for (const skuId of assignIds) {
    if (!before.has(skuId) && context.available(skuId) < 1)
      return refusal('insufficient_licenses', graphMessages.noSeats(skuId), skuId);
  }
  return undefined;
}

function seatDeltas(
  before: ReadonlyMap<string, UserLicense>,
  after: ReadonlyMap<string, UserLicense>,
  assignIds: ReadonlySet<string>,
): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const skuId of assignIds) if (!before.has(skuId)) deltas.set(skuId, 1);
  for (const skuId of before.keys()) if (!after.has(skuId)) deltas.set(skuId, -1);
  return deltas;
}

/** The service-plan rules, on the plans enabled before and after the change. */
function checkServicePlans(
  context: ChangeContext,
  change: UserChange,
  assignIds: ReadonlySet<string>,
  before: ReadonlyMap<string, UserLicense>,
  after: ReadonlyMap<string, UserLicense>,
): Refusal | undefined {
  const plansBefore = enabledPlans(context, before);
  const plansAfter = enabledPlans(context, after);
  return (
    checkDependencies(change, assignIds, plansBefore, plansAfter) ??
    checkExclusions(assignIds, plansBefore, plansAfter)
  );
}

/** A plan the change leaves without any plan it depends on, where it had one before. */
function checkDependencies(
  change: UserChange,
  assignIds: ReadonlySet<string>,
  plansBefore: ReadonlyMap<string, Skus>,
  plansAfter: ReadonlyMap<string, Skus>,
): Refusal | undefined {
  for (const dependency of PLAN_DEPENDENCIES) {
    const enablers = plansAfter.get(dependency.plan);
    if (enablers === undefined || !isMissing(dependency, plansAfter) || isMissing(dependency, plansBefore))
      continue;
    const message = graphMessages.dependency(dependency.plan, dependency.requiresAnyOf);
    const dependent = enablers.find((skuId) => assignIds.has(skuId));
    if (dependent !== undefined) return refusal('missing_prerequisite', message, dependent);
    // The dependent stays; name the product whose change took its base away.
    const base = dependency.requiresAnyOf
      .flatMap((planId) => plansBefore.get(planId) ?? [])
      .find((skuId) => change.revoke.includes(skuId) || assignIds.has(skuId));
    return refusal('missing_prerequisite', message, base ?? enablers[0]);
  }
  return undefined;
}

/** Two mutually exclusive plans the change turns on together, where they did not clash before. */
function checkExclusions(
  assignIds: ReadonlySet<string>,
  plansBefore: ReadonlyMap<string, Skus>,
  plansAfter: ReadonlyMap<string, Skus>,
): Refusal | undefined {
  for (const exclusion of PLAN_EXCLUSIONS) {
    const clashAfter = clashingProducts(exclusion.plans, exclusion.exemptSkus, plansAfter);
    const [firstClashing] = clashAfter;
    if (firstClashing === undefined) continue;
    if (clashingProducts(exclusion.plans, exclusion.exemptSkus, plansBefore).length > 0) continue;
    const culprit = clashAfter.find((skuId) => assignIds.has(skuId)) ?? firstClashing;
    return refusal(
      'mutually_exclusive',
      graphMessages.exclusive(exclusion.plans[0], exclusion.plans[1]),
      culprit,
    );
  }
  return undefined;
}

/** Only licenses the user holds directly can be revoked. */
function checkRevocations(before: ReadonlyMap<string, UserLicense>, change: UserChange): Refusal | undefined {
  for (const skuId of change.revoke) {
    const held = before.get(skuId);
    if (held === undefined) return refusal('provider_error', graphMessages.notHeld, skuId);
    if (!held.direct) return refusal('inherited_from_group', graphMessages.inherited, skuId);
  }
  return undefined;
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
