/**
 * The store on a real small disk (a 256 KiB tmpfs): filled until writes fail, then freed; and
 * remounted read-only, then read-write. Where mounting is not allowed, the same failures are
 * injected through the store's `fs` option, and one line says so.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { FailingFs } from '../persistence/failing-fs.js';
import { makeApproval, makeChangeRequest, makeResult } from '../support/licensing-factories.js';
import { LinesLogger } from './temp-store.js';

interface Disk {
  dataDir: string;
  /** Set when failures are injected instead of mounted. */
  fs?: FailingFs;
  fill(): void;
  free(): Promise<void>;
  readOnly(): void;
  readWrite(): void;
}

let mountPoint = '';
let mounted = false;
let disk: Disk;
const stores: LowdbStore[] = [];
let toldFallback = false;

function sh(command: string, ...args: string[]): void {
  execFileSync(command, args, { stdio: 'pipe' });
}

/** remount can answer EBUSY while a write handle is closing; it settles within moments. */
function remount(mode: 'ro' | 'rw'): void {
  for (let attempt = 0; ; attempt++) {
    try {
      sh('mount', '-o', `remount,${mode}`, mountPoint);
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      execFileSync('sleep', ['0.05']);
    }
  }
}

beforeEach(async () => {
  mountPoint = mkdtempSync(path.join(tmpdir(), 'licensedesk-tmpfs-'));
  try {
    sh('mount', '-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint);
    mounted = true;
  } catch (error) {
    mounted = false;
    if (!toldFallback) {
      toldFallback = true;
      console.info(
        `tmpfs.test: cannot mount a tmpfs here (${String(error).split('\n')[0]}); injecting ENOSPC/EROFS through the store's fs instead.`,
      );
    }
  }
  const dataDir = path.join(mountPoint, 'data');
  await mkdir(dataDir);
  const filler = path.join(mountPoint, 'filler');
  if (mounted) {
    disk = {
      dataDir,
      fill() {
        const page = Buffer.alloc(4096, 120);
        for (;;) {
          try {
            appendFileSync(filler, page);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
            throw error;
          }
        }
      },
      free: () => rm(filler, { force: true }),
      readOnly: () => remount('ro'),
      readWrite: () => remount('rw'),
    };
  } else {
    const fs = new FailingFs();
    disk = {
      dataDir,
      fs,
      fill: () => {
        fs.failure = 'ENOSPC';
      },
      free: async () => {
        fs.failure = null;
      },
      readOnly: () => {
        fs.failure = 'EROFS';
      },
      readWrite: () => {
        fs.failure = null;
      },
    };
  }
});

afterEach(async () => {
  if (mounted) remount('rw');
  for (const store of stores.splice(0)) await store.close().catch(() => {});
  if (mounted) sh('umount', mountPoint);
  await rm(mountPoint, { recursive: true, force: true });
});

async function openStore(logger = new LinesLogger()) {
  const store = new LowdbStore({
    dataDir: disk.dataDir,
    writeDelayMs: 10,
    retryDelayMs: { initial: 10, max: 40 },
    closeRetryMs: 200,
    logger,
    ...(disk.fs ? { fs: disk.fs } : {}),
  });
  stores.push(store);
  await store.open();
  return store;
}

async function seed(store: LowdbStore) {
  await store.saveRequest(makeChangeRequest({ id: 'req_pending', status: 'pending_approval' }));
  await store.saveApproval(makeApproval({ requestId: 'req_pending' }));
  await store.saveRequest(makeChangeRequest({ id: 'req_running', status: 'running' }));
}

async function state(store: LowdbStore) {
  return {
    requests: (await store.listRequests({ limit: 10 })).map((r) => ({ id: r.id, status: r.status })),
    approvals: (await store.listApprovals({ limit: 10 })).map((a) => ({ id: a.requestId, status: a.status })),
  };
}

describe('a real small disk', () => {
  it('full: durable changes are refused with nothing changed; coalesced ones wait; all of it is there after space is freed', async () => {
    const logger = new LinesLogger();
    const store = await openStore(logger);
    await seed(store);
    const before = await state(store);
    disk.fill();

    // The disk is full but nobody has noticed yet: the commit fails and is undone.
    await expect(
      store.transitionRequest('req_pending', ['pending_approval'], 'approved'),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.health()).toMatchObject({ writable: false, error: expect.stringContaining('ENOSPC') });
    // Now refused at once.
    await expect(store.saveRequest(makeChangeRequest({ id: 'req_new' }))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(
      store.decideApproval('req_pending', ['pending'], { status: 'approved', decidedBy: 'U2' }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.saveApproval(makeApproval({ requestId: 'req_running' }))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(await state(store)).toEqual(before);

    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: ['u1'] });
    await store.appendAudit({ actor: 'U1', action: 'while_full' });
    await store.recordResults('req_running', [makeResult({ userId: 'u1' }), makeResult({ userId: 'u2' })]);
    await expect(store.flush()).rejects.toBeInstanceOf(StoreUnavailableError);
    const writes = store.writeCount;
    await expect.poll(() => store.writeCount).toBeGreaterThan(writes + 3);
    expect(logger.at('error')).toHaveLength(1);
    expect(logger.at('error')[0]).toContain('ENOSPC');

    await disk.free();
    await expect.poll(() => store.health().writable, { timeout: 5_000 }).toBe(true);
    expect(logger.at('info').filter((line) => line.includes('writable again'))).toHaveLength(1);
    expect(logger.at('error')).toHaveLength(1);
    expect(await store.transitionRequest('req_pending', ['pending_approval'], 'approved')).toMatchObject({
      status: 'approved',
    });
    await store.close();

    const reopened = await openStore();
    expect(await state(reopened)).toEqual({
      requests: expect.arrayContaining([
        { id: 'req_pending', status: 'approved' },
        { id: 'req_running', status: 'running' },
      ]),
      approvals: before.approvals,
    });
    expect((await reopened.getDraft(draft.id))?.selectedUserIds).toEqual(['u1']);
    expect(await reopened.listAudit({ limit: 10 })).toMatchObject([{ action: 'while_full' }]);
    expect(Object.keys((await reopened.getRequest('req_running'))?.results ?? {})).toHaveLength(2);
    expect(await reopened.getRequest('req_new')).toBeNull();
  });

  it('read-only before the first start: opens unwritable, creates its files once it can write', async () => {
    disk.readOnly();
    const logger = new LinesLogger();
    const store = new LowdbStore({
      dataDir: path.join(disk.dataDir, 'fresh'),
      writeDelayMs: 10,
      retryDelayMs: { initial: 10, max: 40 },
      logger,
      ...(disk.fs ? { fs: disk.fs } : {}),
    });
    stores.push(store);
    await store.open();
    expect(store.health()).toMatchObject({ writable: false, error: expect.stringContaining('EROFS') });
    await expect(store.saveRequest(makeChangeRequest({ id: 'req_first' }))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    disk.readWrite();
    await expect.poll(() => store.health().writable, { timeout: 5_000 }).toBe(true);
    await store.saveRequest(makeChangeRequest({ id: 'req_first' }));
    await store.appendAudit({ actor: 'U1', action: 'first' });
    await store.close();
    expect(logger.lines.map((line) => line.level)).toEqual(['error', 'info']);
    const reopened = new LowdbStore({ dataDir: path.join(disk.dataDir, 'fresh') });
    stores.push(reopened);
    await reopened.open();
    expect(await reopened.getRequest('req_first')).not.toBeNull();
    expect(await reopened.listAudit({ limit: 10 })).toMatchObject([{ action: 'first' }]);
  });

  it('read-only: refused and logged once, recovered after remounting read-write, nothing lost', async () => {
    const logger = new LinesLogger();
    const store = await openStore(logger);
    await seed(store);
    await store.flush();
    const before = await state(store);
    disk.readOnly();

    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.recordResults('req_running', [makeResult({ userId: 'u9' })]);
    await expect.poll(() => store.health().writable).toBe(false);
    expect(store.health().error).toContain('EROFS');
    await expect(store.transitionRequest('req_running', ['running'], 'completed')).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.saveRequest(makeChangeRequest({ id: 'req_new' }))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(await state(store)).toEqual(before);
    expect(logger.at('error')).toHaveLength(1);

    disk.readWrite();
    await expect.poll(() => store.health().writable, { timeout: 5_000 }).toBe(true);
    await store.flush();
    await store.close();
    expect(logger.at('error')).toHaveLength(1);

    const reopened = await openStore();
    expect(await state(reopened)).toEqual(before);
    expect(await reopened.getDraft(draft.id)).not.toBeNull();
    expect(Object.keys((await reopened.getRequest('req_running'))?.results ?? {})).toEqual([
      'u9|sku-1|assign',
    ]);
  });
});
