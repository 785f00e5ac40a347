/**
 * Promises kept, jargon out (issue 13, item 8), over signed HTTP with the Slack fake: a small run
 * on the demo tenant's scripted users (successes, no change, failures of several causes, revokes
 * of a product some never had) gets a CSV in its thread like a large one, its outcomes in words
 * ("no change", never "noop"); the summary promises the results when the run ends, and they come
 * then; every text the blocks produce for the run (views, summary updates, thread) has emoji only
 * where they carry meaning and no doubled punctuation.
 */
import { describe, expect, it } from 'vitest';
import { countResults } from '../../src/licensing/run-counts.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { startAppHarness } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { parseCsv } from '../support/csv.js';
import { everythingRendered, expectPlainPunctuationAndEmoji } from '../support/rendered-text.js';
import { contosoOf, FLOW_CALLS, finishedRun, present, selectUsers, submitChange } from './flow.js';

describe('promises kept, jargon out', () => {
  it('a small run: a CSV in its thread with "no change" in words, results after the summary says so, no doubled punctuation, emoji one per outcome', async () => {
    const h = closedAfterTest(await startAppHarness());
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
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
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
    expectPlainPunctuationAndEmoji(rendered);
  });
});
