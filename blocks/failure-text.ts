/**
 * Failure reasons in words, for the thread replies and the CSV: the reason's message, what blocked
 * it (from the result's `blockedBy`: product and plan names, never an id) and the fix, where one
 * exists. Each text comes as Slack mrkdwn (names escaped, products bold) or as plain text.
 */
import {
  type Blocker,
  type FailureGroup,
  mergedExplanation,
  namedShares,
} from '../src/licensing/execution/failure-groups.js';
import type { FailureExplanation, FailureReason, Operation } from '../src/licensing/model.js';
import { plural, sentence } from './elements.js';
import { escapeMrkdwn, limits, oneLine, packLines, truncate } from './limits.js';
import { failedPlanChangeText } from './plan-change-words.js';

export type FailureMessages = Readonly<Record<FailureReason, string>>;

/** The message for a reason, from the table when given, else the code in words. */
export function reasonText(reason: FailureReason | undefined, messages?: FailureMessages): string {
  const code: FailureReason = reason ?? 'provider_error';
  const text = messages?.[code];
  if (text) return text;
  const words = code.replace(/_/g, ' ');
  return `${sentence(words)}.`;
}

/** Who a group's sentences speak of: one user by name, several as "they" or "3 of them". */
export interface Who {
  /** The user's name when the group has one user. */
  name: string | null;
  /** Part of a group: how many of them. */
  count?: number;
}

/** What the texts of one group of failures are about. */
export interface FailureCase {
  reason: FailureReason | undefined;
  op: Operation;
  /** The product that failed, by name. */
  product: string;
  blockedBy: FailureExplanation | undefined;
  who: Who;
  /** Where seats are bought (PURCHASE_URL), when configured. */
  purchaseUrl?: string | null | undefined;
  /** True when the users are blocked by different products (the fix names them as alternatives). */
  mixed?: boolean;
}

/** How names are written: mrkdwn (escaped, products bold) or plain text (the CSV). */
interface Style {
  text: (s: string) => string;
  product: (s: string) => string;
  link: (url: string, label: string) => string;
}

const MRKDWN: Style = {
  text: (s) => escapeMrkdwn(truncate(oneLine(s), 150)),
  product: (s) => `*${escapeMrkdwn(truncate(oneLine(s), 150))}*`,
  link: (url, label) => `<${url}|${label}>`,
};

const PLAIN: Style = {
  text: (s) => oneLine(s),
  product: (s) => oneLine(s),
  link: (url, label) => `${label} (${url})`,
};

const styleOf = (mrkdwn: boolean): Style => (mrkdwn ? MRKDWN : PLAIN);

/** "A", "A or B", "A, B or C" (`word` joins the last two). */
function list(items: readonly string[], word: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}

/** A URL that can stand inside a mrkdwn link. */
export const usableUrl = (url: string | null | undefined): string | null =>
  url && /^https?:\/\/[^\s<>|]+$/.test(url) ? url : null;

/** "Ava Mitchell has" / "they have" (`has`), or "does not have" / "do not have". */
function subject(who: Who, style: Style): { name: string; Name: string; has: string; lacks: string } {
  if (who.count !== undefined) {
    const some = `${who.count} of them`;
    const one = who.count === 1;
    return {
      name: some,
      Name: some,
      has: one ? 'has' : 'have',
      lacks: one ? 'does not have' : 'do not have',
    };
  }
  if (who.name === null) return { name: 'they', Name: 'They', has: 'have', lacks: 'do not have' };
  const name = style.text(who.name);
  return { name, Name: name, has: 'has', lacks: 'does not have' };
}

/**
 * What blocked it, in one sentence ("Ava Mitchell has *Office 365 E1*."), or null when the
 * result carries no explanation.
 */
