import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTextIfExists, syncDirectory, writeFileDurably } from '../../src/persistence/durable-file.js';
import { FailingFs } from './failing-fs.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-durable-'));
  file = path.join(dir, 'state.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temporaryFiles = async () => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

describe('writeFileDurably', () => {
  it('creates and then replaces the file, leaving no temporary file', async () => {
    await writeFileDurably(file, 'first');
    expect(await readFile(file, 'utf8')).toBe('first');
    await writeFileDurably(file, new TextEncoder().encode('second'));
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await temporaryFiles()).toEqual([]);
  });

  it('syncs the data before the rename and the directory after it', async () => {
    const fs = new FailingFs();
    await writeFileDurably(file, 'data', { fs });
    const ops = fs.calls.map((call) => `${call.op} ${path.basename(call.file)}`);
    const rename = ops.indexOf('rename state.json');
    const dataSync = ops.findIndex((op) => op.startsWith('sync .state.json.'));
    const dirSync = ops.lastIndexOf(`sync ${path.basename(dir)}`);
    expect(dataSync).toBeGreaterThanOrEqual(0);
    expect(dataSync).toBeLessThan(rename);
    expect(dirSync).toBeGreaterThan(rename);
  });

  it.each([
    ['full', 'ENOSPC'],
    ['read-only', 'EROFS'],
  ] as const)(
    'on a %s disk: rejects with the errno, keeps the old content, leaves no temporary file',
    async (_disk, code) => {
      await writeFile(file, 'old');
      const fs = new FailingFs();
      fs.failure = code;
      const error = await writeFileDurably(file, 'new', { fs }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code });
      expect(await readFile(file, 'utf8')).toBe('old');
      expect(await temporaryFiles()).toEqual([]);

      fs.failure = null;
      await writeFileDurably(file, 'new', { fs });
      expect(await readFile(file, 'utf8')).toBe('new');
    },
  );

  it('keeps the old content when the rename fails', async () => {
    await writeFile(file, 'old');
    const fs = new FailingFs();
    fs.failure = 'EROFS';
    fs.only = (target) => target === file;
    await expect(writeFileDurably(file, 'new', { fs })).rejects.toMatchObject({ code: 'EROFS' });
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await temporaryFiles()).toEqual([]);
  });

  it('two writes at once leave one of them whole, never a mix', async () => {
    await Promise.all([writeFileDurably(file, 'a'.repeat(100_000)), writeFileDurably(file, 'b'.repeat(10))]);
    const content = await readFile(file, 'utf8');
    expect(['a'.repeat(100_000), 'b'.repeat(10)]).toContain(content);
    expect(await temporaryFiles()).toEqual([]);
  });
});

describe('readTextIfExists and syncDirectory', () => {
  it('reads a file, null when there is none, and rethrows other errors', async () => {
    expect(await readTextIfExists(file)).toBeNull();
    await writeFile(file, 'text');
    expect(await readTextIfExists(file)).toBe('text');
    await expect(readTextIfExists(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('syncs a directory through the given fs', async () => {
    const fs = new FailingFs();
    await syncDirectory(dir, fs);
    expect(fs.calls).toEqual([
      { op: 'open', file: dir },
      { op: 'sync', file: dir },
    ]);
  });
});
