/**
 * The summary while a run goes, over signed HTTP with the Slack fake: a progress bar made of
 * text, the time left once there is a pace to measure, and at the end the counts and the groups
 * of failures one line each. The demo provider writes slowly here, so the run takes a while.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { failureMessages } from '../../src/licensing/model.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import { type AppHarness, CHANNEL, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { expectValidMessageBlocks } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeMessage } from '../support/slack-fake.js';
import { blocksText, contosoOf, finishedRun, present, selectUsers, submitChange } from './flow.js';

afterAll(() => reportAckLatencies('progress.test.ts'));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Time each user's change takes in the demo tenant here. */
const WRITE_MS = 250;

/** The demo provider with every applyUserChange taking WRITE_MS longer. */
function slowWrites(demo: LicenseProvider): LicenseProvider {
  return new Proxy(demo, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value.bind(target) as (...args: unknown[]) => Promise<unknown>;
      if (property !== 'applyUserChange') return method;
      return async (...args: unknown[]) => {
        await sleep(WRITE_MS);
        return method(...args);
      };
    },
  });
}

/** Every distinct state of the summary message until `stop()`, each validated as Slack would. */
function watchSummary(app: AppHarness) {
  const seen: { text: string; blocks: FakeMessage['blocks'] }[] = [];
  let watching = true;
  const done = (async () => {
    while (watching) {
      const summary = app.fake.messages(CHANNEL).find((m) => m.threadTs === undefined);
      const text = blocksText(summary?.blocks);
      if (summary !== undefined && seen.at(-1)?.text !== text) seen.push({ text, blocks: summary.blocks });
      await sleep(5);
    }
  })();
  return {
    seen,
    stop: async () => {
      watching = false;
      await done;
    },
  };
}

/** The status line of a summary ("*Running:* …", "*Completed* …"). */
function statusOf(text: string, marker: string): string | undefined {
  return text.split('\n').find((line) => line.includes(marker));
}

describe('the summary of a running request', () => {
  it('shows a text progress bar, then the time left, then the counts and the failures by cause', async () => {
    const h = closedAfterTest(
      await startAppHarness({ wrapProvider: slowWrites, env: { RUN_CONCURRENCY: '1' } }),
    );
    const contoso = contosoOf(h.data);
    const cases = demoCases(contoso);
    // E3 for: one who gets it, one who has it already, one without a usage location, one who
    // holds E1 (cannot be combined).
    const users = [cases.unlicensed, cases.directAndGroup, cases.noUsageLocation, cases.e1Holder];
    const manage = await selectUsers(h, contoso.customer, users);
    const watch = watchSummary(h);
    const submitted = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(submitted.responseAction).toBe('update');
    const { summary } = await finishedRun(h);
    await watch.stop();

    for (const state of watch.seen) expectValidMessageBlocks(state.blocks);
    const running = watch.seen
      .map((state) => statusOf(state.text, '*Running:*'))
      .filter((line): line is string => line !== undefined);
    const bar = /\*Running:\* ([▰▱]+) (\d+) of (\d+) changes done/;
    expect(running.length).toBeGreaterThanOrEqual(2);
    for (const line of running) {
      const [, segments = '', done = '', total = ''] = present(bar.exec(line), `a progress bar in "${line}"`);
      expect(segments).toHaveLength(10);
      expect(Number(total)).toBe(users.length);
      expect(segments.split('▰').length - 1).toBe(Math.floor((Number(done) / Number(total)) * 10));
      // An estimate only once some parts are done: before that there is no pace to measure.
      if (done === '0') expect(line).not.toContain(' left');
    }
    expect(running[0]).toContain('▱▱▱▱▱▱▱▱▱▱ 0 of 4 changes done');
    const paced = running.filter((line) => / · (about \d+ (min|h)[^·]*|less than a minute) left/.test(line));
    expect(paced.length, `an estimate in ${JSON.stringify(running)}`).toBeGreaterThan(0);
    expect(paced.every((line) => !line.includes(' 0 of 4'))).toBe(true);

    // At the end: the counts in one line, then one line per group of failures.
    const final = blocksText(summary.blocks);
    expect(final).not.toContain('*Running:*');
    const completed = present(statusOf(final, '*Completed*'), 'the completed line');
    expect(completed).toContain(':white_check_mark: 1 succeeded · 1 no change · :x: 2 failed');
    const phrase = (text: string) => text.replace(/\.$/, '').slice(1);
    const groups = final.split('\n').filter((line) => line.startsWith('• *Office 365 E3* · '));
    expect(groups).toHaveLength(2);
    expect(
      groups.some((g) => g.includes(phrase(failureMessages.mutually_exclusive)) && g.endsWith(': 1 user')),
    ).toBe(true);
    expect(
      groups.some(
        (g) => g.includes(phrase(failureMessages.usage_location_missing)) && g.endsWith(': 1 user'),
      ),
    ).toBe(true);
    expect(h.logger.errors()).toEqual([]);
  }, 30_000);
});
