/**
 * kill -9 at 12 random points of one 1,000-user run on the demo tenant (see run-scenario.ts):
 * nothing lost, nothing applied twice, nothing misreported against the tenant files.
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

describe('kill -9 during a 1,000-user run', () => {
  it('resumes to a run whose every part is applied once and reported as the tenant holds it', async () => {
    fake = await startSlackFake();
    const outcome = await runCrashScenario(
      {
        name: 'run crash test (kill -9)',
        customerName: 'Blue Yonder Airlines',
        signal: 'SIGKILL',
        stops: 12,
        maxDelayMs: 450,
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
