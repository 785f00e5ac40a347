import assert from 'node:assert/strict';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { describeChanges, renderRunSummary } from '../../blocks/run-summary.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { countResults } from '../../src/licensing/run-counts.js';

import { validateMessageBlocks, validateMessageText } from '../support/block-kit.js';
import {
  makeApproval,
  makeChangeRequest,
  makeItem,
  makeResult,
  makeUser,
} from '../support/licensing-factories.js';

function request(overrides: Partial<ChangeRequest> = {}, users = 5): ChangeRequest {
  const people = Array.from({ length: users }, () => makeUser());
  return makeChangeRequest({
    customerName: 'Contoso',
    products: [
      { skuId: 'e3', name: 'Office 365 E3' },
      { skuId: 'visio', name: 'Visio Plan 2' },
    ],
    items: people.map((u) =>
      makeItem(u, { assign: [{ skuId: 'e3', disabledPlans: [] }], revoke: ['visio'] }),
    ),
    ...overrides,
  });
}

function text(blocks: KnownBlock[]): string {
  return JSON.stringify(blocks);
}

function expectValid(message: { text: string; blocks: KnownBlock[] }): void {
  expect(validateMessageBlocks(message.blocks)).toEqual([]);
  expect(validateMessageText(message.text, 'chat.update')).toEqual([]);
}

describe('renderRunSummary', () => {
  it('says who, which customer and what changes for how many users', () => {
    const m = renderRunSummary({ request: request({ requestedBy: 'U0OP', status: 'approved' }) });
    expectValid(m);
    expect(text(m.blocks)).toContain('<@U0OP>');
    expect(text(m.blocks)).toContain('*Contoso*');
    expect(text(m.blocks)).toContain('Assign *Office 365 E3* to 5 users');
    expect(text(m.blocks)).toContain('Revoke *Visio Plan 2* from 5 users');
    expect(text(m.blocks)).toContain('Queued');
    expect(m.text).toContain('queued');
  });

  it('shows progress while running and counts when completed', () => {
    const r = request({ status: 'running' });
    const [first] = r.items;
    assert(first);
    r.results[resultKey(first.userId, 'e3', 'assign')] = makeResult({ userId: first.userId, skuId: 'e3' });
    r.results[resultKey(first.userId, 'visio', 'revoke')] = makeResult({
      userId: first.userId,
      skuId: 'visio',
      op: 'revoke',
      outcome: 'failed',
      reason: 'inherited_from_group',
    });
    expect(countResults(r)).toEqual({ total: 10, done: 2, success: 1, noop: 0, failed: 1 });
    const running = renderRunSummary({ request: r });
    expectValid(running);
    expect(text(running.blocks)).toContain(
      '*Running:* 2 of 10 changes done · 1 succeeded · 0 no change · 1 failed',
    );
    const done = renderRunSummary({
      request: { ...r, status: 'completed' },
      counts: { total: 10, done: 10, success: 7, noop: 2, failed: 1 },
    });
    expectValid(done);
    expect(text(done.blocks)).toContain('7 succeeded · 2 no change · :x: 1 failed');
    expect(done.text).toContain('completed');
  });

  it('says who may approve while pending, and the decisions', () => {
    const r = request({ status: 'pending_approval' });
    const pending = renderRunSummary({
      request: r,
      approval: makeApproval({ requestId: r.id }),
      approvers: ['U1', 'U2'],
      approvalChannelId: 'C1',
    });
    expectValid(pending);
    expect(text(pending.blocks)).toContain(
      '*Waiting for approval* by <@U1>, <@U2> in <#C1> · expires <!date^',
    );

    const approved = renderRunSummary({
      request: { ...r, status: 'running' },
      approval: makeApproval({ status: 'approved', decidedBy: 'U2', decidedAt: '2025-01-01T10:00:00.000Z' }),
    });
    expect(text(approved.blocks)).toContain('approved by <@U2>');

    const rejected = renderRunSummary({
      request: { ...r, status: 'rejected' },
      approval: makeApproval({ status: 'rejected', decidedBy: 'U2', decisionReason: 'Not now <!channel>' }),
    });
    expectValid(rejected);
    expect(text(rejected.blocks)).toContain('*Rejected* by <@U2>');
    expect(text(rejected.blocks)).toContain('Not now &lt;!channel&gt;');

    const expired = renderRunSummary({
      request: { ...r, status: 'expired' },
      approval: makeApproval({ status: 'expired' }),
    });
    expectValid(expired);
    expect(text(expired.blocks)).toContain('Expired');
  });

  it('escapes the customer name and reason', () => {
    const m = renderRunSummary({
      request: request({ customerName: '<!channel>', reason: '<https://evil|x>' }),
    });
    expectValid(m);
    expect(text(m.blocks)).not.toContain('<!channel>');
    expect(text(m.blocks)).not.toContain('<https://evil');
    expect(m.text).not.toContain('<!channel>');
  });

  it('counts a planned no-op as the run does: done once its result has landed', () => {
    const u = makeUser();
    const item = { ...makeItem(u), noops: [{ skuId: 'e3', op: 'assign' as const }] };
    const waiting = makeChangeRequest({ items: [item], status: 'running' });
    expect(text(renderRunSummary({ request: waiting }).blocks)).toContain('*Running:* 0 of 1 change done');
    const landed = {
      ...waiting,
      results: {
        [resultKey(u.id, 'e3', 'assign')]: makeResult({ userId: u.id, skuId: 'e3', outcome: 'noop' }),
      },
    };
    expect(text(renderRunSummary({ request: landed }).blocks)).toContain(
      '*Running:* 1 of 1 change done · 0 succeeded · 1 no change · 0 failed',
    );
  });
});

