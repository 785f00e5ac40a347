import assert from 'node:assert/strict';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { failureGroupLines, progressBar, timeLeft } from '../../blocks/run-progress.js';
import { changeTotals, describeChanges, renderRunSummary } from '../../blocks/run-summary.js';
import type { ChangeRequest, ItemResult } from '../../src/licensing/model.js';
import { failureMessages } from '../../src/licensing/model.js';
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

/** A request whose first user's two parts have landed: E3 assigned, Visio revoked as `visio` says. */
function withFirstUserDone(overrides: Partial<ChangeRequest>, visio: Partial<ItemResult>): ChangeRequest {
  const r = request(overrides);
  const [first] = r.items;
  assert(first);
  r.results[resultKey(first.userId, 'e3', 'assign')] = makeResult({ userId: first.userId, skuId: 'e3' });
  r.results[resultKey(first.userId, 'visio', 'revoke')] = makeResult({
    userId: first.userId,
    skuId: 'visio',
    op: 'revoke',
    ...visio,
  });
  return r;
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
    const r = withFirstUserDone({ status: 'running' }, { outcome: 'failed', reason: 'inherited_from_group' });
    expect(countResults(r)).toEqual({ total: 10, done: 2, success: 1, noop: 0, failed: 1 });
    const running = renderRunSummary({ request: r });
    expectValid(running);
    expect(text(running.blocks)).toContain(
      '*Running:* ▰▰▱▱▱▱▱▱▱▱ 2 of 10 changes done · 1 succeeded · 0 no change · 1 failed',
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
    expect(text(renderRunSummary({ request: waiting }).blocks)).toContain(
      '*Running:* ▱▱▱▱▱▱▱▱▱▱ 0 of 1 change done',
    );
    const landed = {
      ...waiting,
      results: {
        [resultKey(u.id, 'e3', 'assign')]: makeResult({ userId: u.id, skuId: 'e3', outcome: 'noop' }),
      },
    };
    expect(text(renderRunSummary({ request: landed }).blocks)).toContain(
      '*Running:* ▰▰▰▰▰▰▰▰▰▰ 1 of 1 change done · 0 succeeded · 1 no change · 0 failed',
    );
  });
  it('names a product the request does not list as "another product", never by its SKU id', () => {
    const skuId = '05e9a617-0261-4cee-bb44-138d3ef5d965';
    const r = makeChangeRequest({
      items: [makeItem(makeUser(), { assign: [{ skuId, disabledPlans: [] }] })],
    });
    const m = renderRunSummary({ request: r });
    expectValid(m);
    expect(text(m.blocks)).toContain('Assign *another product* to 1 user');
    expect(JSON.stringify(m)).not.toContain(skuId);
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

  it('counts holders who only change plans apart from who gets the product', () => {
    const [a, b, c, d] = [makeUser(), makeUser(), makeUser(), makeUser()];
    const e3 = { skuId: 'e3', disabledPlans: ['p1'] };
    const r = makeChangeRequest({
      products: [
        { skuId: 'e3', name: 'Office 365 E3' },
        { skuId: 'visio', name: 'Visio Plan 2' },
      ],
      items: [
        makeItem(a, { assign: [e3] }),
        {
          ...makeItem(b, { assign: [e3, { skuId: 'visio', disabledPlans: ['p1'] }] }),
          planChanges: ['e3', 'visio'],
        },
        { ...makeItem(c, { assign: [e3] }), planChanges: ['e3'] },
        { ...makeItem(d), noops: [{ skuId: 'e3', op: 'assign' as const }] },
      ],
    });
    expect(changeTotals(r)).toEqual([
      { skuId: 'e3', op: 'assign', users: 1, planChanges: 2, unchanged: 1 },
      { skuId: 'visio', op: 'assign', users: 0, planChanges: 1, unchanged: 0 },
    ]);
    expect(describeChanges(r)).toEqual([
      'Assign *Office 365 E3* to 1 user · change plans for 2 who have it (1 already has it)',
      'Change plans for 1 user who has *Visio Plan 2*',
    ]);
    // Named by plan where the product's service plans are known (the approval message).
    const plans = (names: string[]) =>
      names.map((name, i) => ({ id: `p${i + 1}`, name: name.toUpperCase(), friendlyName: name }));
    const catalog = new Map([
      ['e3', plans(['Microsoft 365 Apps', 'Exchange'])],
      ['visio', plans(['Visio Web', 'Visio Desktop'])],
    ]);
    expect(describeChanges(r, catalog)).toEqual([
      'Assign *Office 365 E3* to 1 user · turn off Microsoft 365 Apps for 2 who have it (1 already has it)',
      'Turn off Visio Web for 1 user who has *Visio Plan 2*',
    ]);
    // A request stored before plan changes were told apart counts every assignment as new.
    const stored = { ...r, items: r.items.map(({ planChanges: _, ...item }) => item) };
    expect(changeTotals(stored)[0]).toMatchObject({ users: 3, planChanges: 0 });
  });
});

