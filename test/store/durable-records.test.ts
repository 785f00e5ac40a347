import { describe, expect, it } from 'vitest';
import { DurableRecords } from '../../src/store/durable-records.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { StoreWriters } from '../../src/store/store-writers.js';
import { LinesLogger } from './temp-store.js';

interface Thing {
  id: string;
  status: 'open' | 'done';
  note?: string;
}

/** Records whose main-file write fails while `disk.full`, and which count the writes. */
function makeRecords() {
  const disk = { full: false, writes: 0 };
  const writers = new StoreWriters({
    writeMain: async () => {
      disk.writes++;
      if (disk.full) throw new Error('ENOSPC: no space left on device');
    },
    syncLogs: async () => {},
    where: '/data',
    logger: new LinesLogger(),
    now: () => new Date(),
    delayMs: 1,
    retryDelayMs: { initial: 1_000, max: 1_000 },
  });
  const records = new DurableRecords<Thing>(writers);
  records.load([{ id: 'a', status: 'open' }], (thing) => thing.id);
  return { records, writers, disk };
}

const close = (id: string, note = 'closed') => ({
  method: 'closeThing',
  id,
  from: ['open'] as const,
  change: (current: Thing): Thing => ({ ...current, status: 'done', note }),
  done: (updated: Thing) => updated.note,
});

describe('DurableRecords', () => {
  it('changes a record whose status matches, once it is on disk', async () => {
    const { records, disk } = makeRecords();
    await expect(records.compareAndSet(close('a'))).resolves.toBe('closed');
    expect(records.get('a')).toEqual({ id: 'a', status: 'done', note: 'closed' });
    expect(disk.writes).toBe(1);
  });

  it('answers null, and writes nothing, when the status does not match or the record is unknown', async () => {
    const { records, disk } = makeRecords();
    await records.compareAndSet(close('a'));
    await expect(records.compareAndSet(close('a', 'again'))).resolves.toBeNull();
    await expect(records.compareAndSet(close('nope'))).resolves.toBeNull();
    expect(records.get('a')?.note).toBe('closed');
    expect(disk.writes).toBe(1);
  });

  it('decides concurrent changes of one record one after another: exactly one wins', async () => {
    const { records } = makeRecords();
    const outcomes = await Promise.all([
      records.compareAndSet(close('a', 'first')),
      records.compareAndSet(close('a', 'second')),
    ]);
    expect(outcomes).toEqual(['first', null]);
  });

  it('takes a change back out of memory when its commit fails, then refuses at once while the disk is full', async () => {
    const { records, writers, disk } = makeRecords();
    disk.full = true;
    await expect(records.compareAndSet(close('a'))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(records.get('a')).toEqual({ id: 'a', status: 'open' });
    expect(writers.health()).toMatchObject({ writable: false, error: 'ENOSPC: no space left on device' });
    const writes = disk.writes;
    await expect(records.compareAndSet(close('a'))).rejects.toThrow(
      /cannot write to \/data .*nothing was changed/,
    );
    expect(disk.writes).toBe(writes);
    await writers.close(0).catch(() => {});
  });

  it('puts back what a failed put replaced, and runs its undo', async () => {
    const { records, writers, disk } = makeRecords();
    disk.full = true;
    const undone: string[] = [];
    await expect(records.put('saveThing', 'a', { id: 'a', status: 'done' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(records.get('a')).toEqual({ id: 'a', status: 'open' });
    disk.full = false;
    await writers.writeMainNow();
    disk.full = true;
    await expect(
      records.put('saveThing', 'b', { id: 'b', status: 'open' }, () => undone.push('b')),
    ).rejects.toThrow();
    expect(records.has('b')).toBe(false);
    expect(undone).toEqual(['b']);
    await writers.close(0).catch(() => {});
  });
});
