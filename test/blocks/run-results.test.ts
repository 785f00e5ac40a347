import assert from 'node:assert/strict';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { MAX_RESULT_MESSAGES, renderRunResults } from '../../blocks/run-results.js';
import { describeChanges } from '../../blocks/run-summary.js';
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

  it('says a plan change as what it is and names each user once per product', () => {
    const request = runOf(4, () => ({}));
    request.items = request.items.map((item, i) => (i % 2 === 0 ? { ...item, planChanges: ['e3'] } : item));
    const all = Object.values(request.results);
    // The same part reported twice (a resumed run) still names its user once.
    for (const results of [undefined, [...all, ...all]]) {
      const messages = renderRunResults({ request, results });
      expectValid(messages);
      expect(sections(messages[0]?.blocks ?? [])[0]).toBe(
        [
          ':white_check_mark: *Office 365 E3* assigned to 2 users: Person 0001, Person 0003',
          ':white_check_mark: Plans changed for 2 users who have *Office 365 E3*: Person 0000, Person 0002',
        ].join('\n'),
      );
    }
  });

  it('names the plans a plan change turned off, as the request stored them when planned', () => {
    const request = runOf(4, () => ({}));
    const off = ['Microsoft 365 Apps <for enterprise>', 'Exchange Online (Plan 2)', 'Teams'];
    request.items = request.items.map((item, i) =>
      i % 2 === 0 ? { ...item, planChanges: ['e3'], plansOff: { e3: off } } : item,
    );
    const messages = renderRunResults({ request });
    expectValid(messages);
    expect(sections(messages[0]?.blocks ?? [])[0]).toContain(
      ':white_check_mark: Microsoft 365 Apps &lt;for enterprise&gt;, Exchange Online (Plan 2) and 1 more plan turned off for 2 users who have *Office 365 E3*: Person 0000, Person 0002',
    );
    // The summary says the same change with the same words, before it runs and after.
    expect(describeChanges(request)).toEqual([
      'Assign *Office 365 E3* to 2 users · turn off Microsoft 365 Apps &lt;for enterprise&gt;, Exchange Online (Plan 2) and 1 more plan for 2 who have it',
    ]);
    // Every plan back on.
    request.items = request.items.map((item) => (item.plansOff ? { ...item, plansOff: { e3: [] } } : item));
    expect(sections(renderRunResults({ request })[0]?.blocks ?? [])[0]).toContain(
      ':white_check_mark: Every plan turned on for 2 users who have *Office 365 E3*: Person 0000, Person 0002',
    );
  });

  it('gives each failure reason its own section, naming a lone user in its first line, never the detail', () => {
    const reasons = Reasons.options;
    const request = runOf(reasons.length, (i) => ({
      outcome: 'failed',
      reason: reasons[i] as FailureReason,
      detail: `detail ${i} <!channel> 6fd2c87f-b296-42f0-b197-1e91e994b900`,
    }));
    const messages = renderRunResults({ request, failureMessages });
    expectValid(messages);
    const texts = messages.flatMap((m) => sections(m.blocks));
    expect(texts).toContain(`*${reasons.length} changes failed*`);
    const groups = texts.filter((t) => t.startsWith(':x:'));
    expect(groups).toHaveLength(reasons.length);
    reasons.forEach((reason, i) => {
      const group = groups.find((t) => t.includes(failureMessages[reason]));
      expect(group?.split('\n')[0]).toContain(
        `could not be assigned to Person ${String(i).padStart(4, '0')} (p${i}@`,
      );
    });
    const text = texts.join('\n');
    expect(text).not.toMatch(/detail \d|channel|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('puts the users of one product and cause in one paragraph, sorted, with what blocked them and the fix', () => {
    const blockedBy = {
      kind: 'conflict' as const,
      products: [{ skuId: 'e1', name: 'Office 365 E1' }],
      held: true,
      plans: [],
    };
    const request = runOf(9, (i) =>
      i < 7
        ? { outcome: 'failed', reason: 'mutually_exclusive', blockedBy }
        : { outcome: 'failed', reason: 'usage_location_missing' },
    );
    request.items.reverse();
    const texts = renderRunResults({ request, failureMessages }).flatMap((m) => sections(m.blocks));
    const groups = texts.filter((t) => t.startsWith(':x:'));
    expect(groups).toHaveLength(2);
    expect(groups[0]).toBe(
      [
        `:x: *Office 365 E3* could not be assigned to 7 users. ${failureMessages.mutually_exclusive}`,
        'They have *Office 365 E1*.',
        '*Fix:* remove *Office 365 E1* from them, or replace it with *Office 365 E3*, then run the request again.',
        Array.from({ length: 7 }, (_, i) => `Person 000${i} (p${i}@contoso.com)`).join(', '),
      ].join('\n'),
    );
    expect(groups[1]).toContain('`usageLocation`');
    expect(groups[1]).toContain(
      'Users › Active users › the user › Manage contact information › Usage location',
    );
  });

  it('keeps one section per product and cause when different products block its users, a line for each', () => {
    const conflict = (skuId: string, name: string) => ({
      outcome: 'failed' as const,
      reason: 'mutually_exclusive' as const,
      blockedBy: { kind: 'conflict' as const, products: [{ skuId, name }], held: true, plans: [] },
    });
    const request = runOf(8, (i) =>
      i === 3 ? conflict('bb', 'Business Basic') : conflict('e1', 'Office 365 E1'),
    );
    const messages = renderRunResults({ request, failureMessages });
    expectValid(messages);
    const groups = messages.flatMap((m) => sections(m.blocks)).filter((t) => t.startsWith(':x:'));
    expect(groups).toEqual([
      [
        `:x: *Office 365 E3* could not be assigned to 8 users. ${failureMessages.mutually_exclusive}`,
        '*Fix:* remove *Business Basic* or *Office 365 E1* (whichever they have) from them, or replace it with *Office 365 E3*, then run the request again.',
        '• 7 of them have *Office 365 E1*.',
        [0, 1, 2, 4, 5, 6, 7].map((i) => `Person 000${i} (p${i}@contoso.com)`).join(', '),
        '• 1 of them has *Business Basic*.',
        'Person 0003 (p3@contoso.com)',
      ].join('\n'),
    ]);
  });

  it('names what blocked a lone user, and the fix, for every kind of explanation', () => {
    const one = (extra: Partial<ItemResult>, input: Partial<Parameters<typeof renderRunResults>[0]> = {}) => {
      const request = runOf(1, () => ({ outcome: 'failed', ...extra }));
      const messages = renderRunResults({ request, failureMessages, ...input });
      expectValid(messages);
      return messages.flatMap((m) => sections(m.blocks)).join('\n');
    };
    const named = (name: string) => ({ skuId: name, name });
    expect(
      one({
        reason: 'missing_prerequisite',
        blockedBy: {
          kind: 'needs',
          products: [named('E1'), named('E3')],
          held: false,
          plans: ['Teams', 'Skype'],
        },
      }),
    ).toContain(
      'It needs Teams or Skype, which Person 0000 does not have. *E1* or *E3* include it.\n*Fix:* assign *E1* or *E3* first',
    );
    expect(
      one({
        op: 'revoke',
        reason: 'missing_prerequisite',
        blockedBy: { kind: 'needed_by', products: [named('Audio')], held: true, plans: ['Teams'] },
      }),
    ).toContain(
      'Person 0000 has *Audio*, which needs Teams from it.\n*Fix:* revoke *Audio* in the same request',
    );
    expect(
      one({
        reason: 'usage_location_not_allowed',
        blockedBy: { kind: 'country', products: [], held: false, plans: ['Calling Plan'], country: 'BR' },
      }),
    ).toContain(
      "Calling Plan is not sold in BR, Person 0000's usage location.\n*Fix:* correct their usage location if it is wrong; otherwise *Office 365 E3* can only be assigned to them with Calling Plan turned off.",
    );
    expect(one({ reason: 'insufficient_licenses' }, { purchaseUrl: 'https://buy.example/seats' })).toContain(
      '*Fix:* <https://buy.example/seats|buy more seats of Office 365 E3>, or free seats',
    );
    expect(one({ reason: 'insufficient_licenses' })).toContain(
      '*Fix:* buy more seats of *Office 365 E3*, or free',
    );
    expect(one({ reason: 'inherited_from_group', op: 'revoke' })).toContain("change the group's licenses");
    expect(one({ reason: 'throttled' })).toContain('*Fix:* run the request again later');
    expect(one({ reason: 'user_not_found' })).not.toContain('*Fix:*');
    expect(one({ reason: 'provider_error', detail: 'Server <busy>' })).toContain(
      'The licensing service said: _Server &lt;busy&gt;_',
    );
    expect(
      one({ reason: 'provider_error', detail: 'License 6fd2c87f-b296-42f0-b197-1e91e994b900 is odd' }),
    ).not.toContain('said');
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

  it('counts no-ops as no change, but not the selected users who never had a product to revoke', () => {
    const request = runOf(3, (i) => (i === 0 ? { outcome: 'noop' } : {}));
    const [, second] = request.items;
    assert(second);
    request.items[1] = { ...second, noops: [{ skuId: 'e3', op: 'revoke' }] };
    const text = renderRunResults({ request })
      .flatMap((m) => sections(m.blocks))
      .join('\n');
    // The planned revoke of a product the user never had is no change asked of them (was counted: 2).
    expect(text).toContain('No change needed (1)');
    expect(text).toContain('1 user already had it');
    expect(text).toContain('*Nothing to revoke*\n• *Office 365 E3*: 1 selected user did not have it');
    expect(renderRunResults({ request })[0]?.text).toContain('2 succeeded, 1 no change, 0 failed');
  });

  it("says apart an undo's parts left alone because they changed since the undone request", () => {
    const request = runOf(4, (i) =>
      i === 0 ? { outcome: 'noop' } : i < 3 ? { outcome: 'noop', changedSince: true } : {},
    );
    const messages = renderRunResults({ request });
    expectValid(messages);
    const text = messages.flatMap((m) => sections(m.blocks)).join('\n');
    expect(text).toContain('No change needed (3)');
    expect(text).toContain('• *Office 365 E3*: 1 user already had it');
    expect(text).toContain('• *Office 365 E3*: 2 users changed since the undone request (left as they are)');
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
    expect(text.match(/Person \d+/g)).toHaveLength(200);
    expect(text).toContain('and 800 more (the attached CSV has every result)');
  });

  it('names a small group in full beside a large one that takes most of the names', () => {
    const request = runOf(300, (i) => ({
      outcome: 'failed',
      reason: i < 290 ? 'mutually_exclusive' : 'usage_location_missing',
    }));
    const texts = renderRunResults({ request, failureMessages, csvAttached: true }).flatMap((m) =>
      sections(m.blocks),
    );
    const text = texts.join('\n');
    for (let i = 290; i < 300; i++) expect(text).toContain(`Person 0${i} (p${i}@contoso.com)`);
    expect(text).toContain('and 100 more (the attached CSV has every result)');
    expect(text.match(/Person \d+/g)).toHaveLength(200);
  });

  it('splits a large group of long names into sections within the limits', () => {
    const request = runOf(1500, (i) => ({
      outcome: 'failed',
      reason: i % 2 ? 'throttled' : 'provider_error',
    }));
    for (const item of request.items) item.displayName = `${item.displayName} ${'é'.repeat(70)}`;
    const messages = renderRunResults({ request, failureMessages, maxFailureLines: 5000 });
    expectValid(messages);
    expect(messages.length).toBeLessThanOrEqual(MAX_RESULT_MESSAGES);
    const texts = messages.flatMap((m) => sections(m.blocks));
    expect(texts.filter((t) => t.startsWith(':x:'))).toHaveLength(2);
    expect(texts.length).toBeGreaterThan(10);
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
      'request_id,user_id,display_name,email,product,sku_id,operation,outcome,reason,message,explanation,fix,detail,note,at,reported,tenant',
    );
    expect(csv).toContain('"Doe, Jane"');
    expect(csv).toContain('"He said ""no"", twice\nthen left"');
    expect(csv).toContain(failureMessages.provider_error);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it("names a holder's plan change by the plans it turns off in the operation column, 'change plans' when unnamed", () => {
    const request = runOf(3, () => ({}));
    const off = ['Exchange Online (Plan 2)', 'Teams', 'Sway'];
    request.items = request.items.map((item, i) =>
      i === 0
        ? { ...item, planChanges: ['e3'] }
        : i === 1
          ? { ...item, planChanges: ['e3'], plansOff: { e3: off } }
          : item,
    );
    const rows = renderResultsCsv(request).split('\r\n');
    expect(rows[1]).toContain(',e3,change plans,success,');
    // Every name (the CSV is the full record), quoted for its commas.
    expect(rows[2]).toContain(',e3,"turn off Exchange Online (Plan 2), Teams, Sway",success,');
    expect(rows[3]).toContain(',e3,assign,success,');
  });

  it("carries a success's note in its own column", () => {
    const request = runOf(2, (i) =>
      i === 0 ? { note: 'Plans disabled: FLOW_P2_VIRAL, DYN365_CDS_VIRAL' } : {},
    );
    const rows = renderResultsCsv(request).split('\r\n');
    expect(rows[1]).toContain(',success,,,,,,"Plans disabled: FLOW_P2_VIRAL, DYN365_CDS_VIRAL",');
    expect(rows[2]).toMatch(/,success,,,,,,,\d{4}-/);
  });

  it('says what blocked a failure and the fix in plain words, beside the provider message', () => {
    const request = runOf(1, () => ({
      outcome: 'failed',
      reason: 'mutually_exclusive',
      detail: 'service plans a, b are mutually exclusive.',
      blockedBy: {
        kind: 'conflict',
        products: [{ skuId: 'e1', name: 'Office 365 E1' }],
        held: true,
        plans: [],
      },
    }));
    const [, row] = renderResultsCsv(request, failureMessages).split('\r\n');
    expect(row).toContain(
      `,${failureMessages.mutually_exclusive},Person 0000 has Office 365 E1.,"Remove Office 365 E1 from them, or replace it with Office 365 E3, then run the request again.","service plans a, b are mutually exclusive.",`,
    );
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
    expect(message.text).toBe('Results for Contoso: 3 succeeded, 0 no change, 0 failed');
    expect(JSON.stringify(message.blocks.at(-1))).toContain('Request req_9');
    expect(sections(message.blocks).join('\n')).not.toContain('req_9');
  });

  it('does not claim totals in the text of a batch', () => {
    const request = runOf(3, () => ({}));
    const [message] = renderRunResults({ request, results: Object.values(request.results).slice(0, 1) });
    expect(message?.text).toBe(`Results for ${request.customerName}`);
  });
});
