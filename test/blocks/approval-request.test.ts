import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  renderApprovalRequest,
  renderRejectReasonModal,
  renderRevokeListModal,
} from '../../blocks/approval-request.js';
import { ids } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { validateMessageBlocks, validateMessageText, validateModalView } from '../support/block-kit.js';
import { makeApproval, makeChangeRequest, makeItem, makeUser } from '../support/licensing-factories.js';

function request(users = 12): ChangeRequest {
  const people = Array.from({ length: users }, (_, i) =>
    makeUser({ displayName: `Person ${String(i).padStart(4, '0')}`, email: `p${i}@contoso.com` }),
  );
  return makeChangeRequest({
    status: 'pending_approval',
    customerName: 'Contoso',
    reason: 'Leavers',
    products: [
      { skuId: 'e3', name: 'Office 365 E3' },
      { skuId: 'visio', name: 'Visio Plan 2' },
    ],
    items: people.map((u) => makeItem(u, { revoke: ['e3', 'visio'] })),
  });
}

/** Every mrkdwn text in the blocks (plain_text is shown verbatim, so only mrkdwn can mention or link). */
function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
  return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
}

function buttons(blocks: KnownBlock[]): Button[] {
  return blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

describe('renderApprovalRequest', () => {
  it('asks approvers with Approve (confirmed) / Reject / View users carrying the request id', () => {
    const r = request();
    const m = renderApprovalRequest({
      request: r,
      approval: makeApproval({ requestId: r.id, requestedBy: 'U0OP', reason: 'Leavers of March' }),
    });
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    expect(validateMessageText(m.text, 'chat.update')).toEqual([]);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('<@U0OP> asks to revoke 24 licenses from 12 users at *Contoso*');
    expect(json).toContain('Revoke *Office 365 E3* from 12 users');
    expect(json).toContain('Leavers of March');
    expect(json).toContain('Expires');
    const [approve, reject, view] = buttons(m.blocks);
    expect(approve).toMatchObject({ action_id: ids.actions.approve, style: 'primary', value: r.id });
    expect(approve?.confirm).toBeDefined();
    expect(reject).toMatchObject({ action_id: ids.actions.reject, style: 'danger', value: r.id });
    expect(view).toMatchObject({ action_id: ids.actions.viewRevokeList, value: r.id });
  });

  it('names who may decide, never the requester, and keeps the request id in the context line', () => {
    const r = request();
    const approval = makeApproval({ requestId: r.id, requestedBy: 'U0OP' });
    const m = renderApprovalRequest({
      request: r,
      approval,
      approvers: ['U1', 'U0OP'],
      approverGroupId: 'S9',
    });
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    const footnote = JSON.stringify(m.blocks.filter((b) => b.type === 'context'));
    expect(footnote).toContain(
      'Can decide: <@U1> or a member of <!subteam^S9>. <@U0OP> cannot approve their own request.',
    );
    expect(footnote).toContain(`Request ${r.id}`);
    const [, asks] = m.blocks;
    expect(JSON.stringify(asks)).toContain('<@U0OP> asks');
    // Shown text only: the buttons carry the id as their value.
    const shown = m.blocks.filter((b) => b.type === 'section' || b.type === 'header');
    expect(JSON.stringify(shown)).not.toContain(r.id);
    expect(m.text).not.toContain(r.id);
    const others = renderApprovalRequest({ request: r, approval, approvers: ['U1', 'U2'] });
    expect(JSON.stringify(others.blocks)).toContain('Can decide: <@U1> or <@U2>.');
    expect(JSON.stringify(others.blocks)).not.toContain('own request');
  });

  it('shows the decision without buttons once decided or expired', () => {
    const r = request();
    for (const approval of [
      makeApproval({ status: 'approved', decidedBy: 'U9', decidedAt: '2025-02-01T12:00:00.000Z' }),
      makeApproval({
        status: 'rejected',
        decidedBy: 'U9',
        decidedAt: '2025-02-01T12:00:00.000Z',
        decisionReason: 'No <!here>',
      }),
      makeApproval({ status: 'expired' }),
    ]) {
      const m = renderApprovalRequest({ request: r, approval });
      expect(validateMessageBlocks(m.blocks)).toEqual([]);
      expect(buttons(m.blocks)).toEqual([]);
      const json = JSON.stringify(m.blocks);
      if (approval.status === 'expired') expect(json).toContain('Expired');
      else expect(json).toContain('by <@U9>');
      expect(json).not.toContain('<!here>');
    }
  });

  it('escapes the reason and the customer', () => {
    const r = { ...request(), customerName: '<!channel>' };
    const m = renderApprovalRequest({ request: r, approval: makeApproval({ reason: '<@U1> said so' }) });
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    const texts = mrkdwnTexts(m.blocks).join('\n');
    expect(texts).toContain('&lt;!channel&gt;');
    expect(texts).not.toMatch(/<!channel>|<@U1>/);
    expect(m.text).not.toMatch(/<!channel>/);
  });
});

describe('renderApprovalRequest shows what the threshold counted', () => {
  const basis = {
    revocations: 0,
    planRemovals: 0,
    own: 0,
    earlierRequests: 0,
    earlierRevocations: 0,
    total: 0,
    threshold: 3,
    windowHours: 24,
    needsApproval: true,
  };

  it('names service plans turned off for users who keep the product, not "0 licenses revoked"', () => {
    const people = Array.from({ length: 8 }, (_, i) => makeUser({ displayName: `Holder ${i}` }));
    const r = makeChangeRequest({
      status: 'pending_approval',
      customerName: 'Contoso',
      products: [{ skuId: 'e3', name: 'Office 365 E3' }],
      items: people.map((u) => makeItem(u, { assign: [{ skuId: 'e3', disabledPlans: ['p1', 'p2'] }] })),
      revocations: 8,
      approvalRequired: true,
      approvalBasis: { ...basis, planRemovals: 8, own: 8, total: 8 },
    });
    const m = renderApprovalRequest({
      request: r,
      approval: makeApproval({ requestId: r.id, requestedBy: 'U0OP' }),
    });
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('<@U0OP> asks to turn service plans off on 8 licenses users keep at *Contoso*');
    expect(json).not.toContain('revoke 0 licenses');
    expect(json).toContain(
      '*Counted toward the threshold of 3:* 8 licenses users keep with service plans turned off = 8.',
    );
    expect(buttons(m.blocks)[0]?.confirm?.text.text).toBe(
      'This will turn service plans off on 8 licenses users keep at Contoso. The change starts as soon as you approve.',
    );
    expect(m.text).toBe('Approval needed: turn service plans off on 8 licenses users keep at Contoso');
  });

  it("counts the operator's earlier requests of the window with this one", () => {
    const r = {
      ...request(1),
      revocations: 2,
      approvalBasis: {
        ...basis,
        revocations: 2,
        own: 2,
        earlierRequests: 2,
        earlierRevocations: 4,
        total: 6,
        threshold: 5,
      },
    };
    const m = renderApprovalRequest({ request: r, approval: makeApproval({ requestId: r.id }) });
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    expect(JSON.stringify(m.blocks)).toContain(
      '*Counted toward the threshold of 5:* 2 revocations + 4 revocations in 2 earlier requests of the last 24 h = 6.',
    );
  });

  it('adds nothing when the request alone revokes enough', () => {
    const r = { ...request(2), approvalBasis: { ...basis, revocations: 4, own: 4, total: 4 } };
    const m = renderApprovalRequest({ request: r, approval: makeApproval({ requestId: r.id }) });
    expect(JSON.stringify(m.blocks)).not.toContain('Counted toward the threshold');
  });
});

describe('renderRejectReasonModal', () => {
  it('has one required reason input and carries the request id', () => {
    const view = renderRejectReasonModal({ requestId: 'req_1', customerName: 'Contoso' });
    expect(validateModalView(view)).toEqual([]);
    expect(view.callback_id).toBe(ids.views.rejectReason);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ requestId: 'req_1' });
    const input = view.blocks.find((b) => b.block_id === ids.blocks.rejectReason);
    expect(input).toMatchObject({ type: 'input', element: { action_id: ids.actions.rejectReason } });
    expect((input as { optional?: boolean }).optional).toBeUndefined();
  });
});

