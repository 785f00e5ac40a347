import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { renderHome } from '../../blocks/home.js';
import { ids, patterns } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import { validateHomeView } from '../support/block-kit.js';
import { makeApproval, makeChangeRequest, makeItem, makeUser } from '../support/licensing-factories.js';

function req(status: 'completed' | 'pending_approval' = 'completed') {
  const u = makeUser();
  return makeChangeRequest({
    status,
    customerName: 'Contoso',
    products: [{ skuId: 'e3', name: 'Office 365 E3' }],
    items: [makeItem(u, { revoke: ['e3'] })],
  });
}

function buttons(blocks: readonly unknown[]): Button[] {
  return (blocks as KnownBlock[])
    .filter((b): b is ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements as Button[]);
}

describe('renderHome', () => {
  it('shows empty states', () => {
    const view = renderHome({ userId: 'U1', recent: [], isApprover: true, pending: [] });
    expect(validateHomeView(view)).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('You have not made any request yet.');
    expect(json).toContain('Nothing is waiting for approval.');
  });

  it('does not show approvals to non-approvers', () => {
    const view = renderHome({ userId: 'U1', recent: [req()], isApprover: false });
    expect(validateHomeView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).not.toContain('Waiting for your approval');
    expect(JSON.stringify(view.blocks)).toContain('Revoke *Office 365 E3* from 1 user');
  });

  it('shows pending approvals with unique Approve / Reject ids, but not on own requests', () => {
    const pending = Array.from({ length: 3 }, () => {
      const request = req('pending_approval');
      return { request, approval: makeApproval({ requestId: request.id, requestedBy: 'U2' }) };
    });
    const own = req('pending_approval');
    pending.push({ request: own, approval: makeApproval({ requestId: own.id, requestedBy: 'U1' }) });
    const view = renderHome({ userId: 'U1', recent: [own], isApprover: true, pending });
    expect(validateHomeView(view)).toEqual([]);
    const approves = buttons(view.blocks).filter((b) => patterns.approve.test(b.action_id ?? ''));
    expect(approves.map((b) => b.value)).toEqual(pending.slice(0, 3).map((p) => p.request.id));
    expect(new Set(approves.map((b) => b.action_id)).size).toBe(3);
    // Their own request is not waiting for them: it is listed under their requests only.
    expect(JSON.stringify(view.blocks)).toContain('Waiting for your approval (3)');
    const waiting = view.blocks.slice(
      0,
      view.blocks.findIndex((b) => b.type === 'divider'),
    );
    expect(JSON.stringify(waiting)).not.toContain(own.id);
    expect(JSON.stringify(view.blocks)).toContain(`Request ${own.id}`);
  });

  it('keeps request ids out of the headlines, in the context lines', () => {
    const r = req();
    const p = req('pending_approval');
    const view = renderHome({
      userId: 'U1',
      recent: [r],
      isApprover: true,
      pending: [{ request: p, approval: makeApproval({ requestId: p.id, requestedBy: 'U2' }) }],
    });
    expect(validateHomeView(view)).toEqual([]);
    const sections = JSON.stringify(view.blocks.filter((b) => b.type === 'section' || b.type === 'header'));
    expect(sections).not.toContain(r.id);
    expect(sections).not.toContain(p.id);
    const contexts = JSON.stringify(view.blocks.filter((b) => b.type === 'context'));
    expect(contexts).toContain(`Request ${r.id}`);
    expect(contexts).toContain(`Request ${p.id}`);
  });

  it('stays within 100 blocks with many requests and approvals', () => {
    const recent = Array.from({ length: 60 }, () => ({
      request: req(),
      counts: { total: 1000, done: 1000, success: 990, noop: 5, failed: 5 },
    }));
    const pending = Array.from({ length: 60 }, () => {
      const request = req('pending_approval');
      return { request, approval: makeApproval({ requestId: request.id }) };
    });
    const view = renderHome({ userId: 'U1', recent, isApprover: true, pending });
    expect(validateHomeView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
    expect(JSON.stringify(view.blocks)).toContain('990 succeeded');
  });
});

describe('renderHome headings', () => {
  it('counts the approvals waiting and says how to start when there is no request', () => {
    const r = req('pending_approval');
    const view = renderHome({
      userId: 'U1',
      recent: [],
      isApprover: true,
      pending: [{ approval: makeApproval({ requestId: r.id }), request: r }],
    });
    expect(validateHomeView(view)).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('Waiting for your approval (1)');
    expect(json).toContain('Run `/licenses` to start one');
  });

  it('shows a pending request without naming a placeholder approver', () => {
    const view = renderHome({ userId: 'U1', recent: [req('pending_approval')], isApprover: false });
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('*Waiting for approval*. Nothing changes until it is approved.');
    expect(json).not.toContain('an approver');
  });
});

describe('renderHome filters (operators and approvers)', () => {
  it('stays within Slack limits with the filters, a long customer name and every request decided', () => {
    const customer = { id: 'c'.repeat(150), name: `Contoso ${'x'.repeat(300)}` };
    const recent = Array.from({ length: 60 }, () => ({
      request: req(),
      counts: { total: 1000, done: 1000, success: 990, noop: 5, failed: 5 },
    }));
    const approvals = new Map(
      recent.map(({ request }) => [
        request.id,
        makeApproval({
          requestId: request.id,
          status: 'rejected',
          decidedBy: 'U9',
          decidedAt: '2026-11-29T06:00:00.000Z',
          decisionReason: `*not* <!channel> ${'y'.repeat(3000)}`,
        }),
      ]),
    );
    const pending = Array.from({ length: 60 }, () => {
      const request = req('pending_approval');
      return { request, approval: makeApproval({ requestId: request.id }) };
    });
    for (const scope of ['mine', 'pending', 'all'] as const) {
      const view = renderHome({
        userId: 'U1',
        recent,
        isApprover: true,
        pending,
        filter: { scope, customer },
        approvals,
        privateMetadata: JSON.stringify({ homeFilter: { scope, customer } }),
      });
      expect(validateHomeView(view)).toEqual([]);
      expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
      const filters = view.blocks.find((b) => b.block_id === ids.blocks.homeFilter) as ActionsBlock;
      expect(filters.elements.map((e) => e.action_id)).toEqual([
        ids.actions.homeScope,
        ids.actions.homeCustomer,
        ids.actions.homeCustomerClear,
      ]);
      const json = JSON.stringify(view.blocks);
      expect(json).toContain('Rejected by <@U9>');
      expect(json).not.toContain('<!channel>');
    }
  });

  it('says when nothing matches the filters, and shows no filters without one', () => {
    const filtered = renderHome({
      userId: 'U1',
      recent: [],
      isApprover: false,
      filter: { scope: 'pending', customer: null },
    });
    expect(JSON.stringify(filtered.blocks)).toContain('No requests match these filters.');
    const plain = renderHome({ userId: 'U1', recent: [], isApprover: false });
    expect(plain.blocks.some((b) => b.block_id === ids.blocks.homeFilter)).toBe(false);
    expect(plain.private_metadata).toBeUndefined();
  });
});
