/** Splitting a large revocation into small requests does not dodge the manager's approval. */
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR } from '../support/app-harness.js';
import {
  type ApprovalHarness,
  directHolders,
  REVOKED_SKU,
  startApprovalHarness,
} from '../support/approval-harness.js';
import { chooseCustomer, openLicenses, pickUsers, submitChange, textOf, toLicenses } from './flow.js';

let t: ApprovalHarness;
afterEach(async () => {
  await t?.h.close();
});

async function revokeFrom(
  t: ApprovalHarness,
  users: readonly { id: string; displayName: string }[],
  reason?: string,
) {
  const { h, contoso } = t;
  const root = await openLicenses(h);
  await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
  for (const user of users) {
    await pickUsers(h, root.id, user.displayName.split(' ')[0] ?? user.displayName, [user.id]);
  }
  await toLicenses(h, root.id);
  const answer = await submitChange(h, root.id, { revoke: [REVOKED_SKU], ...(reason ? { reason } : {}) });
  await h.idle();
  return { answer, viewId: root.id };
}

describe('the approval threshold over a window', () => {
  it('sends the third of three 2-user revocations to a manager and tells the operator why', async () => {
    t = await startApprovalHarness({ APPROVAL_REVOKE_THRESHOLD: '5' });
    const holders = directHolders(t.contoso, REVOKED_SKU, 6);

    for (const pair of [holders.slice(0, 2), holders.slice(2, 4)]) {
      const { answer, viewId } = await revokeFrom(t, pair);
      expect(answer.responseAction).toBe('update');
      // The operator closes the "under way" modal ("Done") before the next /licenses.
      await t.h.driver.viewClosed({ userId: OPERATOR, viewId, isCleared: true });
    }
    const third = holders.slice(4, 6);
    const { answer, viewId } = await revokeFrom(t, third);

    expect(answer.responseAction).toBe('errors');
    const why = Object.values(answer.errors ?? {}).join(' ');
    expect(why).toContain('with your 2 earlier requests on this customer in the last 24 h: 6 revocations');
    for (const user of third) {
      expect(
        t.h.provider.holdingsOf(t.contoso.customer.id, user.id).some((l) => l.skuId === REVOKED_SKU),
      ).toBe(true);
    }

    const withReason = await submitChange(t.h, viewId, { revoke: [REVOKED_SKU], reason: 'Last leavers' });
    expect(withReason.responseAction).toBe('update');
    await t.h.idle();
    // The test clock stands still, so the three requests share one creation time: find it by status.
    const requests = await t.h.service.recentRequests(OPERATOR, 10);
    expect(requests.map((r) => r.status).sort()).toEqual(['completed', 'completed', 'pending_approval']);
    const request = requests.find((r) => r.status === 'pending_approval');
    expect(request).toMatchObject({ approvalRequired: true, revocations: 2 });
    const approval = await t.h.store.getApproval(request!.id);
    const message = t.h.fake.message(approval!.message!.channel, approval!.message!.ts);
    expect(textOf([message!])).toContain(
      'Counted toward the threshold of 5:* 2 revocations + 4 revocations in 2 earlier requests of the last 24 h = 6.',
    );
  });
});
