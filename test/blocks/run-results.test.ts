import assert from 'node:assert/strict';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { MAX_RESULT_MESSAGES, renderRunResults } from '../../blocks/run-results.js';
import type { ChangeRequest, FailureReason, ItemResult } from '../../src/licensing/model.js';
import { failureMessages, FailureReason as Reasons } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { validateMessageBlocks, validateMessageText } from '../support/block-kit.js';
import { makeChangeRequest, makeItem, makeResult, makeUser } from '../support/licensing-factories.js';

function runOf(users: number, outcome: (i: number) => Partial<ItemResult>): ChangeRequest {
  const people = Array.from({ length: users }, (_, i) =>
    makeUser({ displayName: `Person ${String(i).padStart(4, '0')}`, email: `p${i}@contoso.com` }),
  );
  const results: ChangeRequest['results'] = {};
  people.forEach((u, i) => {
    const r = makeResult({ userId: u.id, skuId: 'e3', op: 'assign', ...outcome(i) });
    results[resultKey(r.userId, r.skuId, r.op)] = r;
  });
  return makeChangeRequest({
    status: 'completed',
    products: [{ skuId: 'e3', name: 'Office 365 E3' }],
    items: people.map((u) => makeItem(u, { assign: [{ skuId: 'e3', disabledPlans: [] }] })),
    results,
  });
}

