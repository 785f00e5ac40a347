/**
 * The thread replies of a run: successes grouped, one line per success that came with a note (a
 * provider's warning), one line per failure, no-ops summarised.
 */
import type { KnownBlock } from '@slack/types';
import type { ChangeRequest, FailureReason, ItemResult, Operation } from '../src/licensing/model.js';
import { resultKey } from '../src/licensing/result-key.js';
import { context, plural, section } from './elements.js';
import { escapeMrkdwn, limits, oneLine, packLines, packLinesCapped, pagesOf, truncate } from './limits.js';
import { productLabel, type SlackMessage } from './run-summary.js';

export interface RunResultsInput {
  request: ChangeRequest;
  /**
   * The results to report; default: every result of the request. A reporter that posts in
   * batches passes the batch here.
   */
  results?: readonly ItemResult[];
  /** Failure lines listed at most (the CSV has all); default 200. */
  maxFailureLines?: number;
  /** Lines for successes with a note listed at most (the CSV has all); default 50. */
  maxNoteLines?: number;
  /** True when a CSV of all results is attached to the thread (mentioned when lines are capped). */
  csvAttached?: boolean;
  /**
   * The plain-language message per reason: pass `failureMessages` from src/licensing/model.ts
   * (blocks/ imports no values from src/). Without it the reason code is shown in words.
   */
  failureMessages?: FailureMessages;
}

export type FailureMessages = Readonly<Record<FailureReason, string>>;

