import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { UserChange } from '../../../src/licensing/model.js';
import { DemoProvider, type DemoProviderOptions } from '../../../src/providers/demo/demo-provider.js';
import { DEMO_SKUS, demoCases, generateCustomer } from '../../../src/providers/demo/generator.js';
import { SeededRandom } from '../../../src/providers/demo/seeded-random.js';
import {
  isLicenseProviderError,
  type LicenseProviderError,
} from '../../../src/providers/license-provider.js';
import { seatsOf } from './tenant-files.js';

function setup(options: Partial<DemoProviderOptions> = {}) {
  const a = generateCustomer({ seed: 7, users: 40, id: 'a', name: 'Alpha' });
  const b = generateCustomer({ seed: 8, users: 40, id: 'b', name: 'Beta' });
  const provider = new DemoProvider({ data: { version: 1, customers: [a, b] }, ...options });
  return { provider, a, b };
}

const flow: UserChange = { assign: [{ skuId: DEMO_SKUS.FLOW_FREE, disabledPlans: [] }], revoke: [] };
const e3: UserChange = { assign: [{ skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [] }], revoke: [] };

async function outcome(promise: Promise<void>): Promise<LicenseProviderError | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isLicenseProviderError(error)) return error;
    throw error;
  }
}

describe('DemoProvider fault injection', () => {
  it('honours the rates roughly, with transient reasons and Retry-After on 429s', async () => {
    const random = new SeededRandom(42);
    const { provider, a } = setup({
      random: () => random.next(),
      faults: {
        throttleRate: 0.2,
        serverErrorRate: 0.1,
        timeoutRate: 0.05,
        retryAfterMs: 1500,
        timeoutMs: 1,
      },
    });
    const user = demoCases(a).unlicensed.id;
    const calls = 2000;
    const results = await Promise.all(
      Array.from({ length: calls }, () => outcome(provider.applyUserChange('a', user, flow))),
    );
    const count = (what: (r: LicenseProviderError | 'ok') => boolean) => results.filter(what).length / calls;
    const failed = (r: LicenseProviderError | 'ok') => (r === 'ok' ? undefined : r);
    expect(count((r) => failed(r)?.reason === 'throttled')).toBeCloseTo(0.2, 1);
    expect(count((r) => failed(r)?.message.includes('Service Unavailable') === true)).toBeCloseTo(0.1, 1);
    expect(count((r) => failed(r)?.message.includes('timed out') === true)).toBeCloseTo(0.05, 1);
    expect(count((r) => r === 'ok')).toBeCloseTo(0.65, 1);
    for (const r of results) {
      if (r === 'ok') continue;
      expect(r.transient).toBe(true);
      if (r.reason === 'throttled') expect(r.retryAfterMs).toBe(1500);
      else expect(r.reason).toBe('provider_error');
    }
    const faults = results.filter((r) => r !== 'ok').length;
    expect(provider.stats).toMatchObject({ applyCalls: calls, appliedChanges: calls - faults, faults });
  });

  it('applies nothing on a faulted call', async () => {
    const random = new SeededRandom(1);
    const { provider, a } = setup({
      random: () => random.next(),
      faults: { throttleRate: 0.3, serverErrorRate: 0.3, timeoutRate: 0.3, timeoutMs: 1 },
    });
    const seats = seatsOf(provider, DEMO_SKUS.ENTERPRISEPACK, 'a');
    let faulted = 0;
    for (const user of a.users.filter((u) => u.usageLocation !== null && a.holdings[u.id] === undefined)) {
      const result = await outcome(provider.applyUserChange('a', user.id, e3));
      if (result === 'ok') continue;
      faulted += 1;
      expect(provider.holdingsOf('a', user.id)).toEqual([]);
    }
    expect(faulted).toBeGreaterThan(0);
    const applied = provider.stats.appliedChanges;
    expect(seatsOf(provider, DEMO_SKUS.ENTERPRISEPACK, 'a').consumed).toBe(seats.consumed + applied);
  });

  it('waits timeoutMs before failing a timed-out call, and can be switched off', async () => {
    const { provider, a } = setup({ faults: { timeoutRate: 1, timeoutMs: 40 } });
    const user = demoCases(a).unlicensed.id;
    const started = performance.now();
    const result = await outcome(provider.applyUserChange('a', user, flow));
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(result).toMatchObject({ reason: 'provider_error', transient: true });
    provider.setFaults(undefined);
    expect(await outcome(provider.applyUserChange('a', user, flow))).toBe('ok');
  });

  it('adds latency to every call', async () => {
    const { provider } = setup({ latencyMs: 30 });
    const started = performance.now();
    await provider.searchCustomers('', 5);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('DemoProvider write quota', () => {
  it('throttles writes above writesPerSecond per tenant, with the wait until the next token', async () => {
    let now = 0;
    const { provider, a, b } = setup({ writesPerSecond: 10, clock: () => now });
    const userA = demoCases(a).unlicensed.id;
    const results = await Promise.all(
      Array.from({ length: 14 }, () => outcome(provider.applyUserChange('a', userA, flow))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    const throttled = results.filter((r) => r !== 'ok');
    expect(throttled).toHaveLength(4);
    for (const error of throttled) {
      expect(error).toMatchObject({ reason: 'throttled', transient: true, retryAfterMs: 100 });
    }
    expect(provider.stats.throttled).toBe(4);
    // Another tenant has its own quota.
    expect(await outcome(provider.applyUserChange('b', demoCases(b).unlicensed.id, flow))).toBe('ok');
    // Waiting as told is enough, and not a moment less.
    now += 99;
    expect(await outcome(provider.applyUserChange('a', userA, flow))).toMatchObject({ retryAfterMs: 1 });
    now += 1;
    expect(await outcome(provider.applyUserChange('a', userA, flow))).toBe('ok');
    // A pause refills at most one second's worth.
    now += 60_000;
    const burst = await Promise.all(
      Array.from({ length: 12 }, () => outcome(provider.applyUserChange('a', userA, flow))),
    );
    expect(burst.filter((r) => r === 'ok')).toHaveLength(10);
  });

  it('holds a paced client to the rate', async () => {
    const { provider, a } = setup({ writesPerSecond: 50, writeBurst: 1 });
    const user = demoCases(a).unlicensed.id;
    const started = performance.now();
    let done = 0;
    while (done < 10) {
      const result = await outcome(provider.applyUserChange('a', user, flow));
      if (result === 'ok') done += 1;
      else await setTimeout(result.retryAfterMs);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(9 * 20 - 10);
  });
});
