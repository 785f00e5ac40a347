import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runPool } from '../../../src/licensing/execution/worker-pool.js';

describe('runPool', () => {
  it('runs every task once, in order, with at most `concurrency` in flight', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const outcome = await runPool(10, 3, async (index) => {
      started.push(index);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(1);
      inFlight--;
    });
    expect(outcome).toEqual({ crash: null, started: 10 });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxInFlight).toBe(3);
  });

  it('stops starting tasks after the first crash, lets those in flight finish, and keeps the first error', async () => {
    const finished: number[] = [];
    const outcome = await runPool(10, 2, async (index) => {
      // Task 2 is still in flight when task 3 crashes; it crashes too, later.
      await sleep(index === 2 ? 10 : index === 3 ? 0 : 2);
      if (index === 2 || index === 3) throw new Error(`task ${index}`);
      finished.push(index);
    });
    expect(outcome.crash).toEqual({ error: new Error('task 3') });
    expect(outcome.started).toBe(4);
    expect(finished).toEqual([0, 1]);
  });

  it('stops starting tasks once asked to', async () => {
    let stop = false;
    const outcome = await runPool(
      10,
      2,
      async (index) => {
        if (index === 3) stop = true;
      },
      () => stop,
    );
    expect(outcome).toEqual({ crash: null, started: 4 });
  });

  it('runs nothing for no tasks', async () => {
    expect(await runPool(0, 4, async () => {})).toEqual({ crash: null, started: 0 });
  });
});
