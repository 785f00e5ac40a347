import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ChangesUnderWay } from '../../../src/providers/demo/changes-under-way.js';

function pending(): { promise: Promise<void>; finish: () => void } {
  let finish = () => {};
  const promise = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { promise, finish };
}

describe('ChangesUnderWay', () => {
  it('counts a change as under way until it settles, failed or not', async () => {
    const underWay = new ChangesUnderWay();
    const change = pending();
    const tracked = underWay.track(() => change.promise);
    const failing = underWay.track(() => Promise.reject(new Error('refused')));
    expect(underWay.count).toBe(2);
    await expect(failing).rejects.toThrow('refused');
    expect(underWay.count).toBe(1);
    change.finish();
    await tracked;
    expect(underWay.count).toBe(0);
  });

  it('once stopped, refuses new changes as transient and leaves them uncounted', async () => {
    const underWay = new ChangesUnderWay();
    expect(await underWay.stop(1_000)).toBe(0);
    let ran = false;
    await expect(
      underWay.track(async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ transient: true, message: expect.stringContaining('shutting down') });
    expect(() => underWay.refuseIfStopped()).toThrow('shutting down');
    expect({ ran, count: underWay.count, stopped: underWay.stopped }).toEqual({
      ran: false,
      count: 0,
      stopped: true,
    });
  });

  it('stops waiting as soon as the last change under way settles', async () => {
    const underWay = new ChangesUnderWay();
    const change = pending();
    const tracked = underWay.track(() => change.promise);
    const started = performance.now();
    const stopping = underWay.stop(10_000);
    await setTimeout(20);
    change.finish();
    expect(await stopping).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
    await tracked;
  });

  it('gives up after waitMs and tells how many are still under way', async () => {
    const underWay = new ChangesUnderWay();
    const change = pending();
    const tracked = underWay.track(() => change.promise);
    expect(await underWay.stop(30)).toBe(1);
    change.finish();
    await tracked;
    expect(underWay.count).toBe(0);
  });
});
