import { assert, describe, expect, it } from 'vitest';
import type { ChangeRequest, ItemResult } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { countResults } from '../../src/licensing/run-counts.js';
import { SlackReporter } from '../../src/slack/slack-reporter.js';
import { RecordingLogger } from '../support/app-harness.js';
import { expectValidMessageBlocks } from '../support/block-kit.js';
import { parseCsv } from '../support/csv.js';
import { makeChangeRequest, makeItem, makeUser } from '../support/licensing-factories.js';
import { useSlackFake } from '../support/slack-client.js';

const slack = useSlackFake();

function request(users: number, failed: number): ChangeRequest {
  const items = Array.from({ length: users }, () =>
    makeItem(makeUser(), { assign: [{ skuId: 'sku-e3', disabledPlans: [] }] }),
  );
  const results: Record<string, ItemResult> = {};
  items.forEach((item, index) => {
    const outcome = index < failed ? 'failed' : 'success';
    results[`${item.userId}|sku-e3|assign`] = {
      userId: item.userId,
      skuId: 'sku-e3',
      op: 'assign',
      outcome,
      ...(outcome === 'failed' ? { reason: 'usage_location_missing' as const } : {}),
      at: '2025-01-01T00:00:00.000Z',
    };
  });
  return makeChangeRequest({
    status: 'completed',
    products: [{ skuId: 'sku-e3', name: 'Office 365 E3' }],
    items,
    results,
  });
}

async function reporterFor(options: { now?: () => number; purchaseUrl?: string } = {}) {
  const posted = await slack.client.chat.postMessage({ channel: 'C1', text: 'summary' });
  slack.fake.resetCalls();
  assert.exists(posted.ts);
  const summary = { channel: 'C1', ts: posted.ts };
  const reporter = new SlackReporter({
    client: slack.client,
    logger: new RecordingLogger(),
    summary,
    progressIntervalMs: 2000,
    messageIntervalMs: 0,
    ...options,
  });
  return { reporter, summary };
}

describe('SlackReporter', () => {
  it('updates the summary at most every progress interval, and always at the end', async () => {
    let now = 0;
    const { reporter } = await reporterFor({ now: () => now });
    const running = { ...request(3, 0), status: 'running' as const, results: {} };
    await reporter.started(running, countResults(running));
    now = 1000;
    await reporter.progress(running, countResults(running));
    now = 2500;
    await reporter.progress(running, countResults(running));
    const done = request(3, 0);
    await reporter.finished(done, countResults(done));
    expect(slack.fake.callsTo('chat.update')).toHaveLength(3);
    for (const call of slack.fake.callsTo('chat.update')) expectValidMessageBlocks(call.args.blocks);
  });

  it('gives the summary its clock for the time left, and the reasons in words for the failure groups', async () => {
    const startedAt = '2025-01-01T10:00:00.000Z';
    let now = Date.parse(startedAt) + 60_000;
    const { reporter, summary } = await reporterFor({ now: () => now });
    const done = request(10, 4);
    // 2 of 10 in 60 s → 8 left take 4 min.
    const keys = Object.keys(done.results).slice(0, 2);
    const running = {
      ...done,
      status: 'running' as const,
      startedAt,
      results: Object.fromEntries(keys.map((k) => [k, done.results[k]])),
    } as ChangeRequest;
    await reporter.progress(running, countResults(running));
    const bar = JSON.stringify(slack.fake.message(summary.channel, summary.ts)?.blocks);
    expect(bar).toContain('▰▰▱▱▱▱▱▱▱▱ 2 of 10 changes done · about 4 min left');
    now += 10_000;
    await reporter.finished(done, countResults(done));
    const final = JSON.stringify(slack.fake.message(summary.channel, summary.ts)?.blocks);
    expect(final).toContain(
      '• *Office 365 E3* · the user has no usage location, which licensing requires: 4 users',
    );
    expect(final).not.toContain('left');
  });

  it('measures the pace of a resumed run from its resumption, not from its first start', async () => {
    const startedAt = '2025-01-01T10:00:00.000Z';
    // Resumed a day later with 5 of 10 parts done; one more in the minute since.
    let now = Date.parse(startedAt) + 86_400_000;
    const { reporter, summary } = await reporterFor({ now: () => now });
    const done = request(10, 0);
    const first = (n: number) =>
      ({
        ...done,
        status: 'running' as const,
        startedAt,
        results: Object.fromEntries(Object.entries(done.results).slice(0, n)),
      }) as ChangeRequest;
    await reporter.started(first(5), countResults(first(5)));
    now += 60_000;
    await reporter.progress(first(6), countResults(first(6)));
    const text = JSON.stringify(slack.fake.message(summary.channel, summary.ts)?.blocks);
    expect(text).toContain('6 of 10 changes done · about 4 min left');
  });

  it('links where to buy seats (PURCHASE_URL) in the fix for "no seats left"', async () => {
    const { reporter, summary } = await reporterFor({ purchaseUrl: 'https://partner.example/buy' });
    const done = request(2, 2);
    for (const result of Object.values(done.results)) result.reason = 'insufficient_licenses';
    await reporter.finished(done, countResults(done));
    const thread = JSON.stringify(slack.fake.thread(summary.channel, summary.ts).map((m) => m.blocks));
    expect(thread).toContain('<https://partner.example/buy|');
  });

  it('posts small results in the thread with a CSV of them too, "no change" in words', async () => {
    const { reporter, summary } = await reporterFor();
    const done = request(4, 1);
    const last = done.items.at(-1);
    assert(last);
    const key = resultKey(last.userId, 'sku-e3', 'assign');
    const result = done.results[key];
    assert(result);
    done.results[key] = { ...result, outcome: 'noop' };
    await reporter.finished(done, countResults(done));
    const thread = slack.fake.thread(summary.channel, summary.ts);
    expect(thread).toHaveLength(1);
    expect(JSON.stringify(thread[0]?.blocks)).toContain('The user has no usage location');
    expect(JSON.stringify(thread[0]?.blocks)).toContain('All results are in the attached CSV.');
    const [csv] = slack.fake.files();
    expect(csv?.threadTs).toBe(summary.ts);
    const outcomes = parseCsv(csv?.content?.toString('utf8') ?? '')
      .slice(1)
      .map((row) => row[7]);
    expect(outcomes).toContain('no change');
    expect(outcomes).not.toContain('noop');
  });

  it('chunks large results into a few messages and attaches every result as CSV', async () => {
    const { reporter, summary } = await reporterFor();
    const done = request(600, 400);
    await reporter.finished(done, countResults(done));
    const thread = slack.fake.thread(summary.channel, summary.ts);
    expect(thread.length).toBeGreaterThan(0);
    expect(thread.length).toBeLessThanOrEqual(3);
    for (const message of thread) expectValidMessageBlocks(message.blocks);
    const [csv] = slack.fake.files();
    expect(csv?.threadTs).toBe(summary.ts);
    assert.exists(csv?.content);
    expect(csv.content.toString('utf8').trim().split('\r\n')).toHaveLength(601);
  });

  it('keeps the run going when Slack refuses an update', async () => {
    const { reporter } = await reporterFor();
    slack.fake.failNext('chat.update', 'message_not_found');
    const running = { ...request(1, 0), status: 'running' as const, results: {} };
    await expect(reporter.started(running, countResults(running))).resolves.toBeUndefined();
  });
});
