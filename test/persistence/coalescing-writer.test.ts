import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { CoalescingWriter, type WriterHealth } from '../../src/persistence/coalescing-writer.js';
import { diskError } from './failing-fs.js';

/** A state and a writer over it whose writes record the state they carried, and fail on demand. */
function harness(options: { delayMs?: number; writeMs?: number } = {}) {
  const state = { version: 0 };
  const written: number[] = [];
  const changes: WriterHealth[] = [];
  let failing: 'ENOSPC' | 'EROFS' | null = null;
  const writer = new CoalescingWriter({
    delayMs: options.delayMs ?? 10,
    retryDelayMs: { initial: 5, max: 20 },
    onHealthChange: (health) => changes.push(health),
    write: async () => {
      const copy = state.version;
      await sleep(options.writeMs ?? 1);
      if (failing) throw diskError(failing, 'write', 'state.json');
      written.push(copy);
    },
  });
  writers.push(writer);
  return {
    writer,
    written,
    changes,
    change() {
      state.version++;
      writer.markDirty();
    },
    fail(code: 'ENOSPC' | 'EROFS' | null) {
      failing = code;
    },
  };
}

const writers: CoalescingWriter[] = [];
afterEach(async () => {
  for (const writer of writers.splice(0)) await writer.close(0).catch(() => {});
});

describe('CoalescingWriter', () => {
  it('carries many changes in one write after the delay', async () => {
    const h = harness({ delayMs: 20 });
    for (let i = 0; i < 50; i++) h.change();
    expect(h.writer.dirty).toBe(true);
    expect(h.written).toEqual([]);
    await expect.poll(() => h.written).toEqual([50]);
    expect(h.writer.writes).toBe(1);
    expect(h.writer.dirty).toBe(false);
  });

  it('commit resolves once a write that includes every earlier change succeeded; concurrent commits share it', async () => {
    const h = harness({ delayMs: 10_000, writeMs: 20 });
    h.change();
    const first = h.writer.commit();
    await sleep(5);
    // While the first write runs: these changes are not in it, and the commits share the next one.
    const later: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      h.change();
      later.push(h.writer.commit());
    }
    await first;
    expect(h.written).toEqual([1]);
    await Promise.all(later);
    expect(h.written).toEqual([1, 6]);
    expect(h.writer.writes).toBe(2);
  });

  it('commit without a change since the last write writes nothing', async () => {
    const h = harness({ delayMs: 10_000 });
    h.change();
    await h.writer.commit();
    await h.writer.commit();
    expect(h.writer.writes).toBe(1);
  });

  it('a failed write rejects the commit, turns unwritable once, probes, and recovers by itself', async () => {
    // A probe under way when the change below is made carries the state before it; the change then
    // follows `delayMs` after the recovery, so the delay is short here.
    const h = harness({ delayMs: 50 });
    h.fail('ENOSPC');
    h.change();
    await expect(h.writer.commit()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(h.writer.health()).toMatchObject({ writable: false, error: expect.stringContaining('ENOSPC') });
    // Probes keep failing without a second report.
    await expect.poll(() => h.writer.writes).toBeGreaterThan(4);
    expect(h.changes).toHaveLength(1);
    h.fail('EROFS');
    await expect.poll(() => h.writer.health().error).toContain('EROFS');
    expect(h.changes).toHaveLength(1);

    // A change meanwhile waits for the disk, with no write of its own.
    h.change();
    h.fail(null);
    await expect.poll(() => h.writer.health().writable).toBe(true);
    expect(h.changes.map((change) => change.writable)).toEqual([false, true]);
    await expect.poll(() => h.written.at(-1)).toBe(2);
    expect(h.writer.dirty).toBe(false);
  });

  it('close retries a failing write for a bounded time, then reports it', async () => {
    const h = harness({ delayMs: 10_000 });
    h.fail('EROFS');
    h.change();
    const started = Date.now();
    await expect(h.writer.close(100)).rejects.toMatchObject({ code: 'EROFS' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(Date.now() - started).toBeLessThan(1_000);
    const writes = h.writer.writes;
    await sleep(60);
    expect(h.writer.writes).toBe(writes);
  });

  it('close succeeds when the disk recovers within its time', async () => {
    const h = harness({ delayMs: 10_000 });
    h.fail('ENOSPC');
    h.change();
    setTimeout(() => h.fail(null), 40);
    await h.writer.close(2_000);
    expect(h.written).toEqual([1]);
  });
});
