/**
 * The approval message says how many of the revocations are expected to fail (issue 13, item 7),
 * from the prediction the manage step's rules make (eligibility.ts), over signed HTTP with the
 * Slack fake; once approved, the run fails exactly those.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import {
  APPROVAL_ALLOWED,
  APPROVER_A,
  approvalMessage,
  clickApproval,
  directHolders,
  startApprovalHarness,
  submitForApproval,
} from '../support/approval-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { everythingRendered, expectPlainPunctuationAndEmoji } from '../support/rendered-text.js';
import { blocksText, present, selectUsers, submitChange } from './flow.js';

describe('the approval message’s outlook', () => {
  it('says how many revocations are expected to fail and why, and the run fails exactly those', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const { h, contoso } = t;
    const cases = demoCases(contoso);
    // EMS through a group only (refused), EMS directly and through a group (revoked, the group's
    // stays), E3 under Audio Conferencing (refused: the add-on needs it), two plain EMS holders.
    const users = [
      cases.groupInherited,
      cases.directAndGroup,
      cases.baseWithAddOn,
      ...directHolders(contoso, DEMO_SKUS.EMS, 2),
    ];
    const manage = await selectUsers(h, contoso.customer, users);
    const submitted = await submitChange(h, manage.id, {
      revoke: [DEMO_SKUS.EMS, DEMO_SKUS.ENTERPRISEPACK],
      reason: 'Leavers of March',
    });
    expect(submitted.responseAction).toBe('update');
    await h.idle();
    const [header] = await h.store.listRequestHeaders({ limit: 1 });
    const request = present(await h.store.getRequest(header?.id ?? ''), 'the request');
    expect(request.status).toBe('pending_approval');
    const where = present((await h.store.getApproval(request.id))?.message, 'the approval message');
    const pending = present(h.fake.message(where.channel, where.ts), 'the approval message');
    const revocations = request.items.reduce((n, item) => n + item.change.revoke.length, 0);
    expect(blocksText(pending.blocks)).toContain(
      `*Expected to fail:* 2 of the ${revocations} revocations (1 held through a group, 1 needed by a product the user keeps).`,
    );

    await clickApproval(h, APPROVER_A, pending, 'approve');
    await h.idle();
    const done = present(await h.store.getRequest(request.id), 'the request');
    expect(done.status).toBe('completed');
    const failed = Object.values(done.results).filter((r) => r.op === 'revoke' && r.outcome === 'failed');
    expect(failed.map((r) => `${r.userId}:${r.reason}`).sort()).toEqual(
      [
        `${cases.groupInherited.id}:inherited_from_group`,
        `${cases.baseWithAddOn.id}:missing_prerequisite`,
      ].sort(),
    );
    // Decided, the message tells the decision, not the outlook.
    expect(blocksText(h.fake.message(where.channel, where.ts)?.blocks)).not.toContain('Expected to fail');
    expect(h.fake.unexpectedCalls(APPROVAL_ALLOWED)).toEqual([]);
    // Every text of the approval flow too: no doubled punctuation, emoji only where they mean something.
    expectPlainPunctuationAndEmoji(everythingRendered(h));
  });

  it('says none is expected to fail when the prediction finds none', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const submitted = await submitForApproval(t);
    expect(blocksText(approvalMessage(t.h, submitted).blocks)).toContain(
      '*Expected to fail:* none of the 3 revocations.',
    );
  });
});
