/**
 * Licensing rules shared by the Graph and Partner Center fakes (reference §3 and §5, kept small):
 * seats, suspension, conflicting and dependent plans, countries, and the directory's messages.
 */
import { type FakeSku, type FakeTenant, type FakeUser, type FakeUserLicense, PLAN, SKU } from './tenant.js';

/** Pairs of plans that cannot be enabled together; the exempt SKUs bundle both by design. */
const EXCLUSIVE: Array<{ plans: [string, string]; exemptSkus: string[] }> = [
  { plans: [PLAN.SHAREPOINTSTANDARD, PLAN.SHAREPOINTENTERPRISE], exemptSkus: [SKU.PROJECT_P3] },
  { plans: [PLAN.TEAMS_FREE, PLAN.TEAMS1], exemptSkus: [] },
];

/** A plan that needs any one of the listed plans enabled. */
const DEPENDS: Record<string, string[]> = {
  [PLAN.MCOMEETADV]: [PLAN.MCOSTANDARD, PLAN.TEAMS1],
  [PLAN.MCOEV]: [PLAN.MCOSTANDARD, PLAN.TEAMS1],
  [PLAN.MCOPSTN1]: [PLAN.MCOEV],
  [PLAN.SHAREPOINT_PROJECT]: [PLAN.SHAREPOINTENTERPRISE],
};

/** SKUs sold only in some countries (calling plans; the reference's approximation). */
const COUNTRIES: Record<string, string[]> = {
  [SKU.CALLING_PLAN]: ['US', 'CA', 'GB', 'AU', 'DE', 'FR', 'NL', 'IE', 'ES', 'IT', 'JP', 'NZ', 'SE', 'CH'],
};

export const MESSAGES = {
  usageLocation: 'License assignment cannot be done for user with invalid usage location.',
  noSeats: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  exclusive: (a: string, b: string) =>
    `License assignment failed because service plans ${a}, ${b} are mutually exclusive.`,
  depends: (planId: string, deps: string[]) =>
    `License assignment failed because service plan ${planId} depends on the service plan(s) ${deps.join(', ')}.`,
  notCompany: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  notHeld: 'User does not have a corresponding license.',
  inherited:
    'User license is inherited from a group membership and it cannot be removed directly from the user.',
  companySku: (skuId: string) => `License ${skuId} cannot be assigned to a user.`,
  notFound: (id: string) =>
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  forbidden: 'Insufficient privileges to complete the operation.',
  throttled: 'Please retry again later.',
  /** A filter that counts a collection or compares with null, without the advanced parameters (reference §1.3). */
  advancedFilter:
    'Unsupported or invalid query filter clause specified: the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header.',
  searchHeader:
    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
} as const;

export type RuleFailure =
  | { kind: 'seats'; skuId: string; message: string }
  | { kind: 'other'; message: string };

export function consumedUnits(tenant: FakeTenant, sku: FakeSku): number {
  const holders = tenant.users.filter((u) => u.licenses.some((l) => l.skuId === sku.skuId)).length;
  return holders + (sku.extraConsumed ?? 0);
}

function enabledPlans(
  tenant: FakeTenant,
  licenses: FakeUserLicense[],
): Array<{ skuId: string; planId: string }> {
  const out: Array<{ skuId: string; planId: string }> = [];
  for (const license of licenses) {
    const sku = tenant.skus.find((s) => s.skuId === license.skuId);
    for (const p of sku?.servicePlans ?? []) {
      if (!license.disabledPlans.includes(p.servicePlanId))
        out.push({ skuId: license.skuId, planId: p.servicePlanId });
    }
  }
  return out;
}

function violations(tenant: FakeTenant, licenses: FakeUserLicense[]): Map<string, string> {
  const found = new Map<string, string>();
  const enabled = enabledPlans(tenant, licenses);
  for (const rule of EXCLUSIVE) {
    const [a, b] = rule.plans;
    const withA = enabled.filter((e) => e.planId === a && !rule.exemptSkus.includes(e.skuId));
    const withB = enabled.filter((e) => e.planId === b && !rule.exemptSkus.includes(e.skuId));
    if (withA.some((x) => withB.some((y) => y.skuId !== x.skuId))) {
      found.set(`x:${a}:${b}`, MESSAGES.exclusive(b, a));
    }
  }
  const planIds = new Set(enabled.map((e) => e.planId));
  for (const [planId, deps] of Object.entries(DEPENDS)) {
    if (planIds.has(planId) && !deps.some((d) => planIds.has(d)))
      found.set(`d:${planId}`, MESSAGES.depends(planId, deps));
  }
  return found;
}

/**
 * Validates a whole assignLicense call and applies it only when every part passes: one bad
 * SKU fails the user's whole call (reference §1.5).
 */
export function applyLicenseChange(
  tenant: FakeTenant,
  user: FakeUser,
  add: Array<{ skuId: string; disabledPlans: string[] }>,
  remove: string[],
): RuleFailure | null {
  for (const skuId of remove) {
    const held = user.licenses.filter((l) => l.skuId === skuId);
    if (held.length === 0) return { kind: 'other', message: MESSAGES.notHeld };
    if (!held.some((l) => l.assignedByGroup === null)) return { kind: 'other', message: MESSAGES.inherited };
  }
  for (const a of add) {
    const sku = tenant.skus.find((s) => s.skuId === a.skuId && s.capabilityStatus !== 'Deleted');
    if (!sku) return { kind: 'other', message: MESSAGES.notCompany(a.skuId) };
    if (sku.appliesTo === 'Company') return { kind: 'other', message: MESSAGES.companySku(a.skuId) };
    const countries = COUNTRIES[a.skuId];
    if (!user.usageLocation || (countries && !countries.includes(user.usageLocation))) {
      return { kind: 'other', message: MESSAGES.usageLocation };
    }
    const holds = user.licenses.some((l) => l.skuId === a.skuId);
    const status = sku.capabilityStatus ?? 'Enabled';
    const total = sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0);
    const unusable = status === 'Suspended' || status === 'LockedOut';
    if (!holds && (unusable || consumedUnits(tenant, sku) >= total)) {
      return { kind: 'seats', skuId: a.skuId, message: MESSAGES.noSeats(a.skuId) };
    }
  }
  const after = user.licenses
    .filter((l) => !(l.assignedByGroup === null && remove.includes(l.skuId)))
    .filter((l) => !(l.assignedByGroup === null && add.some((a) => a.skuId === l.skuId)));
  for (const a of add)
    after.push({ skuId: a.skuId, disabledPlans: [...a.disabledPlans], assignedByGroup: null });
  const before = violations(tenant, user.licenses);
  for (const [key, message] of violations(tenant, after)) {
    if (!before.has(key)) return { kind: 'other', message };
  }
  user.licenses = after;
  return null;
}
