/**
 * kill -9 at 12 random points of one 1,000-user run on the demo tenant (see run-scenario.ts):
 * nothing lost, nothing applied twice, nothing misreported against the tenant files.
 */
import { describe, it } from 'vitest';
import { expectRunAgreesWithTenant, runCrashScenario } from './run-scenario.js';

describe('kill -9 during a 1,000-user run', () => {
  it('resumes to a run whose every part is applied once and reported as the tenant holds it', async () => {
    const counts = await runCrashScenario({
      name: 'run crash test (kill -9)',
      customerName: 'Blue Yonder Airlines',
      signal: 'SIGKILL',
      stops: 12,
      maxDelayMs: 450,
    });
    expectRunAgreesWithTenant(counts);
  }, 240_000);
});
