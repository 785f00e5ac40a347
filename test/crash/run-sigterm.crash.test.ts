/**
 * SIGTERM at 5 random points of one 1,000-user run on the demo tenant (see run-scenario.ts): each
 * stop lets the changes under way finish and saves; the run resumes after each restart and
 * completes with nothing lost, doubled or misreported.
 */
import { describe, it } from 'vitest';
import { expectRunAgreesWithTenant, runCrashScenario } from './run-scenario.js';

describe('SIGTERM during a 1,000-user run', () => {
  it('stops cleanly each time and resumes to a run that agrees with the tenant', async () => {
    const counts = await runCrashScenario({
      name: 'run crash test (SIGTERM)',
      customerName: 'Humongous Insurance',
      signal: 'SIGTERM',
      stops: 5,
      maxDelayMs: 800,
    });
    expectRunAgreesWithTenant(counts);
  }, 240_000);
});
