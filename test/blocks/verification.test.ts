import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { renderRunSummary } from '../../blocks/run-summary.js';
import { mismatchSentence, renderMismatches, verificationLine } from '../../blocks/verification.js';
import type { ChangeRequest, Mismatch, Verification } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { validateMessageBlocks, validateMessageText } from '../support/block-kit.js';
import { parseCsv } from '../support/csv.js';
import { makeChangeRequest, makeItem, makeResult, makeUsers } from '../support/licensing-factories.js';

const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A completed request: E3 assigned to `users` users, verified as `verification` says. */
function verified(users: number, verification: (ids: string[]) => Verification | undefined): ChangeRequest {
  const people = makeUsers(users).map((u, i) => ({
    ...u,
    id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
  }));
  const results: ChangeRequest['results'] = {};
  for (const u of people) results[resultKey(u.id, E3, 'assign')] = makeResult({ userId: u.id, skuId: E3 });
  const v = verification(people.map((u) => u.id));
  return makeChangeRequest({
    status: 'completed',
    finishedAt: '2026-01-01T10:00:00Z',
    products: [{ skuId: E3, name: 'Office 365 E3' }],
    items: people.map((u) => makeItem(u, { assign: [{ skuId: E3, disabledPlans: [] }] })),
    results,
    ...(v === undefined ? {} : { verification: v }),
  });
}

const notHeld = (userId: string): Mismatch => ({
  userId,
  skuId: E3,
  op: 'assign',
  reported: 'success',
  found: 'not_held',
});
const at = '2026-01-01T10:00:06Z';

function sectionTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('verificationLine', () => {
  it('says verified with the number checked, the mismatches named briefly, or not verified', () => {
    expect(verificationLine(verified(3, () => undefined))).toBeNull();
    expect(verificationLine(verified(3, () => ({ at, checked: 3, mismatches: [] })))).toBe(
      ':white_check_mark: Verified against the tenant: 3 results checked',
    );
    const five = verified(5, (ids) => ({ at, checked: 5, mismatches: ids.map(notHeld) }));
    expect(verificationLine(five)).toBe(
      ':warning: *5 results do not match the tenant*: Person 00000 (Office 365 E3), Person 00001 (Office 365 E3), Person 00002 (Office 365 E3) and 2 more. See the thread.',
    );
    const failed = verified(1, () => ({ at, checked: 1, mismatches: [], unverified: 'read_failed' }));
    expect(verificationLine(failed)).toContain('*Not verified*');
    expect(verificationLine(failed)).not.toContain('Verified against');
    const late = verified(1, () => ({ at, checked: 1, mismatches: [], unverified: 'out_of_time' }));
    expect(verificationLine(late)).toContain('took too long');
  });

  it('is in the summary of a completed request, under the counts that stay what the run reported', () => {
    const request = verified(2, (ids) => ({ at, checked: 2, mismatches: ids.slice(0, 1).map(notHeld) }));
    const summary = renderRunSummary({ request });
    expect(validateMessageBlocks(summary.blocks)).toEqual([]);
    const texts = sectionTexts(summary.blocks).join('\n');
    expect(texts).toContain('2 succeeded · 0 no change · :x: 0 failed');
    expect(texts).toContain('*1 result does not match the tenant*: Person 00000 (Office 365 E3)');
    expect(texts).not.toMatch(GUID);
  });
});

describe('renderMismatches', () => {
  it('lists each mismatch by user and product in words, and nothing when verified', () => {
    expect(renderMismatches(verified(2, () => ({ at, checked: 2, mismatches: [] })))).toEqual([]);
    const request = verified(2, ([a = '', b = '']) => ({
      at,
      checked: 2,
      mismatches: [
        { userId: b, skuId: E3, op: 'assign', reported: 'failed', found: 'held_directly' },
        notHeld(a),
      ],
    }));
    const [message, ...more] = renderMismatches(request);
    expect(more).toEqual([]);
    const text = sectionTexts(message?.blocks ?? []).join('\n');
    expect(text).toBe(
      [
        ':warning: *2 results do not match the tenant*',
        '• Person 00000 (p0@contoso.com): *Office 365 E3* reported assigned, but the tenant shows the user does not hold it',
        '• Person 00001 (p1@contoso.com): *Office 365 E3* reported failed (not assigned), but the tenant shows the user holds it',
      ].join('\n'),
    );
    expect(JSON.stringify(message?.blocks)).not.toMatch(GUID);
  });

  it('stays within Slack limits for a mismatch on every one of 3,000 users, pointing to the CSV', () => {
    const request = verified(3000, (ids) => ({ at, checked: 3000, mismatches: ids.map(notHeld) }));
    const messages = renderMismatches(request);
    expect(messages).toHaveLength(1);
    for (const m of messages) {
      expect(validateMessageBlocks(m.blocks)).toEqual([]);
      expect(validateMessageText(m.text, 'chat.postMessage')).toEqual([]);
      expect(m.blocks.length).toBeLessThanOrEqual(limits.messageBlocks);
      for (const s of sectionTexts(m.blocks)) expect(s.length).toBeLessThanOrEqual(limits.sectionText);
    }
    expect(sectionTexts(messages[0]?.blocks ?? []).join('\n')).toMatch(
      /…and \d+ more: the attached CSV has every mismatch\./,
    );
    expect(verificationLine(request)?.length).toBeLessThanOrEqual(limits.sectionText);
  });
});

describe('mismatch rows of the CSV', () => {
  it('adds a row per mismatch: outcome "mismatch", what was reported, what the tenant holds', () => {
    const request = verified(2, ([a = '']) => ({
      at,
      checked: 2,
      mismatches: [{ userId: a, skuId: E3, op: 'assign', reported: 'success', found: 'held_via_group' }],
    }));
    const [header = [], ...rows] = parseCsv(renderResultsCsv(request));
    const records = rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
    expect(records.map((r) => r.outcome)).toEqual(['success', 'success', 'mismatch']);
    expect(records[2]).toMatchObject({
      display_name: 'Person 00000',
      product: 'Office 365 E3',
      operation: 'assign',
      outcome: 'mismatch',
      message: `${mismatchSentence({ op: 'assign', reported: 'success', found: 'held_via_group' })}.`,
      reported: 'success',
      tenant: 'the user holds it only through a group',
      at,
    });
    expect(records[0]).toMatchObject({ reported: '', tenant: '' });
  });
});
