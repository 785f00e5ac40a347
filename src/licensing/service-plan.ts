/** What a change would do, read from the tenant as it is now: the plan, and the products' overview. */
import type { LicenseProvider } from '../providers/license-provider.js';
import { NO_RULES, predictAssignment, predictRevocations, type RevokeRefusal } from './eligibility.js';
import type { ChangeItem, ChangeRequest, Customer, Product, TenantUser, UserLicense } from './model.js';
import { type PlanResult, planChanges, planParts, samePlans } from './plan.js';
import type { ReplaceChoice } from './plan-replace.js';
import { type ChangePreview, previewChange } from './preview.js';
import type { ChangeInput, PartsInput, ProductOverview } from './service-types.js';

export interface PlannedChange {
  customer: Customer | null;
  plan: PlanResult;
  products: Product[];
  /** The selected users and their holdings as the plan read them. */
  users: TenantUser[];
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
}

/** Plans a change of users × products, or of each user's own parts, against the tenant as it is now. */
export async function planChange(
  provider: LicenseProvider,
  input: ChangeInput | PartsInput,
): Promise<PlannedChange> {
  const userIds = [...new Set('parts' in input ? input.parts.map((part) => part.userId) : input.userIds)];
  const [customer, users, products, holdings] = await Promise.all([
    provider.getCustomer(input.customerId),
    provider.getUsers(input.customerId, userIds),
    provider.listProducts(input.customerId),
    provider.getHoldings(input.customerId, userIds),
  ]);
  const plan =
    'parts' in input
      ? planParts({ users, products, holdings, parts: input.parts })
      : planChanges({
          users,
          products,
          holdings,
          assign: input.assign,
          revoke: input.revoke,
          replace: input.replace ?? [],
        });
  return { customer, plan, products, users, holdings };
}

/** The preview of a change planned by planChange, from the same reading of the tenant. */
export async function previewPlanned(
  provider: LicenseProvider,
  customerId: string,
  planned: PlannedChange & { plan: { ok: true } },
  replace: readonly ReplaceChoice[] = [],
): Promise<ChangePreview> {
  const rules = await (provider.licensingRules?.(customerId) ?? NO_RULES);
  const { users, products, holdings } = planned;
  const pairs = replace.map(({ from, to }) => ({ from, to: to.skuId }));
  return previewChange({ items: planned.plan.items, users, products, holdings, rules, replace: pairs });
}

/**
 * The preview of planned items (a retry's or an undo's), against the tenant as it is now: the
 * items' users, the customer's products and their holdings are read again.
 */
export async function previewItems(
  provider: LicenseProvider,
  customerId: string,
  items: readonly ChangeItem[],
): Promise<{ preview: ChangePreview; products: Product[] }> {
  const userIds = [...new Set(items.map((item) => item.userId))];
  const [users, products, holdings, rules] = await Promise.all([
    provider.getUsers(customerId, userIds),
    provider.listProducts(customerId),
    provider.getHoldings(customerId, userIds),
    provider.licensingRules?.(customerId) ?? NO_RULES,
  ]);
  return { preview: previewChange({ items, users, products, holdings, rules }), products };
}

/** The products a change names, to assign, to revoke or in a replacement. */
export function chosenSkus(input: ChangeInput | PartsInput): Set<string> {
  const choices = 'parts' in input ? input.parts : [input];
  return new Set(
    choices.flatMap((part) => [
      ...part.assign.map((choice) => choice.skuId),
      ...part.revoke,
      ...(part.replace ?? []).flatMap(({ from, to }) => [from, to.skuId]),
    ]),
  );
}

/**
 * Each product of the customer with who of `userIds` holds it, directly or through a group, and
 * who would get it if ticked to assign (with the plans turned off in `disabledPlansBySku`).
 */
