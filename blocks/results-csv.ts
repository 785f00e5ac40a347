/** Every part of a request as a CSV file, attached to the thread of its run. */
import type { ChangeRequest, ItemResult, Operation } from '../src/licensing/model.js';
import { resultKey } from '../src/licensing/result-key.js';
import { isPlanChange, itemParts } from '../src/licensing/run-counts.js';
import { sentence } from './elements.js';
import {
  explanationText,
  type FailureCase,
  type FailureMessages,
  fixText,
  reasonText,
} from './failure-text.js';
import { itemPlansOff, planChangeAction } from './plan-change-words.js';
import { productName } from './product-label.js';
import { replacementOf, replacementsOf } from './replace-words.js';
import { foundWords, mismatchSentence } from './verification.js';

/** What blocked a failure and its fix, plain text, the user named. */
function failureWords(
  r: ItemResult,
  product: string,
  item: ChangeRequest['items'][number],
  options: CsvOptions,
): [string, string] {
  const c: FailureCase = {
    reason: r.reason,
    op: r.op,
    product,
    blockedBy: r.blockedBy,
    who: { name: item.displayName || item.email },
    purchaseUrl: options.purchaseUrl,
  };
  const fix = fixText(c, false) ?? '';
  return [explanationText(c, false) ?? '', sentence(fix)];
}

/** One CSV field: RFC 4180 quoting, and a formula-like start (= + - @) kept as text with a quote. */
export function csvField(value: string): string {
  // A leading = + - @ makes spreadsheets evaluate the cell; a quote keeps it text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Where seats are bought, for the fix of "no seats left" (PURCHASE_URL). */
export interface CsvOptions {
  purchaseUrl?: string | null;
}

/** The CSV's word for each outcome: the summary's and the thread's ("no change", never "noop"). */
export const CSV_OUTCOME_WORDS: Readonly<Record<ItemResult['outcome'], string>> = {
  success: 'success',
  noop: 'no change',
  failed: 'failed',
};

/** A part's outcome; a planned revoke of a product the user never had is counted nowhere. */
function outcomeOf(r: ItemResult | undefined, part: { op: Operation; noop: boolean }): string {
  if (part.noop && part.op === 'revoke') return 'did not have it';
  if (r) return CSV_OUTCOME_WORDS[r.outcome];
  return part.noop ? CSV_OUTCOME_WORDS.noop : 'pending';
}

/**
 * "assign", "revoke", a replacement's part ("replace: assign" B, "replace: revoke" A), or a holder's
 * plan change in words: "turn off Exchange Online (Plan 2)" (every name).
 */
function operationOf(
  item: ChangeRequest['items'][number],
  part: { skuId: string; op: Operation },
  pairs: ReturnType<typeof replacementsOf>,
): string {
  if (replacementOf(pairs, part)) return `replace: ${part.op}`;
  if (part.op !== 'assign' || !isPlanChange(item, part.skuId)) return part.op;
  return planChangeAction(itemPlansOff(item, part.skuId), { all: true });
}

/**
 * A row per result the tenant contradicted when the run was verified: outcome "mismatch", what the
 * run reported (`reported`, the outcome's word) and what the tenant holds (`tenant`), in words.
 */
function mismatchRows(request: ChangeRequest): string[][] {
  const items = new Map(request.items.map((item) => [item.userId, item]));
  const at = request.verification?.at ?? '';
  return (request.verification?.mismatches ?? []).map((m) => {
    const item = items.get(m.userId);
    return [
      request.id,
      m.userId,
      item?.displayName ?? '',
      item?.email ?? '',
      productName(request, m.skuId) ?? m.skuId,
      m.skuId,
      item ? operationOf(item, m, replacementsOf(request)) : m.op,
      'mismatch',
      '',
      `${mismatchSentence(m)}.`,
      '',
      'Check the user in the admin center, or run the change again.',
      '',
      '',
      at,
      CSV_OUTCOME_WORDS[m.reported],
      foundWords(m.found),
    ];
  });
}

/** The CSV's columns; `reported` and `tenant` are filled on mismatch rows only. */
const HEADER = [
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
  'explanation',
  'fix',
  'detail',
  'note',
  'at',
  'reported',
  'tenant',
];

/**
 * Every part of the request as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, quote or line break): one row per user, product and operation (assign, revoke, or a
 * holder's plan change as plan-change-words.ts says it: "turn off Exchange Online (Plan 2)"), with outcome
 * (success / no change / failed / pending, or "did not have it" for a planned revoke of a product the
 * user never had, which no count includes), reason, message (pass `failureMessages`), what blocked it
 * and the fix in words, the provider's own words (`detail`, which may name plan ids) and note; then a
 * row per mismatch found when the run was verified (mismatchRows).
 */
export function renderResultsCsv(
  request: ChangeRequest,
  messages?: FailureMessages,
  options: CsvOptions = {},
): string {
  const pairs = replacementsOf(request);
  const rows: string[][] = [];
  for (const item of request.items) {
    const seen = new Set<string>();
    for (const part of itemParts(item)) {
      const key = resultKey(item.userId, part.skuId, part.op);
      if (seen.has(key)) continue;
      seen.add(key);
      const r = request.results[key];
      const outcome = outcomeOf(r, part);
      rows.push([
        request.id,
        item.userId,
        item.displayName,
        item.email,
        productName(request, part.skuId) ?? part.skuId,
        part.skuId,
        operationOf(item, part, pairs),
        outcome,
        r?.reason ?? '',
        r?.outcome === 'failed' ? reasonText(r.reason, messages) : '',
        ...(r?.outcome === 'failed'
          ? failureWords(r, productName(request, part.skuId) ?? 'the product', item, options)
          : ['', '']),
        r?.detail ?? '',
        r?.note ?? '',
        r?.at ?? '',
        '',
        '',
      ]);
    }
  }
  rows.push(...mismatchRows(request));
  return `${[HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
