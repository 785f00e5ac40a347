/**
 * The thread replies of a run: successes grouped, one line per success that came with a note (a
 * provider's warning), failures grouped by product and cause (what blocked them, named, and the
 * fix), no-ops summarised. No provider message reaches the thread: it may name plan or SKU ids.
 */
import type { KnownBlock } from '@slack/types';
import { namedShares } from '../src/licensing/execution/failure-groups.js';
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';
import { isPlanChangeIn } from '../src/licensing/run-counts.js';
import { context, listFirst, plural, section, sentence } from './elements.js';
import { groupFailuresByKind, type KindGroup } from './failure-kinds.js';
import { type FailureMessages, failureGroupSections, reasonText } from './failure-text.js';
import { escapeMrkdwn, limits, oneLine, packLines, packLinesCapped, pagesOf, truncate } from './limits.js';
import { byName, NAMES_PER_LINE, type Person, people, personText } from './people.js';
import { planChangeText, requestPlansOffMrkdwn } from './plan-change-words.js';
import { productLabel, productName } from './product-label.js';
import { groupByProductOp } from './product-ops.js';
import {
  nothingHeading,
  replaceFailureSections,
  replaceResultLines,
  splitReplaceResults,
} from './replace-results.js';
import { neverHeldLines, noopLines, resultsOf } from './run-noops.js';
import type { SlackMessage } from './run-summary.js';

export interface RunResultsInput {
  request: ChangeRequest;
  /**
   * The results to report; default: every result of the request. A reporter that posts in
   * batches passes the batch here.
   */
  results?: readonly ItemResult[];
  /** Failed users listed at most, over all groups of failures (the CSV has all); default 200. */
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
  /** Where seats are bought (PURCHASE_URL): linked in the fix for "no seats left". */
  purchaseUrl?: string | null;
}

/** Blocks per thread message (Slack allows 50). */
const BLOCKS_PER_MESSAGE = 45;
const DEFAULT_MAX_FAILURES = 200;
const DEFAULT_MAX_NOTES = 50;
/** Text per message: keeps each reply readable and far below any payload limit. */
const BYTES_PER_MESSAGE = 36_000;
/** Thread replies at most per call (Slack allows about one message a second a channel). */
export const MAX_RESULT_MESSAGES = 10;

/** Successes of one product and what they were: assigned, plans changed (holders), revoked. */
interface SuccessGroup {
  skuId: string;
  kind: 'assign' | 'plans' | 'revoke';
  userIds: string[];
}

/** The successes by product × operation, a product's new assignments before its plan changes. */
function successGroups(request: ChangeRequest, results: readonly ItemResult[]): SuccessGroup[] {
  const isPlanChange = isPlanChangeIn(request);
  const successes = results.filter((r) => r.outcome === 'success');
  const group = (skuId: string, kind: SuccessGroup['kind'], parts: readonly ItemResult[]) =>
    parts.length === 0 ? [] : [{ skuId, kind, userIds: [...new Set(parts.map((r) => r.userId))] }];
  return groupByProductOp(request, successes).flatMap(({ op, skuId, parts }) => {
    if (op === 'revoke') return group(skuId, 'revoke', parts);
    const fresh = parts.filter((r) => !isPlanChange(r));
    return [...group(skuId, 'assign', fresh), ...group(skuId, 'plans', parts.filter(isPlanChange))];
  });
}

/**
 * One success line per product and what it was (assigned to, plans changed for those who have it,
 * revoked from), each user named once under it however many of their parts landed.
 */
function successLines(
  request: ChangeRequest,
  results: readonly ItemResult[],
  map: Map<string, Person>,
): string[] {
  return successGroups(request, results).map(({ skuId, kind, userIds }) => {
    const users = [...userIds].sort(byName(map));
    const names = listFirst(users, NAMES_PER_LINE, (id) => personText(map, id, false));
    const product = `*${productLabel(request, skuId)}*`;
    const what =
      kind === 'plans'
        ? sentence(
            planChangeText({
              users: users.length,
              off: requestPlansOffMrkdwn(request, skuId),
              product,
              done: true,
            }),
          )
        : `${product} ${kind === 'revoke' ? 'revoked from' : 'assigned to'} ${plural(users.length, 'user')}`;
    return `:white_check_mark: ${what}: ${names}`;
  });
}

/** One group of failures, its users sorted by name, at most `listed` of them named. */
function groupSections(
  input: RunResultsInput,
  group: KindGroup,
  map: Map<string, Person>,
  listed: number,
  where: string,
): string[] {
  const { request } = input;
  return failureGroupSections(group, {
    label: productLabel(request, group.skuId),
    product: productName(request, group.skuId) ?? 'the product',
    reason: reasonText(group.reason, input.failureMessages),
    purchaseUrl: input.purchaseUrl,
    planChange: group.planChange,
    plansOff: group.planChange ? requestPlansOffMrkdwn(request, group.skuId) : null,
    where,
    listed,
    person: (id) => personText(map, id, true),
    nameOf: (id) => map.get(id)?.name || map.get(id)?.email || 'the user',
    compare: byName(map),
  });
}

