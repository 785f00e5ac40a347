import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendLog, readJsonLines } from '../../src/persistence/append-log.js';
import { FailingFs } from './failing-fs.js';

let dir: string;
let file: string;
const logs: AppendLog[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-log-'));
  file = path.join(dir, 'records.jsonl');
});

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function openLog(fs = new FailingFs()) {
  const log = await AppendLog.open(file, { fs });
  logs.push(log);
  return { log, fs };
}

describe('AppendLog', () => {
  it('creates the file and writes buffered records at sync, one write and one fsync for all', async () => {
    const { log, fs } = await openLog();
    for (let i = 0; i < 100; i++) log.append({ i });
    expect(await readFile(file, 'utf8')).toBe('');
    expect(log.lineCount).toBe(100);
    await log.sync();
    expect(fs.count('appendFile')).toBe(1);
    expect(fs.calls.filter((call) => call.op === 'sync' && call.file === file)).toHaveLength(1);
    expect(await readJsonLines(file)).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));
  });

  it('group commit: syncs asked for while a write runs share the next write', async () => {
    const { log, fs } = await openLog();
    log.append({ n: 1 });
    const first = log.sync();
    await expect.poll(() => fs.count('appendFile')).toBe(1);
    const later: Promise<void>[] = [];
    for (let n = 2; n <= 20; n++) {
      log.append({ n });
      later.push(log.sync());
    }
    await Promise.all([first, ...later]);
    expect(fs.count('appendFile')).toBe(2);
    expect(await readJsonLines(file)).toHaveLength(20);
  });

  it('cuts off a torn last line when opened, and readJsonLines ignores one', async () => {
    await writeFile(file, '{"a":1}\n{"b":');
    expect(await readJsonLines(file)).toEqual([{ a: 1 }]);
    const { log } = await openLog();
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n');
    expect(log.lineCount).toBe(1);
    log.append({ c: 3 });
    await log.sync();
    expect(await readJsonLines(file)).toEqual([{ a: 1 }, { c: 3 }]);
  });

  it('keeps appended records through a failed write and writes them once when the disk recovers', async () => {
    const { log, fs } = await openLog();
    log.append({ before: true });
    await log.sync();
    fs.failure = 'ENOSPC';
    log.append({ during: 1 });
    log.append({ during: 2 });
    await expect(log.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(log.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    fs.failure = null;
    log.append({ after: true });
    await log.sync();
    expect(await readJsonLines(file)).toEqual([
      { before: true },
      { during: 1 },
      { during: 2 },
      { after: true },
    ]);
  });

  it('cuts a torn write back to the last whole line before retrying it', async () => {
    const { log, fs } = await openLog();
    log.append({ first: 'whole' });
    await log.sync();
    fs.tearNextWriteAfter = 7;
    log.append({ second: 'x'.repeat(50) });
    await expect(log.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(file, 'utf8')).toBe('{"first":"whole"}\n');
    await log.sync();
    expect(await readJsonLines(file)).toEqual([{ first: 'whole' }, { second: 'x'.repeat(50) }]);
  });

  it('appendDurably: resolves once on disk; when its write fails, rejects and drops only its own record', async () => {
    const { log, fs } = await openLog();
    await log.appendDurably({ durable: 1 });
    expect(await readJsonLines(file)).toEqual([{ durable: 1 }]);

    fs.failure = 'ENOSPC';
    log.append({ kept: true });
    const refused = await Promise.allSettled([
      log.appendDurably({ durable: 2 }),
      log.appendDurably({ durable: 3 }),
    ]);
    expect(refused.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    fs.failure = null;
    await log.sync();
    expect(await readJsonLines(file)).toEqual([{ durable: 1 }, { kept: true }]);
  });

  it('close writes what is buffered; appending after close fails at the next sync', async () => {
    const { log } = await openLog();
    log.append({ last: true });
    await log.close();
    expect(await readJsonLines(file)).toEqual([{ last: true }]);
    log.append({ late: true });
    await expect(log.sync()).rejects.toThrow(/closed/);
  });

  it('reopens an existing log and appends after its lines', async () => {
    const first = await openLog();
    first.log.append({ n: 1 });
    await first.log.close();
    const { log } = await openLog();
    expect(log.lineCount).toBe(1);
    log.append({ n: 2 });
    await log.sync();
    expect(await readJsonLines(file)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
