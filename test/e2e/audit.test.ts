/**
 * `/licenses audit [customer]` over signed HTTP: acked at once, then a CSV of the audit log in a DM
 * with the caller whose rows equal the store's entries; refused to anyone who is neither operator
 * nor approver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER } from '../../blocks/audit-csv.js';
import { STAFF_ONLY } from '../../src/slack/listeners/staff.js';
import type { AuditEntry } from '../../src/store/store.js';
import { OPERATOR, reportAckLatencies, TEST_CUSTOMERS } from '../support/app-harness.js';
import { APPROVER_A, APPROVER_B, STRANGER } from '../support/approval-harness.js';
import { type AuditHistory, REJECT_REASON, startWithHistory } from '../support/audit-setup.js';
import { parseCsv } from '../support/csv.js';
import { present } from './flow.js';

let history: AuditHistory;

beforeAll(async () => {
  history = await startWithHistory();
}, 60_000);

afterAll(async () => {
  await history?.t.h.close();
  await reportAckLatencies('audit.test.ts');
});

/** `/licenses <text>` as `user`: the ack's text, then (after the background work) the files and DMs since. */
async function audit(user: string, text: string) {
  const { h } = history.t;
  const filesBefore = h.fake.files().length;
  const dmBefore = h.fake.messages(h.fake.dmChannelOf(user)).length;
  const response = await h.driver.command({ userId: user, channelId: 'C0ANYWHERE', text });
  expect(response.status).toBe(200);
  await h.idle();
  return {
    ack: (response.body as { response_type?: string; text?: string } | undefined) ?? {},
    files: h.fake.files().slice(filesBefore),
    dms: h.fake.messages(h.fake.dmChannelOf(user)).slice(dmBefore),
  };
}

/** The rows the CSV must hold for `entries`: when, who, what, request, customer, outcome (approver and reason apart). */
function expectedRows(entries: readonly AuditEntry[]): string[][] {
  const { rejected, pending, fabrikam } = history;
  const customer = new Map([rejected, pending, fabrikam].map((r) => [r.id, r.customerName]));
  return entries.map((e) => [
    e.at,
    e.actor,
    e.action,
    e.requestId ?? '',
    customer.get(e.requestId ?? '') ?? '',
    e.outcome ?? '',
  ]);
}

describe('/licenses audit', () => {
  it('sends an approver the whole audit log as a CSV in a DM, newest first, rows equal to the store', async () => {
    const { h } = history.t;
    const { ack, files, dms } = await audit(APPROVER_B, 'audit');
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('CSV file in a direct message');
    expect(files).toHaveLength(1);
    const file = present(files[0], 'the audit CSV');
    expect(file.channel).toBe(h.fake.dmChannelOf(APPROVER_B));
    expect(file.filename).toMatch(/^licensedesk-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...rows] = parseCsv(present(file.content, 'file content').toString('utf8'));
    expect(header).toEqual([...AUDIT_CSV_HEADER]);
    const entries = await h.store.listAudit({ limit: 1000 });
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((row) => row.slice(0, 6))).toEqual(expectedRows(entries));
    expect(dms.map((m) => m.text)).toEqual([`The audit log: ${entries.length} entries, newest first.`]);
    // The export is on record, newest of all.
    expect(rows[0]?.slice(1, 3)).toEqual([APPROVER_B, 'audit_exported']);

    // The rejection names its approver and reason, kept as text (no formula); the submission its reason.
    const rejectedRow = present(
      rows.find((r) => r[2] === 'rejected' && r[3] === history.rejected.id),
      'the rejection row',
    );
    expect(rejectedRow.slice(4)).toEqual(['Contoso', 'rejected', APPROVER_A, `'${REJECT_REASON}`]);
    const submittedRow = rows.find((r) => r[2] === 'submitted' && r[3] === history.pending.id);
    expect(submittedRow?.slice(6)).toEqual(['', 'Leavers of April']);
    // Customer names, not ids.
    expect(rows.map((r) => r[4]).join(',')).not.toContain(TEST_CUSTOMERS.contoso.id);
  });

  it('with a customer, sends only the entries of that customer’s requests', async () => {
    const { h } = history.t;
    const { ack, files } = await audit(OPERATOR, 'audit contoso');
    expect(ack.text).toContain('of “contoso”');
    const file = present(files[0], 'the Contoso CSV');
    expect(files).toHaveLength(1);
    expect(file.channel).toBe(h.fake.dmChannelOf(OPERATOR));
    expect(file.title).toBe('LicenseDesk audit log of Contoso');
    const [, ...rows] = parseCsv(present(file.content, 'file content').toString('utf8'));
    const contosoIds = new Set([history.rejected.id, history.pending.id]);
    const entries = (await h.store.listAudit({ limit: 1000 })).filter((e) =>
      contosoIds.has(e.requestId ?? ''),
    );
    expect(entries.length).toBeGreaterThan(2);
    expect(rows.map((row) => row.slice(0, 6))).toEqual(expectedRows(entries));
    expect(new Set(rows.map((r) => r[4]))).toEqual(new Set(['Contoso']));
  });

  it('tells the caller when no single customer has that name, and sends no file', async () => {
    const { files, dms } = await audit(APPROVER_A, 'audit Northwind');
    expect(files).toEqual([]);
    expect(dms.map((m) => m.text).join('\n')).toContain('No single customer is called “Northwind”');
  });

  it('refuses someone who is neither operator nor approver: no file, no DM', async () => {
    const { ack, files, dms } = await audit(STRANGER, 'audit');
    expect(ack).toEqual({ response_type: 'ephemeral', text: STAFF_ONLY });
    expect(files).toEqual([]);
    expect(dms).toEqual([]);
    const [latest] = await history.t.h.store.listAudit({ limit: 1 });
    expect(latest).toMatchObject({ actor: STRANGER, action: 'audit_export_refused' });
    // Nor does the audit word open anything for them.
    expect(history.t.h.fake.openModalOf(STRANGER)).toBeUndefined();
  });
});
