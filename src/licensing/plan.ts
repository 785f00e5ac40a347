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
import { type AsLeft, isAsLeft } from './undo.js';

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
  const { assign, revoke, replace = [] } = input;
  const parts = input.users.map((user) => ({ userId: user.id, assign, revoke, replace }));
  return planParts({ ...input, parts });
}

/**
 * One user's own part of a change, for a change that is not the same for every user (a follow-up
 * of an earlier request): the products to assign to that user and those to revoke.
 */
export interface UserParts {
  userId: string;
  assign: readonly PartChoice[];
  revoke: readonly string[];
  /** "Replace A with B" for this user (plan-replace.ts); absent = none. */
  replace?: readonly ReplaceChoice[];
  /** An undo's: how the undone request left each product; one held otherwise now is a no-op (changed since). */
  asLeft?: AsLeft;
}

/**
 * An assignment of one user's part. `newOnly`: assign it only to a user who does not hold it; a
 * holder is a no-op whatever their plans (a failed new assignment tried again must not re-assign
 * someone who has since got the product, with plans of their own).
 */
export type PartChoice = AssignChoice & { newOnly?: boolean };

export interface PartsPlanInput {
  users: readonly TenantUser[];
  products: readonly Product[];
  /** Current holdings by user id; a user missing here holds nothing. */
  holdings: ReadonlyMap<string, readonly UserLicense[]>;
  /** In run order; a user not among `users` (gone from the tenant) is left out, like in planChanges. */
  parts: readonly UserParts[];
}

/** Plans each user's own part (planChanges is the case where every user has the same one). */
export function planParts(input: PartsPlanInput): PlanResult {
  const usersById = new Map(input.users.map((user) => [user.id, user]));
  const parts = uniqueBy(input.parts, (part) => part.userId)
    .filter((part) => usersById.has(part.userId))
    .map((part) => ({
      user: usersById.get(part.userId) as TenantUser,
      assign: uniqueBy(part.assign, (choice) => choice.skuId),
      revoke: [...new Set(part.revoke)],
      replace: part.replace ?? [],
      asLeft: part.asLeft,
    }));
  const productsBySku = new Map(input.products.map((product) => [product.skuId, product]));
  const choiceProblems = problemsOfParts(parts, productsBySku);
  if (choiceProblems.length > 0) return { ok: false, problems: choiceProblems };

  const tally: Tally = {
    assignments: 0,
    revocations: 0,
    planRemovals: 0,
    planChanges: 0,
    noops: 0,
  };
  const items = parts.map(({ user, assign, revoke, replace, asLeft }) => ({
    ...planUser(
      user,
      input.holdings.get(user.id) ?? [],
      { assign, revoke, replace, productsBySku, asLeft },
      tally,
    ),
    ...(asLeft === undefined ? {} : { asLeft }),
  }));
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

/** Problems with the selection and choices themselves, before any holding is looked at; each named once. */
function problemsOfParts(
  parts: readonly {
    assign: readonly PartChoice[];
    revoke: readonly string[];
    replace: readonly ReplaceChoice[];
  }[],
  productsBySku: ReadonlyMap<string, Product>,
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const isEmpty = (part: (typeof parts)[number]) =>
    part.assign.length === 0 && part.revoke.length === 0 && part.replace.length === 0;
  if (parts.length === 0) problems.push({ kind: 'no_users' });
  else if (parts.every(isEmpty)) problems.push({ kind: 'empty' });
  const bothWays = new Set<string>();
  const unknown = new Set<string>();
  const replacing = new Map<string, PlanProblem>();
  for (const { assign, revoke, replace } of parts) {
    const revoked = new Set(revoke);
    for (const choice of assign) if (revoked.has(choice.skuId)) bothWays.add(choice.skuId);
    const replaced = replace.flatMap(({ from, to }) => [from, to.skuId]);
    for (const skuId of [...assign.map((choice) => choice.skuId), ...revoke, ...replaced]) {
      if (!productsBySku.has(skuId)) unknown.add(skuId);
    }
    for (const p of replaceProblems(replace, assign, revoke)) replacing.set(JSON.stringify(p), p);
  }
  for (const skuId of bothWays) problems.push({ kind: 'both_ways', skuId });
  problems.push(...replacing.values());
  for (const skuId of unknown) problems.push({ kind: 'unknown_product', skuId });
  return problems;
}

/** One user's choices, with the customer's products by skuId. */
interface Choices {
  assign: readonly PartChoice[];
  revoke: readonly string[];
  replace: readonly ReplaceChoice[];
  productsBySku: ReadonlyMap<string, Product>;
  asLeft?: AsLeft | undefined;
}

/** One user's item against what the user holds now (see the decisions at the top). */
function planUser(
  user: TenantUser,
  holdings: readonly UserLicense[],
  choices: Choices,
  tally: Tally,
): ChangeItem {
  const { assign, revoke, productsBySku, asLeft } = choices;
  const held = new Map(holdings.map((license) => [license.skuId, license]));
  const item: ChangeItem = {
    userId: user.id,
    displayName: user.displayName,
    email: user.email,
    change: { assign: [], revoke: [] },
    noops: [],
  };
  const noop = (skuId: string, op: Operation, changedSince = false) => {
    item.noops.push({ skuId, op, ...(changedSince ? { changedSince } : {}) });
    tally.noops++;
  };
  for (const choice of assign) {
    const license = held.get(choice.skuId);
    if (changedSince(asLeft, choice.skuId, license, choice.disabledPlans ?? []))
      noop(choice.skuId, 'assign', true);
    else if (!license) {
      item.change.assign.push({ skuId: choice.skuId, disabledPlans: [...(choice.disabledPlans ?? [])] });
      tally.assignments++;
    } else if (
      license.direct &&
      choice.newOnly !== true &&
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
    if (changedSince(asLeft, skuId, held.get(skuId), null)) noop(skuId, 'revoke', true);
    else if (held.has(skuId)) {
      item.change.revoke.push(skuId);
      tally.revocations++;
    } else {
      noop(skuId, 'revoke');
    }
  }
  planReplacements(item, held, choices.replace, tally);
  return item;
}

/**
 * An undo's part (`asLeft` names how the undone request left the product) whose product the user
 * holds otherwise now, and not where the part would put it (assigned with `assignedPlans` off, or
 * revoked when null): it was changed since, and is left as it is.
 */
function changedSince(
  asLeft: AsLeft | undefined,
  skuId: string,
  now: UserLicense | undefined,
  assignedPlans: readonly string[] | null,
): boolean {
  const left = asLeft?.[skuId];
  if (left === undefined) return false;
  const there =
    assignedPlans === null
      ? now === undefined
      : now?.direct === true && samePlans(now.disabledPlans, assignedPlans);
  return !there && !isAsLeft(left, now);
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