describe('renderRunSummary notification text', () => {
  it('says the state in plain words for every status', () => {
    const r = request({ id: 'req_1' });
    const texts = (
      ['pending_approval', 'approved', 'running', 'completed', 'rejected', 'expired'] as const
    ).map((status) => renderRunSummary({ request: { ...r, status } }).text);
    expect(texts).toEqual([
      'License request for Contoso is waiting for approval',
      'License request for Contoso is queued',
      'License request for Contoso is running (0 of 10 changes done)',
      'License request for Contoso completed: 0 succeeded, 0 no change, 0 failed',
      'License request for Contoso was rejected; nothing was changed',
      'License request for Contoso expired without a decision; nothing was changed',
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

describe('progressBar', () => {
  it('is ten segments wide whatever the numbers, full only when everything is done', () => {
    expect(progressBar(0, 120)).toBe('▱▱▱▱▱▱▱▱▱▱ 0 of 120');
    expect(progressBar(48, 120)).toBe('▰▰▰▰▱▱▱▱▱▱ 48 of 120');
    expect(progressBar(119, 120)).toBe('▰▰▰▰▰▰▰▰▰▱ 119 of 120');
    expect(progressBar(120, 120)).toBe('▰▰▰▰▰▰▰▰▰▰ 120 of 120');
    expect(progressBar(5, 5_000)).toBe('▱▱▱▱▱▱▱▱▱▱ 5 of 5000');
    expect(progressBar(0, 0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0 of 0');
    for (const [done, total] of [
      [0, 1],
      [3, 7],
      [999, 1000],
      [12, 10],
    ] as const) {
      expect(progressBar(done, total).split(' ')[0]).toHaveLength(10);
    }
  });
});

describe('timeLeft', () => {
  const start = '2025-01-01T10:00:00.000Z';
  const at = (seconds: number) => Date.parse(start) + seconds * 1000;

  it('says nothing before there is a pace to measure, or once all is done', () => {
    expect(timeLeft(start, 0, 120, at(30))).toBeNull();
    expect(timeLeft(undefined, 48, 120, at(30))).toBeNull();
    expect(timeLeft(start, 48, 120, at(0))).toBeNull();
    expect(timeLeft(start, 48, 120, at(-5))).toBeNull();
    expect(timeLeft('not a date', 48, 120, at(30))).toBeNull();
    expect(timeLeft(start, 120, 120, at(30))).toBeNull();
  });

  it('extrapolates the pace so far to the parts left', () => {
    // 48 in 80 s → 72 left take 120 s.
    expect(timeLeft(start, 48, 120, at(80))).toBe('about 2 min left');
    expect(timeLeft(start, 60, 120, at(20))).toBe('less than a minute left');
    expect(timeLeft(start, 10, 1000, at(60))).toBe('about 1 h 39 min left');
    expect(timeLeft(start, 10, 610, at(60))).toBe('about 1 h left');
  });

  it('measures a resumed run from its resumption: parts done before it do not count toward the pace', () => {
    // 100 done before, 20 more in 60 s since → 880 left take 44 min (not 880 × 60 s / 120).
    expect(timeLeft(start, 120, 1000, at(60), 100)).toBe('about 44 min left');
    expect(timeLeft(start, 100, 1000, at(60), 100)).toBeNull();
  });

  it('is shown in the running summary when the time now is given', () => {
    const r = withFirstUserDone({ status: 'running', startedAt: start }, {});
    // 2 of 10 in 60 s → 8 left take 240 s.
    const m = renderRunSummary({ request: r, now: at(60) });
    expectValid(m);
    expect(text(m.blocks)).toContain('▰▰▱▱▱▱▱▱▱▱ 2 of 10 changes done · about 4 min left · 2 succeeded');
    expect(text(renderRunSummary({ request: r }).blocks)).not.toContain('left');
  });
});

describe('the summary of a completed request', () => {
  it('groups the failures by product and reason, one line each, largest first', () => {
    const users = Array.from({ length: 10 }, () => makeUser());
    const r = request({ status: 'completed', items: users.map((u) => makeItem(u)) });
    const fail = (
      u: number,
      skuId: string,
      reason: ItemResult['reason'],
      op: 'assign' | 'revoke' = 'assign',
    ) => {
      const userId = users[u]?.id ?? '';
      r.results[resultKey(userId, skuId, op)] = makeResult({ userId, skuId, op, outcome: 'failed', reason });
    };
    for (const u of [0, 1, 2, 3, 4, 5, 6]) fail(u, 'e3', 'mutually_exclusive');
    fail(7, 'e3', 'usage_location_missing');
    fail(8, 'e3', 'usage_location_missing');
    fail(9, 'visio', 'inherited_from_group', 'revoke');
    const lines = failureGroupLines(
      r,
      (sku) => (sku === 'e3' ? 'Office 365 E3' : 'Visio Plan 2'),
      failureMessages,
    );
    expect(lines).toEqual([
      '• *Office 365 E3* · the product cannot be combined with a product the user already has: 7 users',
      '• *Office 365 E3* · the user has no usage location, which licensing requires: 2 users',
      '• *Visio Plan 2* (revoke) · the license comes from a group membership and cannot be removed from the user directly: 1 user',
    ]);
    const m = renderRunSummary({
      request: r,
      counts: { total: 10, done: 10, success: 0, noop: 0, failed: 10 },
      failureMessages,
    });
    expectValid(m);
    expect(text(m.blocks)).toContain('0 succeeded · 0 no change · :x: 10 failed');
    expect(text(m.blocks)).toContain(lines.join('\\n'));
    // While it runs, only the bar and the counts so far: the groups come at the end.
    expect(text(renderRunSummary({ request: { ...r, status: 'running' } }).blocks)).not.toContain('7 users');
  });

  it('lists the groups as the thread does: product order first, and a provider’s own words when they name no id', () => {
    const users = Array.from({ length: 4 }, () => makeUser());
    const r = request({ status: 'completed', items: users.map((u) => makeItem(u)) });
    const fail = (u: number, skuId: string, extra: Partial<ItemResult>) => {
      const userId = users[u]?.id ?? '';
      r.results[resultKey(userId, skuId, 'assign')] = makeResult({
        userId,
        skuId,
        outcome: 'failed',
        ...extra,
      });
    };
    fail(0, 'visio', { reason: 'insufficient_licenses' });
    fail(1, 'visio', { reason: 'insufficient_licenses' });
    fail(2, 'e3', { reason: 'provider_error', detail: 'Service Unavailable' });
    fail(3, 'e3', { reason: 'provider_error', detail: 'Plan 5dbe027f-2339-4123-9542-606e4d348a72 is off' });
    const lines = failureGroupLines(r, (sku) => sku, failureMessages);
    expect(lines).toEqual([
      '• *e3* · the licensing service refused the change (“Service Unavailable”): 1 user',
      '• *e3* · the licensing service refused the change: 1 user',
      '• *visio* · no license of this product is left to assign: 2 users',
    ]);
  });

  it('keeps many groups within one section, counting the rest', () => {
    const users = Array.from({ length: 200 }, () => makeUser());
    const products = users.map((_u, i) => ({
      skuId: `sku-${i}`,
      name: `A product with a long name number ${i}`,
    }));
    const r = request({ status: 'completed', products, items: users.map((u) => makeItem(u)) });
    users.forEach((u, i) => {
      r.results[resultKey(u.id, `sku-${i}`, 'assign')] = makeResult({
        userId: u.id,
        skuId: `sku-${i}`,
        outcome: 'failed',
        reason: 'missing_prerequisite',
      });
    });
    const m = renderRunSummary({ request: r, failureMessages });
    expectValid(m);
    expect(text(m.blocks)).toMatch(/…and \d+ more causes: see the thread/);
  });
});

describe('request ids', () => {
  it('are in the context line, not in the headline or the notification text', () => {
    for (const status of ['pending_approval', 'running', 'completed'] as const) {
      const m = renderRunSummary({ request: request({ id: 'req_abc', status }) });
      const [headline] = m.blocks;
      expect(JSON.stringify(headline)).not.toContain('req_abc');
      expect(m.text).not.toContain('req_abc');
      const last = m.blocks.at(-1);
      expect(last?.type).toBe('context');
      expect(JSON.stringify(last)).toContain('Request req_abc');
    }
  });
});

describe('who may approve', () => {
  it('never names the requester, and says why', () => {
    const m = renderRunSummary({
      request: request({ status: 'pending_approval', requestedBy: 'U0OP' }),
      approvers: ['U1', 'U0OP', 'U2'],
    });
    expectValid(m);
    expect(text(m.blocks)).toContain('*Waiting for approval* by <@U1>, <@U2>.');
    expect(text(m.blocks)).toContain('<@U0OP> cannot approve their own request.');
    const notListed = renderRunSummary({
      request: request({ status: 'pending_approval', requestedBy: 'U0OP' }),
      approvers: ['U1'],
    });
    expect(text(notListed.blocks)).not.toContain('own request');
  });
});