describe('renderRevokeListModal', () => {
  it('lists the users and what each loses, sorted', () => {
    const view = renderRevokeListModal(request(3));
    expect(validateModalView(view)).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('6 licenses to revoke from 3 users');
    expect(json).toContain('Person 0000 (p0@contoso.com): Office 365 E3, Visio Plan 2');
  });

  it('fits 5,000 users within the view limits', () => {
    const view = renderRevokeListModal(request(5000));
    expect(validateModalView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
    expect(JSON.stringify(view.blocks)).toMatch(/…and \d+ more users/);
  });
});

describe('renderApprovalRequest at each state', () => {
  it('titles, notification text and tense follow the decision', () => {
    const r = request(2);
    const pending = renderApprovalRequest({
      request: r,
      approval: makeApproval({ requestId: r.id, requestedBy: 'U0OP' }),
    });
    expect(pending.text).toBe('Approval needed: revoke 4 licenses from 2 users at Contoso');
    expect(JSON.stringify(pending.blocks)).toContain('Approval needed: license revocation');
    expect(JSON.stringify(pending.blocks)).toContain('<@U0OP> asks to revoke');
    expect(buttons(pending.blocks).map((b) => b.text.text)).toEqual([
      'Approve',
      'Reject',
      'View the 2 users',
    ]);

    const approved = renderApprovalRequest({
      request: r,
      approval: makeApproval({ requestId: r.id, requestedBy: 'U0OP', status: 'approved', decidedBy: 'U9' }),
    });
    expect(approved.text).toBe('Approved by <@U9>: revoke 4 licenses from 2 users at Contoso');
    expect(JSON.stringify(approved.blocks)).toContain('Approved: license revocation');
    expect(JSON.stringify(approved.blocks)).toContain('<@U0OP> asked to revoke');

    const rejected = renderApprovalRequest({
      request: r,
      approval: makeApproval({ requestId: r.id, status: 'rejected', decidedBy: 'U9', decisionReason: 'No' }),
    });
    expect(rejected.text).toMatch(/^Rejected by <@U9>: /);
    expect(JSON.stringify(rejected.blocks)).toContain('Nothing was changed.');

    const expired = renderApprovalRequest({ request: r, approval: makeApproval({ status: 'expired' }) });
    expect(expired.text).toMatch(/^Expired without a decision: /);
    expect(JSON.stringify(expired.blocks)).toContain('Expired: license revocation');
  });
});
