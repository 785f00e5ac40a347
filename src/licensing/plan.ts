/**
 * planChanges turns a selection of users and the operator's choices into per-user operations
 * against the tenant as it is now. Problems known up front are values, not exceptions.
 *
 * Decisions:
 * - Every selected user gets an item, even one with nothing to do: its parts are listed in
 *   `noops`, so the run reports "already had it" / "did not have it" for every user and product.
 * - `disabledPlans: null` means the operator did not touch the plans: new assignees get every
 *   plan, holders are a no-op (their own disabled plans survive). A list re-assigns direct holders
 *   whose disabled plans differ, which is their change and needs no extra seat.
 * - A product held only through a group is a no-op to assign (its plans are managed on the
 *   group); revoking it stays in the plan so the run reports `inherited_from_group` per user.
 * - Seats are per user, like every other reason a user cannot get a product: a request whose
 *   seats cannot cover every new assignee is not refused as a whole. The run assigns while seats
 *   last and the users beyond them fail with `insufficient_licenses` and its fix (buy more), as
 *   the manage step predicts ("2 would get it · 2 cannot: 2 no seats", eligibility.ts). The
 *   providers count seats per call, and seats can run out between submit and run anyway.
 * - "Replace A with B" is planned in plan-replace.ts: B and A in one call for each holder of A.
 */
import type {
  ApprovalBasis,
  AssignChoice,
  ChangeItem,
  Operation,
  Product,
  ServicePlan,
  TenantUser,
  UserLicense,
} from './model.js';
import { planReplacements, type ReplaceChoice, replaceProblems } from './plan-replace.js';

export type PlanProblem =
  | { kind: 'no_users' }
  | { kind: 'empty' }
  | { kind: 'both_ways'; skuId: string }
  | { kind: 'unknown_product'; skuId: string }
  /** A product replaced by itself. */
  | { kind: 'replace_same'; skuId: string }
  /** A product of a replacement also ticked to assign or revoke, or in another replacement. */
  | { kind: 'replace_overlap'; skuId: string }
  /** A request that needs approval was submitted without a reason; `basis` says why it needs it. */
  | { kind: 'reason_required'; basis?: ApprovalBasis }
  /** The customer is no longer known to the provider. */
  | { kind: 'unknown_customer'; customerId: string };

export interface PlanInput {
  users: readonly TenantUser[];
  products: readonly Product[];
  /** Current holdings by user id; a user missing here holds nothing. */
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
  assign: readonly AssignChoice[];
  revoke: readonly string[];
  /** "Replace A with B" (plan-replace.ts); absent = none. */
  replace?: readonly ReplaceChoice[];
}

export type PlanResult =
  | {
      ok: true;
      items: ChangeItem[];
      assignments: number;
      revocations: number;
      /** Re-assignments that turn off a plan the user has enabled now (the policy counts them). */
      planRemovals: number;
      /** Of `assignments`, direct holders re-assigned with other plans: they keep the product. */
      planChanges: number;
      noops: number;
    }
  | { ok: false; problems: PlanProblem[] };

export function planChanges(input: PlanInput): PlanResult {
  const users = uniqueBy(input.users, (user) => user.id);
  const assign = uniqueBy(input.assign, (choice) => choice.skuId);
  const revoke = [...new Set(input.revoke)];
  const replace = input.replace ?? [];
  const productsBySku = new Map(input.products.map((product) => [product.skuId, product]));
  const choiceProblems = problemsOfChoice(users, { assign, revoke, replace }, productsBySku);
  if (choiceProblems.length > 0) return { ok: false, problems: choiceProblems };

  const tally: Tally = {
    assignments: 0,
    revocations: 0,
    planRemovals: 0,
    planChanges: 0,
    noops: 0,
  };
  const items = users.map((user) =>
    planUser(user, input.holdings.get(user.id) ?? [], { assign, revoke, replace, productsBySku }, tally),
  );
  const { assignments, revocations, planRemovals, planChanges, noops } = tally;
  if (assignments + revocations === 0) return { ok: false, problems: [{ kind: 'empty' }] };
  return { ok: true, items, assignments, revocations, planRemovals, planChanges, noops };
}

/** What the plan counts while it goes through the users. */
interface Tally {
  assignments: number;
  revocations: number;
  planRemovals: number;
  planChanges: number;
  noops: number;
}

