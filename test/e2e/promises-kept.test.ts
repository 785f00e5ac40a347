/**
 * Promises kept, jargon out (issue 13, item 8), over signed HTTP with the Slack fake: a small run
 * on the demo tenant's scripted users (successes, no change, failures of several causes, revokes
 * of a product some never had) gets a CSV in its thread like a large one, its outcomes in words
 * ("no change", never "noop"); the summary promises the results when the run ends, and they come
 * then; every text the blocks produce for the run (views, summary updates, thread) has emoji only
 * where they carry meaning and no doubled punctuation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countResults } from '../../src/licensing/run-counts.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { type AppHarness, startAppHarness } from '../support/app-harness.js';
import { parseCsv } from '../support/audit-setup.js';
import { CSV_UPLOAD_CALLS, type SlackObject } from '../support/slack-fake.js';
import { contosoOf, finishedRun, present, selectUsers, submitChange } from './flow.js';

const ALLOWED = [
  'auth.test',
  'views.open',
  'views.update',
  'views.push',
  'chat.postMessage',
  'chat.update',
  ...CSV_UPLOAD_CALLS,
];

/** Emoji that say something: an outcome (one each) or a request's state. */
const MEANINGFUL_EMOJI = new Set([
  'white_check_mark', // succeeded
  'x', // failed
  'warning', // succeeded with a note, or something to look at
  'hourglass', // waiting for approval
  'hourglass_flowing_sand', // queued
  'arrows_counterclockwise', // running
  'no_entry', // rejected, suspended
  'alarm_clock', // expired
  'lock', // needs approval
]);

/** Two punctuation marks where one belongs: "..", ".).", "!.", "?.", ",." and the like. */
const DOUBLED = /\.\.|[.!?]\)[.!?]|[!?,;:]\.(?!\d)|\.[!?,;]|\.…|…\./;

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every text string (mrkdwn or plain) in a Block Kit payload, each on its own. */
function texts(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) texts(child, into);
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    if (typeof record.text === 'string') into.push(record.text);
    for (const value of Object.values(record)) if (typeof value === 'object') texts(value, into);
  }
  return into;
}

/** Every text of every message and view the app rendered, with where it came from. */
function everythingRendered(harness: AppHarness): { where: string; text: string }[] {
  return harness.fake.calls.flatMap((call) => {
    const args = call.args as SlackObject & { text?: unknown; blocks?: unknown; view?: unknown };
    const found = [
      ...(typeof args.text === 'string' ? [args.text] : []),
      ...texts(args.blocks),
      ...texts(args.view),
    ];
    return found.map((text) => ({ where: call.method, text }));
  });
}

describe('promises kept, jargon out', () => {
  it('a small run: a CSV in its thread with "no change" in words, results after the summary says so, no doubled punctuation, emoji one per outcome', async () => {
    h = await startAppHarness();
    const contoso = contosoOf(h.data);
    const e1Holder = present(
      contoso.users.find(
        (u) =>
          u.usageLocation !== null &&
          (contoso.holdings[u.id] ?? []).length === 1 &&
          contoso.holdings[u.id]?.[0]?.skuId === DEMO_SKUS.STANDARDPACK,
      ),
      'a holder of E1 only',
    );
    const { unlicensed, noUsageLocation, baseWithAddOn, groupInherited, directAndGroup } = demoCases(contoso);
    const users = [unlicensed, noUsageLocation, e1Holder, baseWithAddOn, groupInherited, directAndGroup];
    const manage = await selectUsers(h, contoso.customer, users);
    const submitted = await submitChange(h, manage.id, {
      assign: [DEMO_SKUS.ENTERPRISEPACK],
      revoke: [DEMO_SKUS.EMS],
    });
    expect(submitted.responseAction).toBe('update');
    const { summary, thread } = await finishedRun(h);
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
    const [header] = await h.store.listRequestHeaders({ limit: 1 });
    const request = await h.store.getRequest(header?.id ?? '');
    expect(request?.status).toBe('completed');
    const outcomes = Object.values(request?.results ?? {}).map((r) => r.outcome);
    // The run has every outcome, so the checks below read each kind of line.
    expect(new Set(outcomes)).toEqual(new Set(['success', 'noop', 'failed']));

    // A CSV in the thread, though the request is small: one row per part, outcomes in words.
    const files = h.fake.files();
    expect(files).toHaveLength(1);
    const [csv] = files;
    expect(csv?.threadTs).toBe(summary.ts);
    expect(csv?.filename).toBe(`licenses-${request?.id}.csv`);
    const [columns, ...rows] = parseCsv(csv?.content?.toString('utf8') ?? '').filter((row) => row.length > 1);
    const outcome = columns?.indexOf('outcome') ?? -1;
    const words = rows.map((row) => row[outcome]);
    expect(words).toContain('no change');
    expect(words).toContain('did not have it');
    expect(words).not.toContain('noop');
    // As many "no change" rows as the summary counts (a revoke the user never needed is not one).
    expect(words.filter((w) => w === 'no change')).toHaveLength(request ? countResults(request).noop : -1);
    expect(JSON.stringify(thread.at(-1)?.blocks)).toContain('All results are in the attached CSV.');

    // The running summary promises the results when the run ends, and every thread post comes after
    // the summary says it completed (none "as they come in").
    const calls = h.fake.calls;
    const updates = calls.filter((c) => c.method === 'chat.update' && c.args.ts === summary.ts);
    expect(
      updates.some((c) => JSON.stringify(c.args.blocks).includes('posted in the thread when the run ends')),
    ).toBe(true);
    const completedAt = calls.findIndex(
      (c) =>
        c.method === 'chat.update' &&
        c.args.ts === summary.ts &&
        JSON.stringify(c.args.blocks).includes('*Completed*'),
    );
    expect(completedAt).toBeGreaterThanOrEqual(0);
    const threadPosts = calls.flatMap((c, index) =>
      (c.method === 'chat.postMessage' && c.args.thread_ts === summary.ts) ||
      c.method === 'files.completeUploadExternal'
        ? [index]
        : [],
    );
    expect(threadPosts.length).toBeGreaterThanOrEqual(2);
    for (const index of threadPosts) expect(index).toBeGreaterThan(completedAt);

    // Every text the blocks rendered for this run: views, summary updates, the thread.
    const rendered = everythingRendered(h);
    expect(rendered.length).toBeGreaterThan(50);
    for (const { where, text } of rendered) {
      expect(text, `${where}: doubled punctuation`).not.toMatch(DOUBLED);
      for (const line of text.split('\n')) {
        const emoji = [...line.matchAll(/:([a-z0-9_+-]+):/g)].map((m) => m[1] ?? '');
        for (const name of emoji)
          expect(MEANINGFUL_EMOJI, `${where}: :${name}: in "${line}"`).toContain(name);
        expect(new Set(emoji).size, `${where}: an emoji twice in "${line}"`).toBe(emoji.length);
      }
    }
  });
});