/** The message for a reason, from the table when given, else the code in words. */
export function reasonText(reason: FailureReason | undefined, messages?: FailureMessages): string {
  const code: FailureReason = reason ?? 'provider_error';
  const text = messages?.[code];
  if (text) return text;
  const words = code.replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/** Blocks per thread message (Slack allows 50). */
const BLOCKS_PER_MESSAGE = 45;
/** Names listed in one success line before "and N more". */
const NAMES_PER_GROUP = 25;
const DEFAULT_MAX_FAILURES = 200;
const DEFAULT_MAX_NOTES = 50;
/** Text per message: keeps each reply readable and far below any payload limit. */
const BYTES_PER_MESSAGE = 36_000;
/** Thread replies at most per call (Slack allows about one message a second a channel). */
export const MAX_RESULT_MESSAGES = 10;

interface Person {
  name: string;
  email: string;
}

function people(request: ChangeRequest): Map<string, Person> {
  return new Map(request.items.map((i) => [i.userId, { name: i.displayName, email: i.email }]));
}

function personText(map: Map<string, Person>, userId: string, withEmail: boolean): string {
  const p = map.get(userId);
  const name = truncate(oneLine(p?.name || p?.email || userId), 80);
  const email = p?.email ? truncate(oneLine(p.email), 80) : '';
  return escapeMrkdwn(withEmail && email && email !== name ? `${name} (${email})` : name);
}

function sortKey(map: Map<string, Person>, userId: string): string {
  return (map.get(userId)?.name ?? userId).toLocaleLowerCase();
}

function opVerb(op: Operation): string {
  return op === 'assign' ? 'assigned to' : 'revoked from';
}

/**
 * Orders `${op}|${skuId}` group keys as the summary does: assignments first, then the request's
 * product order (unknown products last, by sku id).
 */
function compareGroups(request: ChangeRequest, a: string, b: string): number {
  const [opA = '', skuA = ''] = a.split('|');
  const [opB = '', skuB = ''] = b.split('|');
  if (opA !== opB) return opA === 'assign' ? -1 : 1;
  const order = (sku: string) => {
    const i = request.products.findIndex((p) => p.skuId === sku);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return order(skuA) - order(skuB) || (skuA < skuB ? -1 : skuA > skuB ? 1 : 0);
}

/** The parts a message list is built from: lines grouped under headings, each heading starting a section. */
function successLines(
  request: ChangeRequest,
  results: readonly ItemResult[],
  map: Map<string, Person>,
): string[] {
  const groups = new Map<string, ItemResult[]>();
  for (const r of results) {
    if (r.outcome !== 'success') continue;
    const k = `${r.op}|${r.skuId}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const lines: string[] = [];
  for (const [k, group] of [...groups.entries()].sort(([a], [b]) => compareGroups(request, a, b))) {
    const [op = 'assign', skuId = ''] = k.split('|');
    const names = group
      .map((r) => r.userId)
      .sort((a, b) => sortKey(map, a).localeCompare(sortKey(map, b)))
      .map((id) => personText(map, id, false));
    const shown = names.slice(0, NAMES_PER_GROUP);
    const more = names.length - shown.length;
    lines.push(
      `:white_check_mark: *${productLabel(request, skuId)}* ${opVerb(op === 'revoke' ? 'revoke' : 'assign')} ${plural(group.length, 'user')}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  return lines;
}

function failureLine(
  request: ChangeRequest,
  r: ItemResult,
  map: Map<string, Person>,
  messages: FailureMessages | undefined,
): string {
  const reason = escapeMrkdwn(reasonText(r.reason, messages));
  const detail = r.detail ? ` _(${escapeMrkdwn(truncate(oneLine(r.detail), 300))})_` : '';
  const what = r.op === 'assign' ? 'could not assign' : 'could not revoke';
  return `:x: ${personText(map, r.userId, true)}: ${what} *${productLabel(request, r.skuId)}*. ${reason}${detail}`;
}

function noteLine(request: ChangeRequest, r: ItemResult, map: Map<string, Person>): string {
  const what = r.op === 'assign' ? 'assigned' : 'revoked';
  const note = escapeMrkdwn(truncate(oneLine(r.note ?? ''), 300));
  return `:warning: ${personText(map, r.userId, true)}: *${productLabel(request, r.skuId)}* ${what}, with a note: _${note}_`;
}

function byPerson(map: Map<string, Person>) {
  return (a: ItemResult, b: ItemResult): number =>
    sortKey(map, a.userId).localeCompare(sortKey(map, b.userId)) ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
    (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0) ||
    (a.op < b.op ? -1 : a.op > b.op ? 1 : 0);
}

function noopLines(request: ChangeRequest, results: readonly ItemResult[]): string[] {
  const groups = new Map<string, number>();
  for (const r of results) {
    if (r.outcome !== 'noop') continue;
    const k = `${r.op}|${r.skuId}`;
    groups.set(k, (groups.get(k) ?? 0) + 1);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareGroups(request, a, b))
    .map(([k, n]) => {
      const [op, skuId = ''] = k.split('|');
      return op === 'revoke'
        ? `• *${productLabel(request, skuId)}*: ${plural(n, 'user')} did not have it (nothing to revoke)`
        : `• *${productLabel(request, skuId)}*: ${plural(n, 'user')} already had it`;
    });
}

/** Results of a request: the given batch, or every landed result plus planned no-ops. */
function resultsOf(input: RunResultsInput): ItemResult[] {
  if (input.results) return [...input.results];
  const { request } = input;
  const all = Object.values(request.results);
  const seen = new Set(Object.keys(request.results));
  for (const item of request.items) {
    for (const n of item.noops) {
      const key = resultKey(item.userId, n.skuId, n.op);
      if (!seen.has(key)) {
        all.push({ userId: item.userId, skuId: n.skuId, op: n.op, outcome: 'noop', at: request.createdAt });
        seen.add(key);
      }
    }
  }
  return all;
}

/**
 * A bounded list of thread messages (each ≤ 45 blocks, sections ≤ 3,000 characters): successes
 * grouped by product and operation, one line per failed user and product (at most
 * `maxFailureLines`, then a pointer to the CSV), no-ops summarised. Empty when there is nothing to say.
 */
export function renderRunResults(input: RunResultsInput): SlackMessage[] {
  const { request } = input;
  const results = resultsOf(input);
  const map = people(request);
  const maxFailures = Math.max(0, input.maxFailureLines ?? DEFAULT_MAX_FAILURES);

  const sections: string[] = [];
  const successes = successLines(request, results, map);
  if (successes.length > 0) sections.push(...packLines(successes));
  const where = input.csvAttached ? 'the attached CSV has every result' : 'see the CSV of all results';

  const noted = results.filter((r) => r.outcome === 'success' && r.note).sort(byPerson(map));
  if (noted.length > 0) {
    const maxNotes = Math.max(0, input.maxNoteLines ?? DEFAULT_MAX_NOTES);
    const listed = noted.slice(0, maxNotes).map((r) => noteLine(request, r, map));
    const lines = [`*${plural(noted.length, 'change')} applied with a note*`, ...listed];
    sections.push(
      ...packLinesCapped(
        lines,
        10,
        (n) => `…and ${n} more notes: ${where}.`,
        limits.sectionText,
        noted.length - listed.length,
      ),
    );
  }

  const failures = results.filter((r) => r.outcome === 'failed').sort(byPerson(map));
  if (failures.length > 0) {
    const listed = failures
      .slice(0, maxFailures)
      .map((r) => failureLine(request, r, map, input.failureMessages));
    const rest = failures.length - listed.length;
    const lines = [`*${plural(failures.length, 'change')} failed*`, ...listed];
    const packed = packLinesCapped(
      lines,
      40,
      (n) => `…and ${n} more failures: ${where}.`,
      limits.sectionText,
      rest,
    );
    sections.push(...packed);
  }

  const noops = noopLines(request, results);
  if (noops.length > 0) {
    const total = results.filter((r) => r.outcome === 'noop').length;
    sections.push(
      ...packLinesCapped([`*No change needed (${total})*`, ...noops], 4, (n) => `…and ${n} more`),
    );
  }
  if (sections.length === 0) return [];

  let messages = pagesOf(sections, BLOCKS_PER_MESSAGE, BYTES_PER_MESSAGE);
  if (messages.length > MAX_RESULT_MESSAGES) {
    const dropped = messages.slice(MAX_RESULT_MESSAGES).reduce((n, m) => n + m.length, 0);
    messages = messages.slice(0, MAX_RESULT_MESSAGES);
    messages[MAX_RESULT_MESSAGES - 1]?.push(
      `…${plural(dropped, 'more section')} of results left out here: see the CSV of all results.`,
    );
  }
  // The tally covers the whole request only when no batch was passed.
  const tally = input.results
    ? ''
    : `: ${results.filter((r) => r.outcome === 'success').length} succeeded, ${
        results.filter((r) => r.outcome === 'noop').length
      } no change, ${failures.length} failed`;
  return messages.map((texts, m) => {
    const blocks: KnownBlock[] = texts.map((t) => section(t));
    if (m === messages.length - 1 && input.csvAttached)
      blocks.push(context(['All results are in the attached CSV.']));
    const part = messages.length > 1 ? ` (part ${m + 1} of ${messages.length})` : '';
    return {
      text: truncate(
        escapeMrkdwn(
          `Results of license request ${request.id} for ${oneLine(request.customerName)}${part}${tally}`,
        ),
        limits.messageText,
      ),
      blocks: blocks.slice(0, limits.messageBlocks),
    };
  });
}

function csvField(value: string): string {
  // A leading = + - @ makes spreadsheets evaluate the cell; a quote keeps it text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Every part of the request as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, quote or line break): one row per user, product and operation, with outcome
 * (success / noop / failed / pending), reason, message (pass `failureMessages`), detail and note.
 */
export function renderResultsCsv(request: ChangeRequest, messages?: FailureMessages): string {
  const header = [
    'request_id',
    'user_id',
    'display_name',
    'email',
    'product',
    'sku_id',
    'operation',
    'outcome',
    'reason',
    'message',
    'detail',
    'note',
    'at',
  ];
  const names = new Map(request.products.map((p) => [p.skuId, p.name]));
  const rows: string[][] = [];
  for (const item of request.items) {
    const parts: { skuId: string; op: Operation; planned: boolean }[] = [
      ...item.change.assign.map((a) => ({ skuId: a.skuId, op: 'assign' as const, planned: false })),
      ...item.change.revoke.map((skuId) => ({ skuId, op: 'revoke' as const, planned: false })),
      ...item.noops.map((n) => ({ skuId: n.skuId, op: n.op, planned: true })),
    ];
    const seen = new Set<string>();
    for (const part of parts) {
      const key = resultKey(item.userId, part.skuId, part.op);
      if (seen.has(key)) continue;
      seen.add(key);
      const r = request.results[key];
      const outcome = r?.outcome ?? (part.planned ? 'noop' : 'pending');
      rows.push([
        request.id,
        item.userId,
        item.displayName,
        item.email,
        names.get(part.skuId) ?? part.skuId,
        part.skuId,
        part.op,
        outcome,
        r?.reason ?? '',
        r?.outcome === 'failed' ? reasonText(r.reason, messages) : '',
        r?.detail ?? '',
        r?.note ?? '',
        r?.at ?? '',
      ]);
    }
  }
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