/** Problems with the selection and choices themselves, before any user is looked at. */
function problemsOfChoice(
  users: readonly TenantUser[],
  choices: Pick<Choices, 'assign' | 'revoke' | 'replace'>,
  productsBySku: ReadonlyMap<string, Product>,
): PlanProblem[] {
  const { assign, revoke, replace } = choices;
  const problems: PlanProblem[] = [];
  if (users.length === 0) problems.push({ kind: 'no_users' });
  if (assign.length === 0 && revoke.length === 0 && replace.length === 0) problems.push({ kind: 'empty' });
  const revoked = new Set(revoke);
  for (const choice of assign) {
    if (revoked.has(choice.skuId)) problems.push({ kind: 'both_ways', skuId: choice.skuId });
  }
  problems.push(...replaceProblems(replace, assign, revoke));
  const named = [...assign.map((choice) => choice.skuId), ...revoke];
  for (const skuId of new Set([...named, ...replace.flatMap(({ from, to }) => [from, to.skuId])])) {
    if (!productsBySku.has(skuId)) problems.push({ kind: 'unknown_product', skuId });
  }
  return problems;
}

/** The operator's choices, deduplicated, with the customer's products by skuId. */
interface Choices {
  assign: readonly AssignChoice[];
  revoke: readonly string[];
  replace: readonly ReplaceChoice[];
  productsBySku: ReadonlyMap<string, Product>;
}

/** One user's item against what the user holds now (see the decisions at the top). */
function planUser(
  user: TenantUser,
  holdings: readonly UserLicense[],
  choices: Choices,
  tally: Tally,
): ChangeItem {
  const { assign, revoke, productsBySku } = choices;
  const held = new Map(holdings.map((license) => [license.skuId, license]));
  const item: ChangeItem = {
    userId: user.id,
    displayName: user.displayName,
    email: user.email,
    change: { assign: [], revoke: [] },
    noops: [],
  };
  const noop = (skuId: string, op: Operation) => {
    item.noops.push({ skuId, op });
    tally.noops++;
  };
  for (const choice of assign) {
    const license = held.get(choice.skuId);
    if (!license) {
      item.change.assign.push({ skuId: choice.skuId, disabledPlans: [...(choice.disabledPlans ?? [])] });
      tally.assignments++;
    } else if (
      license.direct &&
      choice.disabledPlans !== null &&
      !samePlans(license.disabledPlans, choice.disabledPlans)
    ) {
      item.change.assign.push({ skuId: choice.skuId, disabledPlans: [...choice.disabledPlans] });
      tally.assignments++;
      tally.planChanges++;
      item.planChanges = [...(item.planChanges ?? []), choice.skuId];
      const servicePlans = productsBySku.get(choice.skuId)?.servicePlans ?? [];
      item.plansOff = { ...item.plansOff, [choice.skuId]: plansOffNamed(servicePlans, choice.disabledPlans) };
      const enabledNow = (plan: string) => !license.disabledPlans.includes(plan);
      if (choice.disabledPlans.some(enabledNow)) tally.planRemovals++;
    } else {
      noop(choice.skuId, 'assign');
    }
  }
  for (const skuId of revoke) {
    if (held.has(skuId)) {
      item.change.revoke.push(skuId);
      tally.revocations++;
    } else {
      noop(skuId, 'revoke');
    }
  }
  planReplacements(item, held, choices.replace, tally);
  return item;
}

/** A service plan as people know it. */
export function planName(plan: ServicePlan): string {
  return plan.friendlyName ?? plan.name;
}

/**
 * Names of the plans turned off (`disabled`, plan ids) in the product's catalogue order; a plan
 * the catalogue does not list is "another plan" (never its id: the names reach people).
 */
export function plansOffNamed(servicePlans: readonly ServicePlan[], disabled: readonly string[]): string[] {
  const off = new Set(disabled);
  const named = servicePlans.filter((plan) => off.has(plan.id)).map(planName);
  const unknown = disabled.filter((id) => !servicePlans.some((plan) => plan.id === id)).length;
  return [...named, ...Array.from({ length: unknown }, () => 'another plan')];
}

/** Disabled plans compared as sets. */
export function samePlans(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((plan) => right.has(plan));
}

function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const value of values) if (!seen.has(key(value))) seen.set(key(value), value);
  return [...seen.values()];
}