export function explanationText(c: FailureCase, mrkdwn = true): string | null {
  const e = c.blockedBy;
  if (e === undefined) return null;
  const style = styleOf(mrkdwn);
  const who = subject(c.who, style);
  const products = list(
    e.products.map((p) => style.product(p.name)),
    e.kind === 'conflict' || e.kind === 'needed_by' ? 'and' : 'or',
  );
  const plans = list(
    e.plans.map((p) => style.text(p)),
    'or',
  );
  switch (e.kind) {
    case 'conflict':
      return e.held
        ? `${who.Name} ${who.has} ${products}.`
        : `It cannot be combined with ${products}, assigned in the same request.`;
    case 'needs': {
      const needs = plans ? `It needs ${plans}, which ${who.name} ${who.lacks}.` : '';
      const from = products ? ` ${products} ${e.products.length > 1 ? 'include' : 'includes'} it.` : '';
      return `${needs}${from}`.trim() || null;
    }
    case 'needed_by':
      return `${who.Name} ${who.has} ${products}, which ${plans ? `needs ${plans} from it` : 'depends on it'}.`;
    case 'country': {
      const where = e.country ? ` in ${style.text(e.country)}` : ' there';
      const whose =
        c.who.count !== undefined
          ? `where ${who.name} ${c.who.count === 1 ? 'is' : 'are'}`
          : c.who.name === null
            ? 'their usage location'
            : `${who.name}'s usage location`;
      return plans ? `${plans} ${e.plans.length > 1 ? 'are' : 'is'} not sold${where}, ${whose}.` : null;
    }
  }
}

const USAGE_LOCATION =
  'set their usage location: in the Microsoft 365 admin center, Users › Active users › the user › Manage contact information › Usage location (in Microsoft Graph, the user’s `usageLocation`), then run the request again';

/** The fix for a group of failures ("set their usage location: …"), or null when there is none to offer. */
export function fixText(c: FailureCase, mrkdwn = true): string | null {
  const style = styleOf(mrkdwn);
  const product = style.product(c.product);
  const e = c.blockedBy;
  const either = e?.kind === 'needs' || c.mixed === true;
  const names = e
    ? list(
        e.products.map((p) => style.product(p.name)),
        either ? 'or' : 'and',
      )
    : '';
  switch (c.reason) {
    case 'usage_location_missing':
      return `${USAGE_LOCATION}.`;
    case 'usage_location_not_allowed': {
      const plans =
        e && e.plans.length > 0 ? list(e.plans.map(style.text), 'and') : 'the plans not sold there';
      return `correct their usage location if it is wrong; otherwise ${product} can only be assigned to them with ${plans} turned off.`;
    }
    case 'insufficient_licenses': {
      const url = usableUrl(c.purchaseUrl);
      const buy = url ? style.link(url, `buy more seats of ${c.product}`) : `buy more seats of ${product}`;
      return `${buy}, or free seats by revoking it from users who no longer need it, then run the request again.`;
    }
    case 'mutually_exclusive':
      if (e?.held === false) return `assign only one of ${product} and ${names}.`;
      return names
        ? `remove ${names}${c.mixed ? ' (whichever they have)' : ''} from them, or replace it with ${product}, then run the request again.`
        : `remove the conflicting product from them, or replace it with ${product}.`;
    case 'missing_prerequisite':
      if (e?.kind === 'needed_by') return `revoke ${names} in the same request, or keep ${product}.`;
      return names
        ? `assign ${names} first (or in the same request), then run the request again.`
        : 'assign the product it needs first (or in the same request).';
    case 'inherited_from_group':
      return c.op === 'revoke'
        ? `remove them from the group that gives them ${product}, or change the group's licenses (Microsoft Entra admin center › Groups › the group › Licenses).`
        : null;
    case 'throttled':
    case 'provider_error':
    case undefined:
      return 'run the request again later; the CSV has the licensing service’s own message.';
    case 'user_not_found':
      return null;
  }
}

