/** A request on 1,000 users: it works, and it makes a bounded number of Slack calls. */
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { CHANNEL, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  chooseCustomer,
  countByMethod,
  current,
  finishedRun,
  humongous,
  openLicenses,
  pasteEmails,
  present,
  submitChange,
  textOf,
  toLicenses,
} from './flow.js';

const USERS = 1000;

afterAll(() => reportAckLatencies('large-request.test.ts'));

describe('a request on 1,000 users', () => {
  it('runs with a bounded number of Slack calls and a CSV of every result', async () => {
    const big = humongous(USERS, 1100);
    const h = closedAfterTest(
      await startAppHarness({
        tenant: (data) => ({ ...data, customers: [...data.customers, big] }),
        progressIntervalMs: 2000,
        messageIntervalMs: 1000,
      }),
    );
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Hum', big.customer.id);
    await pasteEmails(
      h,
      root.id,
      big.users.map((u) => u.email),
    );
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: current(h, root.id).blocks }])).toContain(
      `Selected: ${USERS} users`,
    );
    const selectionCalls = countByMethod(h.fake.calls);
    await toLicenses(h, root.id);

    h.fake.resetCalls();
    const started = Date.now();
    const submitted = await submitChange(h, root.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(submitted.responseAction).toBe('update');
    const { summary, thread } = await finishedRun(h);
    const runMs = Date.now() - started;
    const calls = countByMethod(h.fake.calls);
    console.log(
      `1,000-user request: selection ${JSON.stringify(selectionCalls)}; submit + run (${runMs} ms) ${JSON.stringify(calls)}`,
    );

    const [request] = await h.store.listRequests({ limit: 1 });
    expect(request?.items).toHaveLength(USERS);
    expect(request?.status).toBe('completed');
    expect(textOf([summary])).toContain('Completed');

    // Bounded: one summary, a few thread messages, in-place updates at most every 2 s, one CSV.
    expect(calls['chat.postMessage']).toBe(1 + thread.length);
    expect(thread.length).toBeLessThanOrEqual(5);
    expect(calls['chat.update'] ?? 0).toBeLessThanOrEqual(2 + Math.ceil(runMs / 2000));
    expect(calls['files.getUploadURLExternal']).toBe(1);
    expect(calls['files.completeUploadExternal']).toBe(1);
    expect(calls['views.update'] ?? 0).toBe(0);
    const total = Object.values(calls).reduce((n, c) => n + c, 0);
    expect(total).toBeLessThanOrEqual(20);

    const [csv] = h.fake.files();
    expect(csv?.threadTs).toBe(summary.ts);
    expect(csv?.channel).toBe(CHANNEL);
    const rows = present(csv?.content, 'the CSV').toString('utf8').trim().split('\r\n');
    expect(rows).toHaveLength(USERS + 1);
    expect(
      h.fake.unexpectedCalls([
        'chat.postMessage',
        'chat.update',
        'files.getUploadURLExternal',
        'files.completeUploadExternal',
      ]),
    ).toEqual([]);
  }, 120_000);
});
