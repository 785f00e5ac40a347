/**
 * "Replace *A* with *B*" said as one change on every surface: the summary, the approval message,
 * App Home, "Request sent", the thread and the CSV. A replacement's parts (B assigned, A revoked)
 * are told apart from the request's other parts by product: a product named by a replacement has
 * no other role in the request (plan-replace.ts refuses it).
 */
import type { ChangeRequest, Operation, Replacement } from '../src/licensing/model.js';
import { plural } from './elements.js';

/** The request's replacements: as asked, and as planned on its items (a request made without them). */
export function replacementsOf(request: Pick<ChangeRequest, 'items' | 'replacements'>): Replacement[] {
  const pairs = new Map<string, Replacement>();
  for (const pair of [...(request.replacements ?? []), ...request.items.flatMap((i) => i.replaces ?? [])]) {
    pairs.set(`${pair.from}|${pair.to}`, pair);
  }
  return [...pairs.values()];
}

/** The replacement a part belongs to (B's assignment or A's revoke); undefined for other parts. */
export function replacementOf(
  pairs: readonly Replacement[],
  part: { op: Operation; skuId: string },
): Replacement | undefined {
  return pairs.find((pair) => (part.op === 'revoke' ? pair.from : pair.to) === part.skuId);
}

/** Per replacement: the users who lose A (of whom `hadTo` already have B) and those without A. */
export function replaceTotals(
  request: Pick<ChangeRequest, 'items' | 'replacements'>,
): { pair: Replacement; users: number; hadTo: number; without: number }[] {
  return replacementsOf(request).map((pair) => {
    let users = 0;
    let hadTo = 0;
    let without = 0;
    for (const item of request.items) {
      const noop = (skuId: string, op: Operation) => item.noops.some((n) => n.skuId === skuId && n.op === op);
      if (item.change.revoke.includes(pair.from)) {
        users++;
        if (noop(pair.to, 'assign')) hadTo++;
      } else if (noop(pair.from, 'revoke')) without++;
    }
    return { pair, users, hadTo, without };
  });
}

/**
 * "Replace *A* with *B*: 12 users (2 already have *B* · 3 do not have *A*)" per replacement, or
 * "Replace *A* with *B*: none of the 3 users has *A*" (mrkdwn; `label` escapes a product's name).
 */
export function replaceLines(
  request: Pick<ChangeRequest, 'items' | 'replacements'>,
  label: (skuId: string) => string,
): string[] {
  return replaceTotals(request).map(({ pair, users, hadTo, without }) => {
    const what = `Replace ${replaceNames(pair, label)}`;
    const a = `*${label(pair.from)}*`;
    if (users === 0)
      return `${what}: ${without === 1 ? `the user does not have ${a}` : `none of the ${without} users has ${a}`}`;
    const notes = [
      ...(hadTo > 0 ? [`${hadTo} already ${hadTo === 1 ? 'has' : 'have'} *${label(pair.to)}*`] : []),
      ...(without > 0 ? [`${without} ${without === 1 ? 'does' : 'do'} not have ${a}`] : []),
    ];
    return `${what}: ${plural(users, 'user')}${notes.length > 0 ? ` (${notes.join(' · ')})` : ''}`;
  });
}

/** "*A* with *B*". */
export function replaceNames(pair: Replacement, label: (skuId: string) => string): string {
  return `*${label(pair.from)}* with *${label(pair.to)}*`;
}