export async function productOverview(
  provider: LicenseProvider,
  customerId: string,
  userIds: readonly string[],
  disabledPlansBySku: Readonly<Record<string, readonly string[]>> = {},
): Promise<ProductOverview[]> {
  const selected = [...new Set(userIds)];
  const [products, holdings, users, rules] = await Promise.all([
    provider.listProducts(customerId),
    provider.getHoldings(customerId, selected),
    provider.getUsers(customerId, selected),
    provider.licensingRules?.(customerId) ?? NO_RULES,
  ]);
  return products.map((product) => {
    const disabled = disabledPlansBySku[product.skuId];
    const choice = { skuId: product.skuId, disabledPlans: disabled === undefined ? null : [...disabled] };
    const prediction = predictAssignment({ users, products, holdings, rules, choice });
    const planChanges = disabled === undefined ? 0 : replanned(product.skuId, disabled, selected, holdings);
    return { ...holdersOf(product, selected, holdings), prediction, planChanges };
  });
}

/** Direct holders whose disabled plans differ from `disabled`: the plan re-assigns them (plan.ts). */
function replanned(
  skuId: string,
  disabled: readonly string[],
  selected: readonly string[],
  holdings: ReadonlyMap<string, readonly UserLicense[]>,
): number {
  return selected.filter((userId) => {
    const license = holdings.get(userId)?.find((held) => held.skuId === skuId);
    return license?.direct === true && !samePlans(license.disabledPlans, disabled);
  }).length;
}

function holdersOf(
  product: Product,
  selected: readonly string[],
  holdings: ReadonlyMap<string, readonly UserLicense[]>,
): Omit<ProductOverview, 'prediction' | 'planChanges'> {
  const holders: string[] = [];
  const inheritedHolders: string[] = [];
  const alsoThroughGroup: string[] = [];
  for (const userId of selected) {
    const license = holdings.get(userId)?.find((held) => held.skuId === product.skuId);
    if (license?.direct) holders.push(userId);
    else if (license) inheritedHolders.push(userId);
    if (license?.direct && license.viaGroups.length > 0) alsoThroughGroup.push(userId);
  }
  const holding = holders.length + inheritedHolders.length;
  const state = holding === 0 ? 'none' : holding === selected.length ? 'all' : 'some';
  return {
    product,
    holders,
    inheritedHolders,
    state,
    ...(alsoThroughGroup.length > 0 ? { alsoThroughGroup } : {}),
  };
}

/** A request's planned revocations the run is expected to refuse, from the tenant as it is now. */
export async function revocationOutlook(
  provider: LicenseProvider,
  request: Pick<ChangeRequest, 'customerId' | 'items'>,
): Promise<RevokeRefusal[]> {
  const revokes = request.items
    .filter((item) => item.change.revoke.length > 0)
    .map((item) => ({ userId: item.userId, skuIds: item.change.revoke }));
  if (revokes.length === 0) return [];
  const userIds = revokes.map((r) => r.userId);
  const [products, holdings, rules] = await Promise.all([
    provider.listProducts(request.customerId),
    provider.getHoldings(request.customerId, userIds),
    provider.licensingRules?.(request.customerId) ?? NO_RULES,
  ]);
  return predictRevocations({
    revokes,
    products,
    holdings: withReplacements(request.items, holdings),
    rules,
  });
}

/**
 * The holdings as a replacement's one call leaves them before its revoke is judged: B comes in
 * the same call as A goes, so what B provides is kept (a product needing A's plans keeps them).
 */
function withReplacements(
  items: ChangeRequest['items'],
  holdings: ReadonlyMap<string, readonly UserLicense[]>,
): Map<string, UserLicense[]> {
  const after = new Map([...holdings].map(([userId, licenses]) => [userId, [...licenses]]));
  for (const item of items) {
    for (const { to } of item.replaces ?? []) {
      const part = item.change.assign.find((a) => a.skuId === to);
      if (part === undefined) continue;
      const license = { skuId: to, disabledPlans: [...part.disabledPlans], direct: true, viaGroups: [] };
      after.set(item.userId, [...(after.get(item.userId) ?? []), license]);
    }
  }
  return after;
}
