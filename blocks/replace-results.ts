/**
 * A run's thread on its replacements, one outcome per user and replacement (replace-words.ts):
 * "replaced" when A was revoked (B assigned, or already held), failed when the one call was
 * refused (both products named, with the reason), "no longer had A" (a counted no-op) and "did
 * not have A" (selected users with nothing to replace, counted nowhere).
 */
import type { ChangeRequest, FailureReason, ItemResult, Replacement } from '../src/licensing/model.js';
import { listFirst, plural } from './elements.js';
import { type FailureMessages, fixText, reasonText } from './failure-text.js';
import { packLinesCapped } from './limits.js';
import { NAMES_PER_LINE } from './people.js';
import { replacementOf, replacementsOf, replaceNames } from './replace-words.js';

/** How the thread names people and products (run-results.ts's helpers). */
export interface ReplaceWords {
  label: (skuId: string) => string;
  /** A user named for a list (`withEmail` for failures). */
  person: (userId: string, withEmail: boolean) => string;
  compare: (a: string, b: string) => number;
  failureMessages?: FailureMessages;
  purchaseUrl?: string | null;
}

/** The thread's lines on replacements, by section. */
export interface ReplaceLines {
  successes: string[];
  failures: string[];
  /** Counted no-ops: users who no longer had A when the run came to them. */
  noops: string[];
  /** Selected users who never had A. */
  nothing: string[];
  /** Users counted in `noops` and in `failures`. */
  noopUsers: number;
  failedUsers: number;
}

/** The results of replacements' parts apart from the others. */
export function splitReplaceResults(
  request: ChangeRequest,
  results: readonly ItemResult[],
): { replace: ItemResult[]; rest: ItemResult[] } {
  const pairs = replacementsOf(request);
  const replace: ItemResult[] = [];
  const rest: ItemResult[] = [];
  for (const r of results) (replacementOf(pairs, r) ? replace : rest).push(r);
  return { replace, rest };
}

type UserOutcome =
  | { kind: 'replaced' }
  | { kind: 'failed'; reason: FailureReason | undefined; op: 'assign' | 'revoke' }
  | { kind: 'noop' };

/** One user's outcome of a replacement from its parts' results (null while A has none). */
function outcomeOf(from: ItemResult | undefined, to: ItemResult | undefined): UserOutcome | null {
  // A group license is about A, whatever part reports it.
  if (to?.outcome === 'failed' && to.reason !== 'inherited_from_group')
    return { kind: 'failed', reason: to.reason, op: 'assign' };
  const failed = from?.outcome === 'failed' ? from : to?.outcome === 'failed' ? to : undefined;
  if (failed) return { kind: 'failed', reason: failed.reason, op: 'revoke' };
  if (from?.outcome === 'success') return { kind: 'replaced' };
  return from?.outcome === 'noop' ? { kind: 'noop' } : null;
}

/** Users per outcome key of one replacement. */
function byOutcome(pair: Replacement, results: readonly ItemResult[]): Map<string, string[]> {
  const users = new Map<string, { from?: ItemResult; to?: ItemResult }>();
  for (const r of results) {
    const side =
      r.op === 'revoke' && r.skuId === pair.from
        ? 'from'
        : r.op === 'assign' && r.skuId === pair.to
          ? 'to'
          : null;
    if (side === null) continue;
    users.set(r.userId, { ...users.get(r.userId), [side]: r });
  }
  const groups = new Map<string, string[]>();
  for (const [userId, parts] of users) {
    const outcome = outcomeOf(parts.from, parts.to);
    if (outcome === null) continue;
    const key = outcome.kind === 'failed' ? `failed|${outcome.op}|${outcome.reason ?? ''}` : outcome.kind;
    groups.set(key, [...(groups.get(key) ?? []), userId]);
  }
  return groups;
}

function names(users: readonly string[], words: ReplaceWords, withEmail: boolean): string {
  return listFirst([...users].sort(words.compare), NAMES_PER_LINE, (id) => words.person(id, withEmail));
}

/** The failure line of one reason: what failed, for whom, why, and the fix when there is one. */
function failureLine(pair: Replacement, key: string, users: readonly string[], words: ReplaceWords): string {
  const [, op = 'assign', code = ''] = key.split('|');
  const reason = code === '' ? undefined : (code as FailureReason);
  const fix = fixText({
    reason,
    op: op === 'revoke' ? 'revoke' : 'assign',
    product: op === 'revoke' ? words.label(pair.from) : words.label(pair.to),
    blockedBy: undefined,
    who: { name: null },
    purchaseUrl: words.purchaseUrl,
  });
  const why = `${reasonText(reason, words.failureMessages)}${fix ? ` To fix: ${fix}` : ''}`;
  return `:x: Could not replace ${replaceNames(pair, words.label)} for ${names(users, words, true)}: ${why}`;
}

/** The lines of every replacement, from `results` (counted) and `neverHeld` (planned no-ops). */
export function replaceResultLines(
  request: ChangeRequest,
  results: readonly ItemResult[],
  neverHeld: readonly ItemResult[],
  words: ReplaceWords,
): ReplaceLines {
  const lines: ReplaceLines = {
    successes: [],
    failures: [],
    noops: [],
    nothing: [],
    noopUsers: 0,
    failedUsers: 0,
  };
  for (const pair of replacementsOf(request)) {
    const what = replaceNames(pair, words.label);
    for (const [key, users] of byOutcome(pair, results)) {
      if (key === 'replaced')
        lines.successes.push(
          `:white_check_mark: Replaced ${what} for ${plural(users.length, 'user')}: ${names(users, words, false)}`,
        );
      else if (key === 'noop') {
        lines.noopUsers += users.length;
        lines.noops.push(
          `• Replace ${what}: ${plural(users.length, 'user')} no longer had *${words.label(pair.from)}*`,
        );
      } else {
        lines.failedUsers += users.length;
        lines.failures.push(failureLine(pair, key, users, words));
      }
    }
    const without = byOutcome(pair, neverHeld).get('noop') ?? [];
    if (without.length > 0)
      lines.nothing.push(
        `• Replace ${what}: ${plural(without.length, 'selected user')} did not have *${words.label(pair.from)}*`,
      );
  }
  return lines;
}

/** "*2 replacements failed*" and their lines, packed into sections. */
export function replaceFailureSections(replaced: ReplaceLines): string[] {
  if (replaced.failures.length === 0) return [];
  const heading = `*${plural(replaced.failedUsers, 'replacement')} failed*`;
  return packLinesCapped([heading, ...replaced.failures], 4, (n) => `…and ${n} more`);
}

/** The heading over selected users who never had a product: to revoke, to replace, or both. */
export function nothingHeading(replaced: ReplaceLines, neverHeld: readonly unknown[]): string {
  if (neverHeld.length === 0) return '*Nothing to replace*';
  return replaced.nothing.length > 0 ? '*Nothing to revoke or replace*' : '*Nothing to revoke*';
}
