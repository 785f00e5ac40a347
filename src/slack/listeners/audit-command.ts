/**
 * `/licenses audit [customer]`: operators and approvers get the audit log as a CSV file in a DM.
 * The command is acked at once ("the file is coming"); the file is built and sent afterwards.
 * Large logs: the newest AUDIT_MAX_ROWS entries are read (with a customer, those of its requests
 * among them) and the DM says when older ones were left out; the CSV is built in memory, which
 * at that cap is a few megabytes, and uploaded in one files.uploadV2.
 */
import type { Middleware, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { auditRow, renderAuditCsv } from '../../../blocks/audit-csv.js';
import { escapeMrkdwn, truncate } from '../../../blocks/limits.js';
import type { Customer } from '../../licensing/model.js';
import type { Store } from '../../store/store.js';
import { LicensesCommand } from '../payloads.js';
import type { ListenerDeps } from './deps.js';
import { isStaff, STAFF_ONLY } from './staff.js';

/** Newest audit entries read for one export. */
export const AUDIT_MAX_ROWS = 50_000;

/** `audit`, alone or followed by a customer name (so "Auditors Ltd" still opens the modal). */
const AUDIT_TEXT = /^audit(?:\s+([\s\S]*))?$/i;

/**
 * Route middleware put before the operator check of `/licenses`: answers `/licenses audit …`
 * (staff only) and passes every other `/licenses` on.
 */
export function auditCommand(deps: ListenerDeps): Middleware<SlackCommandMiddlewareArgs> {
  return async (args) => {
    const parsed = LicensesCommand.safeParse(args.command);
    const match = parsed.success ? AUDIT_TEXT.exec(parsed.data.text.trim()) : null;
    if (!parsed.success || match === null) {
      await args.next();
      return;
    }
    const userId = parsed.data.user_id;
    if (!(await isStaff(deps, userId))) {
      await args.ack({ response_type: 'ephemeral', text: STAFF_ONLY });
      // Refused reads are audited too, as refused decisions are.
      deps.runs.track(`audit refusal of ${userId}`, () =>
        deps.store.appendAudit({ actor: userId, action: 'audit_export_refused', outcome: 'not_staff' }),
      );
      return;
    }
    const query = (match[1] ?? '').trim();
    const whose = query === '' ? '' : ` of “${escapeMrkdwn(truncate(query, 200))}”`;
    await args.ack({
      response_type: 'ephemeral',
      text: `Preparing the audit log${whose}: it will arrive as a CSV file in a direct message from me.`,
    });
    deps.runs.track(`audit export for ${userId}`, () => sendAudit(deps, args.client, userId, query));
  };
}

/** The customer named `query`: an exact name (any case), else the only match; null when none or several. */
async function findCustomer(deps: ListenerDeps, query: string): Promise<Customer | null> {
  const matches = await deps.service.searchCustomers(query, 10);
  const exact = matches.find((c) => c.name.toLowerCase() === query.toLowerCase());
  return exact ?? (matches.length === 1 ? (matches[0] ?? null) : null);
}

/** The CSV rows of the newest entries (of `customerId`'s requests when given); `capped` when older ones were left out. */
export async function auditRows(
  store: Store,
  customerId: string | null,
): Promise<{ rows: string[][]; capped: boolean }> {
  const [entries, headers, approvals] = await Promise.all([
    store.listAudit({ limit: AUDIT_MAX_ROWS + 1 }),
    store.listRequestHeaders({ limit: AUDIT_MAX_ROWS, ...(customerId === null ? {} : { customerId }) }),
    store.listApprovals({ limit: AUDIT_MAX_ROWS }),
  ]);
  const requests = new Map(headers.map((h) => [h.id, h]));
  const approvalOf = new Map(approvals.map((a) => [a.requestId, a]));
  const rows = entries
    .slice(0, AUDIT_MAX_ROWS)
    .filter((e) => customerId === null || (e.requestId !== undefined && requests.has(e.requestId)))
    .map((e) => {
      const id = e.requestId;
      return auditRow(e, {
        request: id === undefined ? undefined : requests.get(id),
        approval: id === undefined ? undefined : approvalOf.get(id),
      });
    });
  return { rows, capped: entries.length > AUDIT_MAX_ROWS };
}

/** Builds the CSV and sends it to the caller's DM (a line saying what it holds, then the file). */
async function sendAudit(deps: ListenerDeps, client: WebClient, userId: string, query: string) {
  const customer = query === '' ? null : await findCustomer(deps, query);
  if (query !== '' && customer === null) {
    await client.chat.postMessage({
      channel: userId,
      text: `No single customer is called “${escapeMrkdwn(truncate(query, 200))}”, so no audit log was sent. Try \`/licenses audit\` with the customer's full name.`,
    });
    return;
  }
  // Who read the audit log is part of it (the export's own row is in the file it sends).
  await deps.store.appendAudit({
    actor: userId,
    action: 'audit_exported',
    outcome: 'ok',
    ...(customer === null ? {} : { details: { customerId: customer.id, customerName: customer.name } }),
  });
  const { rows, capped } = await auditRows(deps.store, customer?.id ?? null);
  const whose = customer === null ? '' : ` of ${customer.name}`;
  const older = capped
    ? ` (from the newest ${AUDIT_MAX_ROWS.toLocaleString('en-US')} entries; older ones are left out)`
    : '';
  const posted = await client.chat.postMessage({
    channel: userId,
    text: `The audit log${escapeMrkdwn(whose)}: ${rows.length.toLocaleString('en-US')} entries, newest first${older}.`,
  });
  const channel = posted.channel ?? userId;
  const stamp = new Date().toISOString().slice(0, 10);
  await client.files.uploadV2({
    channel_id: channel,
    filename: `licensedesk-audit${customer === null ? '' : `-${customer.id.replace(/[^\w-]/g, '-')}`}-${stamp}.csv`,
    title: `LicenseDesk audit log${whose}`,
    content: renderAuditCsv(rows),
  });
}
