/**
 * The audit log as a CSV file (`/licenses audit [customer]`): one row per audit entry, newest
 * first, escaped as the results CSV is (csvField: RFC 4180 quoting, formula-like cells as text).
 */
import type { RequestHeader } from '../src/licensing/model.js';
import type { Approval, AuditEntry } from '../src/store/store-schema.js';
import { csvField } from './results-csv.js';

export const AUDIT_CSV_HEADER = [
  'when',
  'who',
  'what',
  'request_id',
  'customer',
  'outcome',
  'approver',
  'reason',
] as const;

/** What an entry's row may name besides the entry: its request (customer name) and approval. */
export interface AuditContext {
  request?: RequestHeader | undefined;
  approval?: Approval | undefined;
}

function detail(entry: AuditEntry, key: string): string | undefined {
  const value = entry.details?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The reason that goes with the entry: its own, else the request's (submitted) or the decision's. */
function reasonOf(entry: AuditEntry, approval: Approval | undefined): string {
  const own = detail(entry, 'reason');
  if (own !== undefined) return own;
  if (entry.action === 'submitted') return approval?.reason ?? '';
  if (entry.action === 'approved' || entry.action === 'rejected') return approval?.decisionReason ?? '';
  return '';
}

/** One entry as CSV fields, in AUDIT_CSV_HEADER's order; the customer by name where known. */
export function auditRow(entry: AuditEntry, { request, approval }: AuditContext): string[] {
  const decided = approval !== undefined && approval.status !== 'pending';
  return [
    entry.at,
    entry.actor,
    entry.action,
    entry.requestId ?? '',
    request?.customerName ?? detail(entry, 'customerName') ?? detail(entry, 'customerId') ?? '',
    entry.outcome ?? '',
    decided ? (approval.decidedBy ?? '') : '',
    reasonOf(entry, approval),
  ];
}

/** The rows under the header, CRLF line ends (as the results CSV). */
export function renderAuditCsv(rows: readonly (readonly string[])[]): string {
  return `${[AUDIT_CSV_HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
