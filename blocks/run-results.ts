/**
 * The thread replies of a run: successes grouped, one line per success that came with a note (a
 * provider's warning), one line per failure, no-ops summarised.
 */
import type { KnownBlock } from '@slack/types';
import type { ChangeRequest, ItemResult, Operation } from '../src/licensing/model.js';
import { resultKey } from '../src/licensing/result-key.js';
import { context, plural, section } from './elements.js';
import { type FailureMessages, reasonText } from './failure-text.js';
import { escapeMrkdwn, limits, oneLine, packLines, packLinesCapped, pagesOf, truncate } from './limits.js';
import { productLabel, type SlackMessage } from './run-summary.js';

/** Kept here for the reporter, which imports it with renderRunResults. */

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
 * A heading over at most `max` lines of `listed`, packed into at most `sectionsAtMost` sections;
 * what is left out is counted in a last line (`more`).
 */
function cappedList(
  heading: string,
  listed: readonly ItemResult[],
  max: number,
  line: (r: ItemResult) => string,
  sectionsAtMost: number,
  more: (n: number) => string,
): string[] {
  if (listed.length === 0) return [];
  const lines = listed.slice(0, Math.max(0, max)).map(line);
  return packLinesCapped(
    [heading, ...lines],
    sectionsAtMost,
    more,
    limits.sectionText,
    listed.length - lines.length,
  );
}

/** The sections of the thread, in order: successes, successes with a note, failures, no-ops. */
function resultSections(input: RunResultsInput, results: readonly ItemResult[]): string[] {
  const { request } = input;
  const map = people(request);
  const where = input.csvAttached ? 'the attached CSV has every result' : 'see the CSV of all results';
  const noted = results.filter((r) => r.outcome === 'success' && r.note).sort(byPerson(map));
  const failures = results.filter((r) => r.outcome === 'failed').sort(byPerson(map));
  const noops = noopLines(request, results);
  const successes = successLines(request, results, map);
  return [
    ...(successes.length > 0 ? packLines(successes) : []),
    ...cappedList(
      `*${plural(noted.length, 'change')} applied with a note*`,
      noted,
      input.maxNoteLines ?? DEFAULT_MAX_NOTES,
      (r) => noteLine(request, r, map),
      10,
      (n) => `…and ${n} more notes: ${where}.`,
    ),
    ...cappedList(
      `*${plural(failures.length, 'change')} failed*`,
      failures,
      input.maxFailureLines ?? DEFAULT_MAX_FAILURES,
      (r) => failureLine(request, r, map, input.failureMessages),
      40,
      (n) => `…and ${n} more failures: ${where}.`,
    ),
    ...(noops.length > 0
      ? packLinesCapped(
          [`*No change needed (${results.filter((r) => r.outcome === 'noop').length})*`, ...noops],
          4,
          (n) => `…and ${n} more`,
        )
      : []),
  ];
}

/** Sections paged into messages, at most MAX_RESULT_MESSAGES; the last one says what was left out. */
function pagesWithin(sections: readonly string[]): string[][] {
  const messages = pagesOf(sections, BLOCKS_PER_MESSAGE, BYTES_PER_MESSAGE);
  if (messages.length <= MAX_RESULT_MESSAGES) return messages;
  const dropped = messages.slice(MAX_RESULT_MESSAGES).reduce((n, m) => n + m.length, 0);
  const kept = messages.slice(0, MAX_RESULT_MESSAGES);
  kept[MAX_RESULT_MESSAGES - 1]?.push(
    `…${plural(dropped, 'more section')} of results left out here: see the CSV of all results.`,
  );
  return kept;
}

/**
 * A bounded list of thread messages (each ≤ 45 blocks, sections ≤ 3,000 characters): successes
 * grouped by product and operation, one line per failed user and product (at most
 * `maxFailureLines`, then a pointer to the CSV), no-ops summarised. Empty when there is nothing to say.
 */
export function renderRunResults(input: RunResultsInput): SlackMessage[] {
  const { request } = input;
  const results = resultsOf(input);
  const sections = resultSections(input, results);
  if (sections.length === 0) return [];
  const messages = pagesWithin(sections);
  const count = (outcome: ItemResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  // The tally covers the whole request only when no batch was passed.
  const tally = input.results
    ? ''
    : `: ${count('success')} succeeded, ${count('noop')} no change, ${count('failed')} failed`;
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
