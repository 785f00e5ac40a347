/** Every part of a request as a CSV file, attached to the thread of its run. */
import type { ChangeRequest, Operation } from '../src/licensing/model.js';
import { resultKey } from '../src/licensing/result-key.js';
import { type FailureMessages, reasonText } from './failure-text.js';

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
