import { describe, expect, it } from 'vitest';
import { SlotBatches } from '../../src/db/slot-batches.js';

describe('SlotBatches', () => {
  it('sends the first caller alone, then everyone who queued meanwhile in batches of at most max', async () => {
    const trips: { key: string; count: number }[] = [];
    let next = 0;
    const batches = new SlotBatches(async (key, count) => {
      trips.push({ key, count });
      await Promise.resolve();
      return Array.from({ length: count }, () => next++);
    }, 3);
    const slots = await Promise.all(Array.from({ length: 6 }, () => batches.next('a')));
    expect(slots).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trips).toEqual([
      { key: 'a', count: 1 },
      { key: 'a', count: 3 },
      { key: 'a', count: 2 },
    ]);
  });

  it('keeps keys apart: one key in flight does not hold another back', async () => {
    const trips: string[] = [];
    const batches = new SlotBatches(async (key, count) => {
      trips.push(key);
      return Array.from({ length: count }, () => key);
    }, 8);
    expect(await Promise.all([batches.next('a'), batches.next('b'), batches.next('a')])).toEqual([
      'a',
      'b',
      'a',
    ]);
    expect(trips).toEqual(['a', 'b', 'a']);
  });

  it('a failed round trip fails only its own callers; the next ones get their slots', async () => {
    let trip = 0;
    const batches = new SlotBatches(async (_key, count) => {
      trip++;
      await Promise.resolve();
      if (trip === 2) throw new Error('connection lost');
      return Array.from({ length: count }, () => trip);
    }, 2);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => batches.next('a')));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'failed'))).toEqual([
      1,
      'failed',
      'failed',
      3,
      3,
    ]);
    expect(await batches.next('a')).toBe(4);
  });

  it('refuses callers the round trip returned no slot for', async () => {
    const batches = new SlotBatches(async () => [7], 4);
    const outcomes = await Promise.allSettled([batches.next('a'), batches.next('a'), batches.next('a')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });
});