/** The failures by group, largest first within each product (`maxFailureLines` users named in all, shared fairly). */
function failureSections(
  input: RunResultsInput,
  results: readonly ItemResult[],
  map: Map<string, Person>,
  where: string,
): string[] {
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length === 0) return [];
  const groups = groupFailuresByKind(input.request, failed);
  const budget = input.maxFailureLines ?? DEFAULT_MAX_FAILURES;
  const shares = namedShares(
    groups.map((g) => g.userIds.length),
    budget,
  );
  const sections = [`*${plural(failed.length, 'change')} failed*`];
  groups.forEach((group, i) => {
    sections.push(...groupSections(input, group, map, shares[i] ?? 0, where));
  });
  return sections;
}

function noteLine(request: ChangeRequest, r: ItemResult, map: Map<string, Person>): string {
  const what = r.op === 'assign' ? 'assigned' : 'revoked';
  const note = escapeMrkdwn(truncate(oneLine(r.note ?? ''), 300));
  return `:warning: ${personText(map, r.userId, true)}: *${productLabel(request, r.skuId)}* ${what}, with a note: _${note}_`;
}

function byPerson(map: Map<string, Person>) {
  const names = byName(map);
  return (a: ItemResult, b: ItemResult): number =>
    names(a.userId, b.userId) ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
    (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0) ||
    (a.op < b.op ? -1 : a.op > b.op ? 1 : 0);
}

/** Successes that came with a note, one line each (at most `maxNoteLines`, then a count). */
function noteSections(
  input: RunResultsInput,
  results: readonly ItemResult[],
  map: Map<string, Person>,
  where: string,
) {
  const noted = results.filter((r) => r.outcome === 'success' && r.note).sort(byPerson(map));
  if (noted.length === 0) return [];
  const max = Math.max(0, input.maxNoteLines ?? DEFAULT_MAX_NOTES);
  const lines = noted.slice(0, max).map((r) => noteLine(input.request, r, map));
  const heading = `*${plural(noted.length, 'change')} applied with a note*`;
  const more = (n: number) => `…and ${n} more notes: ${where}.`;
  return packLinesCapped([heading, ...lines], 10, more, limits.sectionText, noted.length - lines.length);
}

/**
 * The sections of the thread, in order: successes, successes with a note, failures by cause,
 * no-ops (counted), then the selected users who never had a product to revoke (not counted).
 */
function resultSections(
  input: RunResultsInput,
  all: readonly ItemResult[],
  never: readonly ItemResult[],
): string[] {
  const { request } = input;
  const map = people(request);
  const where = input.csvAttached ? 'the attached CSV has every result' : 'see the CSV of all results';
  // Replacements are told per user and replacement (replace-results.ts), the other parts as before.
  const results = splitReplaceResults(request, all).rest;
  const neverHeld = splitReplaceResults(request, never).rest;
  const replaced = replaceResultLines(request, all, never, replaceWords(input, map));
  const noops = [...replaced.noops, ...noopLines(request, results)];
  const successes = [...replaced.successes, ...successLines(request, results, map)];
  const nothing = [...replaced.nothing, ...neverHeldLines(request, neverHeld)];
  return [
    ...(successes.length > 0 ? packLines(successes) : []),
    ...noteSections(input, all, map, where),
    ...replaceFailureSections(replaced),
    ...failureSections(input, results, map, where),
    ...(noops.length > 0
      ? packLinesCapped(
          [
            `*No change needed (${results.filter((r) => r.outcome === 'noop').length + replaced.noopUsers})*`,
            ...noops,
          ],
          4,
          (n) => `…and ${n} more`,
        )
      : []),
    ...(nothing.length > 0
      ? packLinesCapped([nothingHeading(replaced, neverHeld), ...nothing], 2, (n) => `…and ${n} more`)
      : []),
  ];
}

/** How the replacement lines name people and products. */
function replaceWords(input: RunResultsInput, map: Map<string, Person>) {
  return {
    label: (skuId: string) => productLabel(input.request, skuId),
    person: (id: string, withEmail: boolean) => personText(map, id, withEmail),
    compare: byName(map),
    ...(input.failureMessages ? { failureMessages: input.failureMessages } : {}),
    purchaseUrl: input.purchaseUrl ?? null,
  };
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
 * grouped by product and operation, failures grouped by product and cause with their users (at
 * most `maxFailureLines` named, then a pointer to the CSV), no-ops summarised; the request id in
 * the last message's context line, never in a headline. Empty when there is nothing to say.
 */
export function renderRunResults(input: RunResultsInput): SlackMessage[] {
  const { request } = input;
  const { counted: results, neverHeld } = resultsOf(input);
  const sections = resultSections(input, results, neverHeld);
  if (sections.length === 0) return [];
  const messages = pagesWithin(sections);
  const count = (outcome: ItemResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  // The tally covers the whole request only when no batch was passed.
  const tally = input.results
    ? ''
    : `: ${count('success')} succeeded, ${count('noop')} no change, ${count('failed')} failed`;
  return messages.map((texts, m) => {
    const blocks: KnownBlock[] = texts.map((t) => section(t));
    if (m === messages.length - 1)
      blocks.push(
        context([
          `Request ${request.id}`,
          ...(input.csvAttached ? ['All results are in the attached CSV.'] : []),
        ]),
      );
    const part = messages.length > 1 ? ` (part ${m + 1} of ${messages.length})` : '';
    return {
      text: truncate(
        escapeMrkdwn(`Results for ${oneLine(request.customerName)}${part}${tally}`),
        limits.messageText,
      ),
      blocks: blocks.slice(0, limits.messageBlocks),
    };
  });
}