function sections(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function expectValid(messages: { text: string; blocks: KnownBlock[] }[]): void {
  for (const m of messages) {
    expect(validateMessageBlocks(m.blocks)).toEqual([]);
    expect(validateMessageText(m.text, 'chat.postMessage')).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(limits.messageBlocks);
    for (const s of sections(m.blocks)) expect(s.length).toBeLessThanOrEqual(limits.sectionText);
  }
}

describe('renderRunResults', () => {
  it('groups successes by product and operation, truncating the names', () => {
    const messages = renderRunResults({ request: runOf(40, () => ({})) });
    expectValid(messages);
    expect(messages).toHaveLength(1);
    const text = sections(messages[0]?.blocks ?? []).join('\n');
    expect(text).toContain('*Office 365 E3* assigned to 40 users: Person 0000, Person 0001');
    expect(text).toContain('and 15 more');
  });

  it('gives one line per failed user and product with the plain reason and the detail', () => {
    const reasons = Reasons.options;
    const request = runOf(reasons.length, (i) => ({
      outcome: 'failed',
      reason: reasons[i] as FailureReason,
      detail: `detail ${i} <!channel>`,
    }));
    const messages = renderRunResults({ request, failureMessages });
    expectValid(messages);
    const text = messages.flatMap((m) => sections(m.blocks)).join('\n');
    expect(text).toContain(`${reasons.length} changes failed`);
    for (const reason of reasons) expect(text).toContain(failureMessages[reason]);
    expect(text).toContain('Person 0000 (p0@contoso.com): could not assign *Office 365 E3*.');
    expect(text).toContain('detail 0 &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('lists successes that came with a note, one line per user and product, escaped', () => {
    const request = runOf(4, (i) => (i % 2 === 0 ? { note: `Plans disabled <!here> ${i}` } : {}));
    const messages = renderRunResults({ request });
    expectValid(messages);
    const text = messages.flatMap((m) => sections(m.blocks)).join('\n');
    expect(text).toContain('*Office 365 E3* assigned to 4 users');
    expect(text).toContain('*2 changes applied with a note*');
    expect(text).toContain(
      ':warning: Person 0000 (p0@contoso.com): *Office 365 E3* assigned, with a note: _Plans disabled &lt;!here&gt; 0_',
    );
    expect(text).toContain('Person 0002 (p2@contoso.com)');
    expect(text).not.toContain('Person 0001 (p1@contoso.com)');
    expect(text).not.toContain('<!here>');
  });

  it('caps the noted lines and points to the CSV for the rest', () => {
    const request = runOf(120, () => ({ note: 'n'.repeat(250) }));
    const messages = renderRunResults({ request, csvAttached: true, maxNoteLines: 30 });
    expectValid(messages);
    const text = messages.flatMap((m) => sections(m.blocks)).join('\n');
    expect(text.match(/:warning:/g)?.length).toBeLessThanOrEqual(30);
    expect(text).toContain('more notes: the attached CSV has every result');
  });

  it('summarises no-ops, including those known when planned', () => {
    const request = runOf(3, (i) => (i === 0 ? { outcome: 'noop' } : {}));
    const [, second] = request.items;
    assert(second);
    request.items[1] = { ...second, noops: [{ skuId: 'e3', op: 'revoke' }] };
    const text = renderRunResults({ request })
      .flatMap((m) => sections(m.blocks))
      .join('\n');
    expect(text).toContain('No change needed (2)');
    expect(text).toContain('1 user already had it');
    expect(text).toContain('1 user did not have it');
  });

  it('keeps 1,000 failures to a bounded number of messages of at most 50 blocks', () => {
    const request = runOf(1000, () => ({
      outcome: 'failed',
      reason: 'usage_location_missing',
      detail: 'x'.repeat(200),
    }));
    const messages = renderRunResults({ request, failureMessages, csvAttached: true });
    expectValid(messages);
    expect(messages.length).toBeLessThanOrEqual(3);
    const text = messages.flatMap((m) => sections(m.blocks)).join('\n');
    expect(text.match(/:x:/g)?.length).toBeLessThanOrEqual(200);
    expect(text).toContain('more failures: the attached CSV has every result');
  });

  it('stays within MAX_RESULT_MESSAGES for any mix', () => {
    const request = runOf(3000, (i) =>
      i % 2 ? { outcome: 'failed', reason: 'throttled', detail: 'é'.repeat(300) } : {},
    );
    const messages = renderRunResults({ request, maxFailureLines: 5000 });
    expectValid(messages);
    expect(messages.length).toBeLessThanOrEqual(MAX_RESULT_MESSAGES);
  });

  it('renders a given batch of results only', () => {
    const request = runOf(3, () => ({}));
    const batch = Object.values(request.results).slice(0, 1);
    const text = renderRunResults({ request, results: batch })
      .flatMap((m) => sections(m.blocks))
      .join('\n');
    expect(text).toContain('assigned to 1 user');
    expect(renderRunResults({ request, results: [] })).toEqual([]);
  });
});

describe('renderResultsCsv', () => {
  it('has a header and one row per part, quoted as RFC 4180 says', () => {
    const request = runOf(2, (i) =>
      i === 0
        ? { outcome: 'failed', reason: 'provider_error', detail: 'He said "no", twice\nthen left' }
        : {},
    );
    const [first, second] = request.items;
    assert(first && second);
    request.items[0] = { ...first, displayName: 'Doe, Jane' };
    request.items[1] = { ...second, displayName: '=HYPERLINK("x")' };
    const csv = renderResultsCsv(request, failureMessages);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'request_id,user_id,display_name,email,product,sku_id,operation,outcome,reason,message,detail,note,at',
    );
    expect(csv).toContain('"Doe, Jane"');
    expect(csv).toContain('"He said ""no"", twice\nthen left"');
    expect(csv).toContain(failureMessages.provider_error);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it("carries a success's note in its own column", () => {
    const request = runOf(2, (i) =>
      i === 0 ? { note: 'Plans disabled: FLOW_P2_VIRAL, DYN365_CDS_VIRAL' } : {},
    );
    const rows = renderResultsCsv(request).split('\r\n');
    expect(rows[1]).toContain(',success,,,,"Plans disabled: FLOW_P2_VIRAL, DYN365_CDS_VIRAL",');
    expect(rows[2]).toMatch(/,success,,,,,\d{4}-/);
  });

  it('marks parts without a result as pending', () => {
    const request = runOf(1, () => ({}));
    request.results = {};
    expect(renderResultsCsv(request)).toContain(',assign,pending,');
  });
});

describe('renderRunResults order and notification text', () => {
  it('lists successes in the order of the summary: assignments first, then product order', () => {
    const u = makeUser({ displayName: 'Ada' });
    const results: ChangeRequest['results'] = {};
    for (const [skuId, op] of [
      ['zz-visio', 'revoke'],
      ['zz-visio', 'assign'],
      ['aa-e3', 'assign'],
    ] as const) {
      results[resultKey(u.id, skuId, op)] = makeResult({ userId: u.id, skuId, op });
    }
    const request = makeChangeRequest({
      id: 'req_9',
      customerName: 'Contoso',
      products: [
        { skuId: 'zz-visio', name: 'Visio Plan 2' },
        { skuId: 'aa-e3', name: 'Office 365 E3' },
      ],
      items: [makeItem(u, { assign: [{ skuId: 'zz-visio', disabledPlans: [] }], revoke: ['zz-visio'] })],
      results,
    });
    const [message] = renderRunResults({ request });
    assert(message);
    const lines = sections(message.blocks).join('\n').split('\n');
    expect(lines.map((l) => /\*(.+?)\* (assigned|revoked)/.exec(l)?.slice(1).join(' '))).toEqual([
      'Visio Plan 2 assigned',
      'Office 365 E3 assigned',
      'Visio Plan 2 revoked',
    ]);
    expect(message.text).toBe(
      'Results of license request req_9 for Contoso: 3 succeeded, 0 no change, 0 failed',
    );
  });

  it('does not claim totals in the text of a batch', () => {
    const request = runOf(3, () => ({}));
    const [message] = renderRunResults({ request, results: Object.values(request.results).slice(0, 1) });
    expect(message?.text).toBe(`Results of license request ${request.id} for ${request.customerName}`);
  });
});
