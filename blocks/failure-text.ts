/**
 * Failure reasons in words, for the thread replies and the CSV: the reason's message, what blocked
 * it (from the result's `blockedBy`: product and plan names, never an id) and the fix, where one
 * exists. Each text comes as Slack mrkdwn (names escaped, products bold) or as plain text.
 */
import type { FailureExplanation, FailureReason, ItemResult, Operation } from '../src/licensing/model.js';
import { plural } from './elements.js';
import { escapeMrkdwn, limits, oneLine, packLines, truncate } from './limits.js';

export type FailureMessages = Readonly<Record<FailureReason, string>>;

/** The message for a reason, from the table when given, else the code in words. */
export function reasonText(reason: FailureReason | undefined, messages?: FailureMessages): string {
  const code: FailureReason = reason ?? 'provider_error';
  const text = messages?.[code];
  if (text) return text;
  const words = code.replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/** Who a group's sentences speak of: one user by name, several as "they". */
export interface Who {
  /** The user's name when the group has one user. */
  name: string | null;
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
const usableUrl = (url: string | null | undefined): string | null =>
  url && /^https?:\/\/[^\s<>|]+$/.test(url) ? url : null;

/** "Ava Mitchell has" / "they have" (`has`), or "does not have" / "do not have". */
function subject(who: Who, style: Style): { name: string; Name: string; has: string; lacks: string } {
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
      const whose = c.who.name === null ? 'their usage location' : `${who.name}'s usage location`;
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
  const names = e
    ? list(
        e.products.map((p) => style.product(p.name)),
        e.kind === 'needs' ? 'or' : 'and',
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
        ? `remove ${names} from them, or replace it with ${product}, then run the request again.`
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

/** Failures that read alike: same operation, product, reason and blocker. */
export interface FailureGroup {
  op: Operation;
  skuId: string;
  reason: FailureReason | undefined;
  blockedBy: FailureExplanation | undefined;
  /** A provider_error's own words, when they name no id (nothing else says what went wrong). */
  quote: string | undefined;
  userIds: string[];
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The words of a provider_error that may be quoted: one line, at most 300 characters, no id in them. */
function quotable(r: ItemResult): string | undefined {
  if (r.reason !== 'provider_error' || !r.detail || ID.test(r.detail)) return undefined;
  return truncate(oneLine(r.detail), 300);
}

/** What makes two explanations the same blocker (names aside: ids decide). */
function blockerKey(e: FailureExplanation | undefined): string {
  if (e === undefined) return '';
  const products = e.products.map((p) => p.skuId).sort();
  return JSON.stringify([e.kind, e.held, products, [...e.plans].sort(), e.country ?? '']);
}

/** The failed results grouped by operation, product, reason and blocker, in order of first appearance. */
export function groupFailures(results: readonly ItemResult[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const r of results) {
    if (r.outcome !== 'failed') continue;
    const quote = quotable(r);
    const key = JSON.stringify([r.op, r.skuId, r.reason ?? '', blockerKey(r.blockedBy), quote ?? '']);
    const group = groups.get(key);
    if (group) group.userIds.push(r.userId);
    else
      groups.set(key, {
        op: r.op,
        skuId: r.skuId,
        reason: r.reason,
        blockedBy: r.blockedBy,
        quote,
        userIds: [r.userId],
      });
  }
  return [...groups.values()];
}

/** The texts a group of failures is written with (mrkdwn, escaped by the caller). */
export interface GroupTexts {
  /** The product, mrkdwn. */
  label: string;
  /** The product's name, plain. */
  product: string;
  /** The users listed, sorted (the rest are counted). */
  names: readonly string[];
  /** The user's name when the group has one user. */
  oneName: string | null;
  /** The reason's message. */
  reason: string;
  purchaseUrl?: string | null | undefined;
  /** Where every result is ("the attached CSV has every result"). */
  where: string;
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

/**
 * One group of failures: ":x: *Product* could not be assigned to 7 users. <reason>", what blocked
 * it, the fix, then its users as one paragraph (a group of one names its user in the first line);
 * in sections of at most 3,000 characters.
 */
export function failureGroupSections(group: FailureGroup, t: GroupTexts): string[] {
  const total = group.userIds.length;
  const one = total === 1 && t.names.length === 1 && t.oneName !== null;
  const c: FailureCase = {
    reason: group.reason,
    op: group.op,
    product: t.product,
    blockedBy: group.blockedBy,
    who: { name: one ? t.oneName : null },
    purchaseUrl: t.purchaseUrl,
  };
  const fix = fixText(c);
  const whom = one ? t.names.join('') : plural(total, 'user');
  const head = [
    `:x: ${t.label ? `*${t.label}*` : 'The product'} ${failedVerb(group.op)} ${whom}. ${escapeMrkdwn(t.reason)}`,
    explanationText(c),
    group.quote ? `The licensing service said: _${escapeMrkdwn(group.quote)}_` : null,
    fix ? `*Fix:* ${fix}` : null,
  ]
    .filter((line) => line !== null)
    .join('\n');
  if (one) return packLines([head]);
  const more = total - t.names.length;
  const people = joinWithin(
    [...t.names, ...(more > 0 ? [`and ${more} more (${t.where})`] : [])],
    limits.sectionText,
  );
  const [first, ...rest] = people;
  const merged = first !== undefined && head.length + 1 + first.length <= limits.sectionText;
  return merged ? [`${head}\n${first}`, ...rest] : [...packLines([head]), ...people];
}
