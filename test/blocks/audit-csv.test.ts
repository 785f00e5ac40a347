import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER, auditRow, renderAuditCsv } from '../../blocks/audit-csv.js';
import { makeApproval, makeChangeRequest } from '../support/licensing-factories.js';

describe('renderAuditCsv', () => {
  it('escapes as the results CSV: quotes, commas, line breaks, and formula-like cells kept as text', () => {
    const csv = renderAuditCsv([['=1+1', '+x', '-y', '@z', 'a,b', 'say "hi"', 'two\nlines', 'plain']]);
    expect(csv).toBe(
      `${AUDIT_CSV_HEADER.join(',')}\r\n'=1+1,'+x,'-y,'@z,"a,b","say ""hi""","two\nlines",plain\r\n`,
    );
  });
});

describe('auditRow', () => {
  it('names the customer, the approver and the reason that go with the entry', () => {
    const request = makeChangeRequest({ customerName: 'Contoso' });
    const approval = makeApproval({
      requestId: request.id,
      status: 'rejected',
      reason: 'Leavers',
      decidedBy: 'U9',
      decisionReason: 'Not now',
    });
    const at = '2026-11-29T06:00:00.000Z';
    const base = { at, requestId: request.id };
    expect(
      auditRow(
        { ...base, actor: 'U1', action: 'submitted', outcome: 'pending_approval' },
        { request, approval },
      ),
    ).toEqual([at, 'U1', 'submitted', request.id, 'Contoso', 'pending_approval', 'U9', 'Leavers']);
    expect(
      auditRow({ ...base, actor: 'U9', action: 'rejected', outcome: 'rejected' }, { request, approval }),
    ).toEqual([at, 'U9', 'rejected', request.id, 'Contoso', 'rejected', 'U9', 'Not now']);
    // Its own reason first; the customer id when no request is known; no approver while pending.
    expect(
      auditRow(
        { at, actor: 'U1', action: 'break_glass', details: { reason: 'outage', customerId: 'cust-1' } },
        { approval: makeApproval({ status: 'pending' }) },
      ),
    ).toEqual([at, 'U1', 'break_glass', '', 'cust-1', '', '', 'outage']);
  });
});
