import { describe, expect, it } from 'vitest';
import { TenantPacer } from '../../src/licensing/pacer.js';

/** A virtual clock: sleeping advances it, so pacing is measured without waiting. */
function virtualTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now = Math.max(now, now + ms);
    },
  };
}

/** The smallest distance between two of the times. */
function smallestGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.min(...sorted.slice(1).map((at, i) => at - (sorted[i] ?? Number.NEGATIVE_INFINITY)));
}

describe('TenantPacer', () => {
  it('spaces one tenant at the rate and leaves other tenants alone', async () => {
    const time = virtualTime();
    const pacer = new TenantPacer({ ratePerSecond: 10, burst: 1, ...time });
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.acquire('t1');
      slots.push(time.now());
    }
    expect(slots).toEqual([0, 100, 200, 300, 400]);
    const before = time.now();
    await pacer.acquire('t2');
    expect(time.now()).toBe(before);
  });

  it('hands out slots in order to concurrent callers', async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new TenantPacer({
      ratePerSecond: 20,
      burst: 1,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all(Array.from({ length: 4 }, () => pacer.acquire('t')));
    expect(waits).toEqual([50, 100, 150]);
    now = 1000;
    await pacer.acquire('t');
    expect(waits).toHaveLength(3);
  });

  it('lets a burst through after a quiet spell, then paces', async () => {
    const time = virtualTime();
    const pacer = new TenantPacer({ ratePerSecond: 10, burst: 3, ...time });
    await pacer.acquire('t');
    await time.sleep(1000);
    const start = time.now();
    for (let i = 0; i < 4; i++) await pacer.acquire('t');
    expect(time.now() - start).toBe(100);
  });

  it('by default lets a quarter second of writes catch up, never more than the rate over time', async () => {
    const time = virtualTime();
    const pacer = new TenantPacer({ ratePerSecond: 40, ...time });
    for (let i = 0; i < 10; i++) await pacer.acquire('t');
    expect(time.now()).toBe(0);
    for (let i = 0; i < 40; i++) await pacer.acquire('t');
    expect(time.now()).toBe(1000);
  });

  it('holds the tenant back after a Retry-After', async () => {
    const time = virtualTime();
    const pacer = new TenantPacer({ ratePerSecond: 10, ...time });
    await pacer.acquire('t');
    pacer.pause('t', 2000);
    await pacer.acquire('t');
    expect(time.now()).toBe(2000);
  });

  describe('with an app-wide budget', () => {
    it('caps writes across tenants at the app rate, each tenant still at its own', () => {
      const time = virtualTime();
      const pacer = new TenantPacer({
        ratePerSecond: 10,
        burst: 1,
        appRatePerSecond: 40,
        appBurst: 1,
        ...time,
      });
      const slots = Array.from({ length: 12 }, (_, i) => ({
        tenant: `t${i % 3}`,
        at: pacer.reserve(`t${i % 3}`),
      }));
      expect(slots.slice(0, 6).map((slot) => slot.at)).toEqual([0, 25, 50, 100, 125, 150]);
      expect(smallestGap(slots.map((slot) => slot.at))).toBe(25);
      for (const tenant of ['t0', 't1', 't2']) {
        expect(smallestGap(slots.filter((slot) => slot.tenant === tenant).map((slot) => slot.at))).toBe(100);
      }
    });

    it('makes acquire wait for the app slot when the app budget is the later one', async () => {
      const time = virtualTime();
      const pacer = new TenantPacer({
        ratePerSecond: 100,
        burst: 1,
        appRatePerSecond: 10,
        appBurst: 1,
        ...time,
      });
      await pacer.acquire('a');
      await pacer.acquire('b');
      expect(time.now()).toBe(100);
      await pacer.acquire('c');
      expect(time.now()).toBe(200);
    });

    it('lets the app burst after a quiet spell, then paces at the app rate', async () => {
      const time = virtualTime();
      const pacer = new TenantPacer({ ratePerSecond: 1000, appRatePerSecond: 40, ...time });
      for (let i = 0; i < 10; i++) await pacer.acquire(`t${i}`);
      expect(time.now()).toBe(0);
      for (let i = 0; i < 40; i++) await pacer.acquire(`t${i % 5}`);
      expect(time.now()).toBe(1000);
    });

    it('a paused tenant does not hold the other tenants back', () => {
      const time = virtualTime();
      const pacer = new TenantPacer({
        ratePerSecond: 10,
        burst: 1,
        appRatePerSecond: 100,
        appBurst: 1,
        ...time,
      });
      pacer.pause('slow', 5000);
      expect(pacer.reserve('slow')).toBe(5000);
      expect(pacer.reserve('slow')).toBe(5100);
      expect(pacer.reserve('other')).toBe(20);
    });
  });
});
