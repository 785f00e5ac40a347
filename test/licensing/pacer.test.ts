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
});
