/**
 * SIGTERM at 5 random points of one 1,000-user run on the demo tenant (see run-scenario.ts): each
 * stop lets the changes under way finish and saves; the run resumes after each restart and
 * completes with nothing lost, doubled or misreported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';
import { runCrashScenario } from './run-scenario.js';

let fake: SlackFake | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  await fake?.close();
  cleanup = undefined;
  fake = undefined;
});

describe('SIGTERM during a 1,000-user run', () => {
  it('stops cleanly each time and resumes to a run that agrees with the tenant', async () => {
    fake = await startSlackFake();
    const outcome = await runCrashScenario(
      {
        name: 'run crash test (SIGTERM)',
        customerName: 'Humongous Insurance',
        signal: 'SIGTERM',
        stops: 5,
        maxDelayMs: 800,
      },
      fake,
    );
    cleanup = outcome.cleanup;
    const { counts } = outcome;
    expect(counts.lost, counts.report).toBe(0);
    expect(counts.doubled, counts.report).toBe(0);
    expect(counts.misreported, counts.report).toBe(0);
    expect(counts.priorGaps, counts.report).toBe(0);
    expect(counts.completed, counts.report).toBe(true);
  }, 240_000);
});
