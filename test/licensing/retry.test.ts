import { describe, expect, it } from 'vitest';
import { type RetryPolicy, retryTransient } from '../../src/licensing/retry.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';

/** A policy that records its waits and hooks instead of sleeping. */
function policy(maxAttempts: number) {
  const log: string[] = [];
  const retry: RetryPolicy = {
    maxAttempts,
    backoff: { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 },
    sleep: async (ms) => {
      log.push(`sleep ${ms}`);
    },
    beforeAttempt: async () => {
      log.push('attempt');
    },
    onRetryAfter: (ms) => log.push(`retry-after ${ms}`),
  };
  return { retry, log };
}

/** A call that throws the given errors in turn, then answers 'done'. */
function failing(...errors: Error[]) {
  let calls = 0;
  return async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'done';
  };
}

const busy = (retryAfterMs?: number) =>
  new LicenseProviderError('throttled', 'busy', { transient: true, retryAfterMs });

describe('retryTransient', () => {
  it('tries a transient failure again after the backoff, telling the pacer of a Retry-After', async () => {
    const { retry, log } = policy(6);
    expect(await retryTransient(failing(busy(), busy(300)), retry)).toEqual({ ok: true, value: 'done' });
    expect(log).toEqual(['attempt', 'sleep 50', 'attempt', 'retry-after 300', 'sleep 300', 'attempt']);
  });

  it('returns a lasting refusal at once, not exhausted', async () => {
    const { retry, log } = policy(6);
    const refusal = new LicenseProviderError('user_not_found', 'gone');
    expect(await retryTransient(failing(refusal), retry)).toEqual({
      ok: false,
      error: refusal,
      exhausted: false,
    });
    expect(log).toEqual(['attempt']);
  });

  it('gives up after the last attempt with the last error, exhausted', async () => {
    const { retry, log } = policy(2);
    const last = busy();
    expect(await retryTransient(failing(busy(), last, busy()), retry)).toEqual({
      ok: false,
      error: last,
      exhausted: true,
    });
    expect(log.filter((line) => line === 'attempt')).toHaveLength(2);
  });

  it('rethrows anything that is not a provider error (a crash)', async () => {
    const { retry } = policy(6);
    await expect(retryTransient(failing(new Error('bug')), retry)).rejects.toThrow('bug');
  });
});
