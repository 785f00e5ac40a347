/**
 * The preview's line of a "Replace A with B" (plan-replace.ts): the holders of A change (B given
 * and A taken in one call, or A taken from a holder of B), users without A are the no-ops, and the
 * predicted failures are those of the pair as the run makes it: A held through a group, then B
 * refused (usage location, country, seats, a product in the way, with A already gone, since the
 * call removes it), then A's removal breaking a product kept (with B already there; such a pair is
 * refused as a whole and takes no seat of B). Pure.
 */
import { type EligibilityInput, predictAssignment, predictRevocations, type Refusal } from './eligibility.js';
import type { ChangeItem, Replacement, UserLicense } from './model.js';
import type { PredictedFailure, PreviewInput, PreviewLine } from './preview.js';

/** The pairs of a change: the ones it names, then any its items carry (a retry's, an undo's). */
export function replacementsOf(input: Pick<PreviewInput, 'items' | 'replace'>): Replacement[] {
  const pairs = [...(input.replace ?? []), ...input.items.flatMap((item) => item.replaces ?? [])];
  const seen = new Set<string>();
  return pairs.filter(({ from, to }) => {
    const key = `${from}\n${to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const isPair = (item: ChangeItem, { from, to }: Replacement) =>
  (item.replaces ?? []).some((pair) => pair.from === from && pair.to === to);

/** Each pair user's holdings as the call sees them: `drop` taken away, `add` (directly) given. */
function holdingsAs(
  input: PreviewInput,
  pairUsers: ReadonlySet<string>,
  edit: { drop?: string; add?: string },
): Map<string, readonly UserLicense[]> {
  const holdings = new Map(input.holdings);
  for (const userId of pairUsers) {
    const held = (input.holdings.get(userId) ?? []).filter((license) => license.skuId !== edit.drop);
    const added =
      edit.add === undefined ? [] : [{ skuId: edit.add, disabledPlans: [], direct: true, viaGroups: [] }];
    holdings.set(userId, [...held, ...added]);
  }
  return holdings;
}

/**
 * B's refusals of the pair users, in run order. A user whose A cannot go (a product kept needs
 * it) has the call refused as a whole, taking no seat of B: the users after them keep it.
 */
function assignRefusals(input: EligibilityInput, refusedWhole: ReadonlySet<string>): Refusal[] {
  const prediction = predictAssignment({
    ...input,
    users: input.users.filter((u) => !refusedWhole.has(u.id)),
  });
  const gets = new Set(prediction.gets);
  const refusalOf = new Map(prediction.cannot.map((refusal) => [refusal.userId, refusal]));
  const refusals: Refusal[] = [];
  let taken = 0;
  for (const user of input.users) {
    if (refusedWhole.has(user.id)) {
      // Judged alone, with the seats the users before left.
      const products = input.products.map((p) =>
        p.skuId === input.choice.skuId ? { ...p, available: p.available - taken } : p,
      );
      refusals.push(...predictAssignment({ ...input, users: [user], products }).cannot);
    } else if (gets.has(user.id)) taken++;
    else {
      const refusal = refusalOf.get(user.id);
      if (refusal !== undefined) refusals.push(refusal);
    }
  }
  return refusals;
}

/** The line of one replacement, or null when no selected user is concerned. */
export function replaceLine(input: PreviewInput, pair: Replacement): PreviewLine | null {
  const { from, to } = pair;
  const holders = input.items.filter((item) => item.change.revoke.includes(from));
  const pairUsers = new Set(holders.filter((item) => isPair(item, pair)).map((item) => item.userId));
  const revokeRefusals = predictRevocations({
    revokes: holders.map((item) => ({ userId: item.userId, skuIds: item.change.revoke })),
    products: input.products,
    holdings: holdingsAs(input, pairUsers, { add: to }),
    rules: input.rules,
  }).filter((refusal) => refusal.skuId === from);
  const failures: PredictedFailure[] = revokeRefusals
    .filter((refusal) => refusal.reason === 'inherited_from_group')
    .map(({ userId, reason }) => ({ userId, reason }));
  const failing = new Set(failures.map((failure) => failure.userId));
  const usersById = new Map(input.users.map((user) => [user.id, user]));
  const assigned = holders.filter((item) => pairUsers.has(item.userId) && !failing.has(item.userId));
  const choice = assigned[0]?.change.assign.find((a) => a.skuId === to) ?? { skuId: to, disabledPlans: [] };
  const refusedWhole = new Set(revokeRefusals.map((refusal) => refusal.userId));
  const cannot = assignRefusals(
    {
      ...input,
      users: assigned.flatMap((item) => usersById.get(item.userId) ?? []),
      holdings: holdingsAs(input, pairUsers, { drop: from }),
      choice,
    },
    refusedWhole,
  );
  for (const refusal of [...cannot, ...revokeRefusals]) {
    if (failing.has(refusal.userId)) continue;
    failing.add(refusal.userId);
    failures.push({
      userId: refusal.userId,
      reason: refusal.reason,
      ...('blockingSkuId' in refusal && refusal.blockingSkuId !== undefined
        ? { blockingSkuId: refusal.blockingSkuId }
        : {}),
    });
  }
  const changes = holders.map((item) => item.userId).filter((userId) => !failing.has(userId));
  const noops = input.items
    .filter((item) => item.noops.some((noop) => noop.skuId === from && noop.op === 'revoke'))
    .map((item) => item.userId);
  if (changes.length === 0 && noops.length === 0 && failures.length === 0) return null;
  return { skuId: from, to, op: 'replace', changes, noops, failures };
}