/** The texts a group of failures is written with (mrkdwn, escaped by the caller). */
export interface GroupTexts {
  /** The product, mrkdwn. */
  label: string;
  /** The product's name, plain. */
  product: string;
  /** The reason's message. */
  reason: string;
  purchaseUrl?: string | null | undefined;
  /** A group of plan changes (holders re-assigned with other plans), not of new assignments. */
  planChange?: boolean;
  /** The plans a group of plan changes turns off, mrkdwn (plan-change-words.ts); null when unknown. */
  plansOff?: readonly string[] | null;
  /** Where every result is ("the attached CSV has every result"). */
  where: string;
  /** Users named at most (the rest are counted). */
  listed: number;
  /** A user as listed (mrkdwn). */
  person: (userId: string) => string;
  /** A user's name, plain, for a sentence about one user. */
  nameOf: (userId: string) => string;
  /** The order users are listed in. */
  compare: (a: string, b: string) => number;
}

const failedVerb = (op: Operation) =>
  op === 'assign' ? 'could not be assigned to' : 'could not be revoked from';

/** Names joined by ", " into texts of at most `max` characters each. */
function joinWithin(names: readonly string[], max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const name of names) {
    const next = current === '' ? name : `${current}, ${name}`;
    if (next.length <= max) current = next;
    else {
      if (current !== '') out.push(current);
      current = truncate(name, max);
    }
  }
  if (current !== '') out.push(current);
  return out;
}

/** The users of a blocker, sorted, at most `named` of them (the rest counted), as lines. */
function peopleLines(userIds: readonly string[], t: GroupTexts, named: number): string[] {
  const shown = [...userIds].sort(t.compare).slice(0, Math.max(0, named));
  const more = userIds.length - shown.length;
  const names = [...shown.map(t.person), ...(more > 0 ? [`and ${more} more (${t.where})`] : [])];
  return joinWithin(names, limits.sectionText);
}

/**
 * One group of failures (one product and reason): ":x: *Product* could not be assigned to 7 users.
 * <reason>", what blocked them, the fix, then the users as one paragraph (a group of one names its
 * user in the first line); users blocked by different products get a line each ("• 6 of them have
 * *Office 365 E3*."). In sections of at most 3,000 characters.
 */
export function failureGroupSections(group: FailureGroup, t: GroupTexts): string[] {
  const [first, ...others] = group.blockers;
  const mixed = others.length > 0;
  const [only] = group.userIds;
  const one = group.userIds.length === 1 && only !== undefined && t.listed > 0;
  const c: FailureCase = {
    reason: group.reason,
    op: group.op,
    product: t.product,
    blockedBy: mixed ? mergedExplanation(group.blockers) : first?.blockedBy,
    who: { name: one ? t.nameOf(only) : null },
    purchaseUrl: t.purchaseUrl,
    mixed,
  };
  const fix = fixText(c);
  const whom = one ? t.person(only) : plural(group.userIds.length, 'user');
  const label = t.label ? `*${t.label}*` : 'the product';
  const named = t.planChange
    ? failedPlanChangeText({ whom, one, off: t.plansOff ?? null, product: label })
    : null;
  const what =
    named ??
    (t.planChange
      ? `The plans of ${label} could not be changed for ${whom}${one ? '' : ' who have it'}`
      : `${sentence(label)} ${failedVerb(group.op)} ${whom}`);
  const head = [
    `:x: ${what}. ${escapeMrkdwn(t.reason)}`,
    mixed ? null : explanationText(c),
    group.quote ? `The licensing service said: _${escapeMrkdwn(group.quote)}_` : null,
    fix ? `*Fix:* ${fix}` : null,
  ].filter((line) => line !== null);
  if (one) return packLines([head.join('\n')]);
  const shares = namedShares(
    group.blockers.map((b) => b.userIds.length),
    t.listed,
  );
  const people = mixed
    ? group.blockers.flatMap((b, i) => [
        `• ${blockerLine(c, b)}`,
        ...peopleLines(b.userIds, t, shares[i] ?? 0),
      ])
    : peopleLines(group.userIds, t, t.listed);
  return packLines([head.join('\n'), ...people]);
}

/** "6 of them have *Office 365 E3*.", or their count when nothing blocking them is named. */
function blockerLine(c: FailureCase, b: Blocker): string {
  const count = b.userIds.length;
  const said = explanationText({ ...c, blockedBy: b.blockedBy, who: { name: null, count } });
  return said ?? `${plural(count, 'user')}:`;
}
