/**
 * A small history for App Home's filters and the audit export, made through the app as people
 * would: OPERATOR's Contoso revocation rejected by APPROVER_A (with a reason that looks like a
 * spreadsheet formula), OPERATOR's second Contoso revocation left pending, and APPROVER_A (also
 * an operator) revoking one Fabrikam user's license, which needs no approval and runs.
 */
import { expect } from 'vitest';
import { ids } from '../../blocks/ids.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { chooseCustomer, openLicenses, pickUsers, submitChange, toLicenses } from '../e2e/flow.js';
import { OPERATOR, TEST_CUSTOMERS } from './app-harness.js';
import {
  APPROVER_A,
  type ApprovalHarness,
  directHolders,
  REVOKED_SKU,
  rejectWithReason,
  startApprovalHarness,
  submitForApproval,
} from './approval-harness.js';
import type { FakeView } from './slack-fake.js';

/** Starts with `=`: the CSV must keep it text. */
export const REJECT_REASON = '=HYPERLINK("http://x") not this month';

export interface AuditHistory {
  t: ApprovalHarness;
  rejected: ChangeRequest;
  pending: ChangeRequest;
  fabrikam: ChangeRequest;
}

export async function startWithHistory(): Promise<AuditHistory> {
  const t = await startApprovalHarness({ OPERATOR_USER_IDS: [OPERATOR, APPROVER_A].join(',') });
  const { h } = t;
  const first = await submitForApproval(t, { reason: 'Leavers of March' });
  const answer = await rejectWithReason(h, APPROVER_A, first, REJECT_REASON);
  expect(answer.responseAction).toBe('close');
  await h.idle();
  // The operator closes the "sent for approval" modal before starting the next request.
  h.fake.closeView(first.modal.id);
  // The service's clock stands still; an hour apart keeps "most recent first" unambiguous.
  t.clock.advanceHours(1);
  const second = await submitForApproval(t, { reason: 'Leavers of April' });
  const fabrikamData = h.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.fabrikam.id);
  if (!fabrikamData) throw new Error('no Fabrikam');
  const [holder] = directHolders(fabrikamData, REVOKED_SKU, 1);
  if (!holder) throw new Error('no Fabrikam holder');
  h.fake.closeView(second.modal.id);
  t.clock.advanceHours(1);
  const root = await openLicenses(h, { user: APPROVER_A });
  await chooseCustomer(h, root.id, 'Fab', fabrikamData.customer.id, APPROVER_A);
  await pickUsers(h, root.id, holder.displayName.split(' ')[0] ?? '', [holder.id], APPROVER_A);
  await toLicenses(h, root.id, APPROVER_A);
  expect((await submitChange(h, root.id, { revoke: [REVOKED_SKU] }, APPROVER_A)).responseAction).toBe(
    'update',
  );
  await h.idle();
  const [fabrikam] = await h.store.listRequests({ requestedBy: APPROVER_A, limit: 1 });
  const rejected = await h.store.getRequest(first.request.id);
  const pending = await h.store.getRequest(second.request.id);
  if (!fabrikam || !rejected || !pending) throw new Error('a request is missing');
  expect([rejected.status, pending.status, fabrikam.status]).toEqual([
    'rejected',
    'pending_approval',
    'completed',
  ]);
  return { t, rejected, pending, fabrikam };
}

/** The request ids a Home lists ("Request <id>" lines), in order, each once. */
export function listedRequestIds(home: FakeView, among: readonly ChangeRequest[]): string[] {
  // The list starts at its filters, or (without them) at its header; approvals waiting come before.
  const start = home.blocks.findIndex(
    (b) => b.block_id === ids.blocks.homeFilter || JSON.stringify(b).includes('Your recent requests'),
  );
  const json = JSON.stringify(home.blocks.slice(Math.max(0, start)));
  return among
    .filter((r) => json.includes(`Request ${r.id}`))
    .sort((a, b) => json.indexOf(`Request ${a.id}`) - json.indexOf(`Request ${b.id}`))
    .map((r) => r.id);
}
