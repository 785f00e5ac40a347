import { describe, expect, it } from 'vitest';
import { allDone, chunksOf, positionsOf } from '../../src/jobs/chunks.js';
import type { ChangeItem, ChangeRequest } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';

const item = (userId: string, products = 1): ChangeItem => ({
  userId,
  displayName: userId,
  email: `${userId}@example.com`,
  change: {
    assign: Array.from({ length: products }, (_, i) => ({ skuId: `sku-${i}`, disabledPlans: [] })),
    revoke: [],
  },
  noops: [],
});

const request = (items: ChangeItem[], results: ChangeRequest['results'] = {}) => ({
  id: 'req_1',
  items,
  results,
});

const done = (userId: string, skuId = 'sku-0'): ChangeRequest['results'] => ({
  [resultKey(userId, skuId, 'assign')]: {
    userId,
    skuId,
    op: 'assign',
    outcome: 'success',
    at: '2026-11-29T00:00:00Z',
  },
});

describe('chunksOf', () => {
  it('cuts consecutive items holding about chunkSeconds of the tenant writes each', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(`u${i}`));
    expect(chunksOf(request(items), { writesPerSecond: 2, chunkSeconds: 2 })).toEqual([
      { requestId: 'req_1', from: 0, to: 4 },
      { requestId: 'req_1', from: 4, to: 8 },
      { requestId: 'req_1', from: 8, to: 10 },
    ]);
  });

  it('counts every product of an item, and puts an item bigger than a chunk alone', () => {
    const items = [item('a', 3), item('b', 5), item('c', 1)];
    expect(chunksOf(request(items), { writesPerSecond: 4, chunkSeconds: 1 })).toEqual([
      { requestId: 'req_1', from: 0, to: 1 },
      { requestId: 'req_1', from: 1, to: 2 },
      { requestId: 'req_1', from: 2, to: 3 },
    ]);
  });

  it('cuts the same chunks after some ran, and leaves out those with nothing left', () => {
    const items = Array.from({ length: 6 }, (_, i) => item(`u${i}`));
    const results = { ...done('u0'), ...done('u1'), ...done('u2') };
    expect(chunksOf(request(items, results), { writesPerSecond: 3, chunkSeconds: 1 })).toEqual([
      { requestId: 'req_1', from: 3, to: 6 },
    ]);
    expect(allDone(request(items, results))).toBe(false);
  });

  it('a run with every part done has no chunk and is all done', () => {
    const items = [item('a'), item('b')];
    const results = { ...done('a'), ...done('b') };
    expect(chunksOf(request(items, results), { writesPerSecond: 15 })).toEqual([]);
    expect(allDone(request(items, results))).toBe(true);
  });

  it('positionsOf lists a chunk positions', () => {
    expect(positionsOf({ from: 3, to: 6 })).toEqual([3, 4, 5]);
  });
});