describe('describeChanges', () => {
  it('counts the users whose license really changes and notes the no-ops', () => {
    const [a, b, c] = [makeUser(), makeUser(), makeUser()];
    const r = makeChangeRequest({
      products: [
        { skuId: 'e3', name: 'Office 365 E3' },
        { skuId: 'visio', name: 'Visio Plan 2' },
        { skuId: 'bi', name: 'Power BI Pro' },
      ],
      items: [
        { ...makeItem(a, { assign: [{ skuId: 'e3', disabledPlans: [] }], revoke: ['visio'] }) },
        { ...makeItem(b, { revoke: ['visio'] }), noops: [{ skuId: 'e3', op: 'assign' as const }] },
        {
          ...makeItem(c),
          noops: [
            { skuId: 'e3', op: 'assign' as const },
            { skuId: 'visio', op: 'revoke' as const },
            { skuId: 'bi', op: 'revoke' as const },
          ],
        },
      ],
    });
    expect(describeChanges(r)).toEqual([
      'Assign *Office 365 E3* to 1 user (2 already have it)',
      'Revoke *Visio Plan 2* from 2 users (1 does not have it)',
      'Revoke *Power BI Pro*: the user does not have it',
    ]);
  });
});

describe('renderRunSummary notification text', () => {
  it('says the state in plain words for every status', () => {
    const r = request({ id: 'req_1' });
    const texts = (
      ['pending_approval', 'approved', 'running', 'completed', 'rejected', 'expired'] as const
    ).map((status) => renderRunSummary({ request: { ...r, status } }).text);
    expect(texts).toEqual([
      'License request req_1 for Contoso is waiting for approval',
      'License request req_1 for Contoso is queued',
      'License request req_1 for Contoso is running (0 of 10 changes done)',
      'License request req_1 for Contoso completed: 0 succeeded, 0 no change, 0 failed',
      'License request req_1 for Contoso was rejected; nothing was changed',
      'License request req_1 for Contoso expired without a decision; nothing was changed',
    ]);
  });

  it('dates the completion and the expiry with Slack date tokens that have a fallback', () => {
    const done = renderRunSummary({
      request: request({ status: 'completed', finishedAt: '2025-03-01T09:30:00.000Z' }),
    });
    expect(text(done.blocks)).toContain('*Completed* <!date^1740821400^');
    expect(text(done.blocks)).toContain('|2025-03-01 09:30 UTC>');
    const expired = renderRunSummary({
      request: request({ status: 'expired' }),
      approval: makeApproval({ status: 'expired', expiresAt: '2025-03-02T09:30:00.000Z' }),
    });
    expect(text(expired.blocks)).toContain('*Expired* <!date^1740907800^');
    expect(text(expired.blocks)).toContain('submit it again');
  });
});
