import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

describe('backoffDelay', () => {
  const options = (random: number) => ({ baseDelayMs: 100, maxDelayMs: 1000, random: () => random });

  it('grows exponentially with jitter between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, undefined, options(0)))).toEqual([
      50, 100, 200, 400,
    ]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, undefined, options(1)))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('never exceeds the maximum', () => {
    expect(backoffDelay(30, undefined, options(1))).toBe(1000);
  });

  it('waits at least the Retry-After, even above the maximum', () => {
    expect(backoffDelay(1, 2500, options(0))).toBe(2500);
    expect(backoffDelay(1, 2500, options(1))).toBe(3000);
  });
});
