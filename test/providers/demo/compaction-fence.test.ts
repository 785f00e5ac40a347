import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CompactionFence } from '../../../src/providers/demo/compaction-fence.js';

function pending(): { promise: Promise<void>; finish: () => void; fail: (error: Error) => void } {
  let finish = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

describe('CompactionFence', () => {
  it('lets changes through unless a copy is under way, and holds them until it ends', async () => {
    const fence = new CompactionFence();
    expect(fence.gate()).toBeUndefined();
    const copy = pending();
    const held = fence.whileHeld(() => copy.promise);
    const gate = fence.gate();
    expect(gate).toBeInstanceOf(Promise);
    let through = false;
    void gate?.then(() => {
      through = true;
    });
    await setImmediate();
    expect(through).toBe(false);
    copy.finish();
    await held;
    expect(through).toBe(true);
    expect(fence.gate()).toBeUndefined();
  });

  it('copies only once every change being recorded has settled, failed ones too', async () => {
    const fence = new CompactionFence();
    const saved = pending();
    const refused = pending();
    const recordings = [fence.recording(() => saved.promise), fence.recording(() => refused.promise)];
    let copied = false;
    const held = fence.whileHeld(async () => {
      copied = true;
    });
    saved.finish();
    await setImmediate();
    expect(copied).toBe(false);
    refused.fail(new Error('disk full'));
    await held;
    expect(copied).toBe(true);
    await expect(Promise.allSettled(recordings)).resolves.toMatchObject([
      { status: 'fulfilled' },
      { status: 'rejected' },
    ]);
  });

  it('releases the changes it held even when the copy fails', async () => {
    const fence = new CompactionFence();
    await expect(fence.whileHeld(() => Promise.reject(new Error('EROFS')))).rejects.toThrow('EROFS');
    expect(fence.gate()).toBeUndefined();
  });
});
