/**
 * Durable methods resolve only once their change is on disk, and when the disk refuses they
 * reject with StoreUnavailableError having changed nothing. Failures are injected through the
 * store's `fs` option (a full or a read-only disk); tmpfs.test.ts does the same on a real disk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonLines } from '../../src/persistence/append-log.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { type DiskFailure, FailingFs } from '../persistence/failing-fs.js';
import { makeApproval, makeChangeRequest, makeLicense, makeResult } from '../support/licensing-factories.js';
import { LinesLogger, useTempStores } from './temp-store.js';

const stores = useTempStores();
const mainFile = () => path.join(stores.dir, 'licensedesk.json');
const onDisk = async () => JSON.parse(await readFile(mainFile(), 'utf8'));
/** Only writes of the main file (its temporary file and its rename) fail. */
const mainFileOnly = (file: string) =>
  path.basename(file).startsWith('.licensedesk.json') || file === mainFile();

async function failingStore(options: { writeDelayMs?: number } = {}) {
  const fs = new FailingFs();
  const logger = new LinesLogger();
  const store = await stores.open({ fs, logger, ...options });
  return { store, fs, logger };
}

async function seed(store: LowdbStore) {
  await store.saveRequest(makeChangeRequest({ id: 'req_seed', status: 'pending_approval' }));
  await store.saveApproval(makeApproval({ requestId: 'req_seed' }));
}

/** What a reopened store holds of the seed and of what the tests try to add. */
async function snapshot(store: LowdbStore) {
  return {
    requests: (await store.listRequests({ limit: 10 })).map((r) => ({ id: r.id, status: r.status })),
    approvals: (await store.listApprovals({ limit: 10 })).map((a) => ({ id: a.requestId, status: a.status })),
  };
}

describe('durable methods', () => {
  it('are on disk when they resolve, without flush', async () => {
    const store = await stores.open({ writeDelayMs: 60_000 });
    await store.saveRequest(makeChangeRequest({ id: 'req_d', status: 'pending_approval' }));
    expect((await onDisk()).requests.map((r: { id: string }) => r.id)).toEqual(['req_d']);
    await store.saveApproval(makeApproval({ requestId: 'req_d' }));
    expect((await onDisk()).approvals).toMatchObject([{ requestId: 'req_d', status: 'pending' }]);
    await store.decideApproval('req_d', ['pending'], { status: 'approved', decidedBy: 'U2' });
    expect((await onDisk()).approvals).toMatchObject([{ status: 'approved', decidedBy: 'U2' }]);
    await store.transitionRequest('req_d', ['pending_approval'], 'approved');
    expect((await onDisk()).requests).toMatchObject([{ id: 'req_d', status: 'approved' }]);
  });

  it("writes a request's items durably before the main file names it", async () => {
    const { store, fs } = await failingStore();
    fs.calls.length = 0;
    await store.saveRequest(makeChangeRequest({ id: 'req_order' }));
    const renames = fs.calls.filter((call) => call.op === 'rename').map((call) => path.basename(call.file));
    expect(renames).toEqual(['req_order.json', 'licensedesk.json']);
    const syncs = fs.calls.filter((call) => call.op === 'sync').map((call) => path.basename(call.file));
    // Items synced, requests/ synced, then the main file and the data directory.
    expect(syncs.indexOf('requests')).toBeLessThan(syncs.lastIndexOf(path.basename(stores.dir)));
  });

  const failures: DiskFailure[] = ['ENOSPC', 'EROFS'];
  const changes: { name: string; attempt: (store: LowdbStore) => Promise<unknown> }[] = [
    { name: 'saveRequest', attempt: (s) => s.saveRequest(makeChangeRequest({ id: 'req_new' })) },
    {
      name: 'transitionRequest',
      attempt: (s) => s.transitionRequest('req_seed', ['pending_approval'], 'approved'),
    },
    { name: 'saveApproval (new)', attempt: (s) => s.saveApproval(makeApproval({ requestId: 'req_new' })) },
    {
      name: 'saveApproval (replacing)',
      attempt: (s) => s.saveApproval(makeApproval({ requestId: 'req_seed', status: 'expired' })),
    },
    {
      name: 'decideApproval',
      attempt: (s) => s.decideApproval('req_seed', ['pending'], { status: 'approved', decidedBy: 'U2' }),
    },
  ];

  describe.each(failures)('on a disk failing with %s', (failure) => {
    it.each(changes)(
      '$name: a failed commit is undone in memory and rejects; nothing changed after recovery',
      async ({ attempt }) => {
        const { store, fs } = await failingStore();
        await seed(store);
        const before = await snapshot(store);
        fs.failure = failure;
        fs.only = mainFileOnly;

        const error = await attempt(store).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain(failure);
        expect(await snapshot(store)).toEqual(before);
        expect(store.health()).toMatchObject({ writable: false, error: expect.stringContaining(failure) });

        fs.failure = null;
        await expect.poll(() => store.health().writable).toBe(true);
        await store.close();
        expect(await snapshot(await stores.open())).toEqual(before);
      },
    );

    it.each(changes)(
      '$name: refused at once while unwritable, before touching any file',
      async ({ attempt }) => {
        const { store, fs } = await failingStore();
        await seed(store);
        const before = await snapshot(store);
        fs.failure = failure;
        await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
        await expect.poll(() => store.health().writable).toBe(false);
        fs.calls.length = 0;

        await expect(attempt(store)).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(fs.calls.filter((call) => call.file.includes(`${path.sep}requests${path.sep}`))).toEqual([]);
        expect(await snapshot(store)).toEqual(before);
      },
    );
  });

  it('a saveRequest whose items cannot be written rejects, keeps nothing, and health turns unwritable', async () => {
    const { store, fs } = await failingStore();
    fs.failure = 'ENOSPC';
    await expect(store.saveRequest(makeChangeRequest({ id: 'req_full' }))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(await store.getRequest('req_full')).toBeNull();
    // Already when the caller hears of the refusal.
    expect(store.health().writable).toBe(false);
  });

  it('runs durable changes of one record one after another: none builds on a change that is then undone', async () => {
    const { store, fs } = await failingStore();
    await seed(store);
    // Only the next write of the main file fails: a change built on the approval would be written by the one after.
    let failuresLeft = 1;
    fs.failure = 'ENOSPC';
    fs.only = (file) => mainFileOnly(file) && failuresLeft-- > 0;
    const [approve, run] = await Promise.allSettled([
      store.transitionRequest('req_seed', ['pending_approval'], 'approved'),
      store.transitionRequest('req_seed', ['approved'], 'running'),
    ]);
    expect(approve.status).toBe('rejected');
    expect(run).toEqual({ status: 'fulfilled', value: null });
    expect((await store.getRequest('req_seed'))?.status).toBe('pending_approval');
    await expect.poll(() => store.health().writable).toBe(true);
    expect((await onDisk()).requests).toMatchObject([{ id: 'req_seed', status: 'pending_approval' }]);
  });

  it('takeDraft stays in memory; the next durable write carries it', async () => {
    const store = await stores.open({ writeDelayMs: 60_000 });
    const kept = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    const submitted = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.flush();
    await store.takeDraft(kept.id, 'U1');
    expect((await onDisk()).drafts.map((d: { id: string }) => d.id)).toContain(kept.id);
    await store.restoreDraft(kept);
    await store.takeDraft(submitted.id, 'U1');
    await store.saveRequest(makeChangeRequest({ draftId: submitted.id }));
    expect((await onDisk()).drafts.map((d: { id: string }) => d.id)).toEqual([kept.id]);
  });
});

describe('an unwritable store', () => {
  it.each(failures())(
    '%s: logs one line when it turns unwritable and one when it recovers, not one per retry',
    async (failure) => {
      const { store, fs, logger } = await failingStore();
      fs.failure = failure;
      await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
      await expect.poll(() => store.health().writable).toBe(false);
      const writes = store.writeCount;
      await expect.poll(() => store.writeCount).toBeGreaterThan(writes + 4);
      expect(logger.at('error')).toHaveLength(1);
      expect(logger.at('error')[0]).toContain(failure);
      expect(logger.at('info')).toEqual([]);

      fs.failure = null;
      await expect.poll(() => store.health().writable).toBe(true);
      expect(logger.at('error')).toHaveLength(1);
      expect(logger.at('info')).toHaveLength(1);
      expect(logger.at('info')[0]).toContain('writable again');
    },
  );

  it.each(failures())(
    '%s: coalesced changes made meanwhile reach the disk after it recovers',
    async (failure) => {
      const { store, fs } = await failingStore();
      await store.saveRequest(makeChangeRequest({ id: 'req_run', status: 'running' }));
      const taken = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
      await store.flush();

      fs.failure = failure;
      const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
      await store.updateDraft(draft.id, (d) => ({ ...d, selectedUserIds: ['u1', 'u2'] }));
      await store.takeDraft(taken.id, 'U1');
      await store.restoreDraft(taken);
      await store.appendAudit({ actor: 'U1', action: 'while_unwritable' });
      await store.recordResults('req_run', [makeResult({ userId: 'u1' }), makeResult({ userId: 'u2' })]);
      await expect(store.flush()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(store.health().writable).toBe(false);

      fs.failure = null;
      await expect.poll(() => store.health().writable).toBe(true);
      await store.flush();
      await store.close();
      const reopened = await stores.open();
      expect((await reopened.getDraft(draft.id))?.selectedUserIds).toEqual(['u1', 'u2']);
      expect(await reopened.getDraft(taken.id)).not.toBeNull();
      expect(await reopened.listAudit({ limit: 10 })).toMatchObject([{ action: 'while_unwritable' }]);
      expect(Object.keys((await reopened.getRequest('req_run'))?.results ?? {}).sort()).toEqual([
        'u1|sku-1|assign',
        'u2|sku-1|assign',
      ]);
    },
  );

  it('recovers by itself: the probing retry needs no new change', async () => {
    const { store, fs } = await failingStore();
    fs.failure = 'EROFS';
    await store.appendAudit({ actor: 'U1', action: 'x' });
    await expect.poll(() => store.health().writable).toBe(false);
    fs.failure = null;
    await expect.poll(() => store.health().writable).toBe(true);
    expect(await readJsonLines(path.join(stores.dir, 'audit.jsonl'))).toMatchObject([{ action: 'x' }]);
  });

  it('opens on a read-only data directory, says so in health(), and recovers', async () => {
    const first = await stores.open();
    await first.saveRequest(makeChangeRequest({ id: 'req_ro' }));
    await first.close();
    const fs = new FailingFs();
    fs.failure = 'EROFS';
    const logger = new LinesLogger();
    const store = await stores.open({ fs, logger });
    expect(store.health()).toMatchObject({ writable: false, error: expect.stringContaining('EROFS') });
    expect(await store.getRequest('req_ro')).not.toBeNull();
    await expect(store.transitionRequest('req_ro', ['approved'], 'running')).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    fs.failure = null;
    await expect.poll(() => store.health().writable).toBe(true);
    expect(await store.transitionRequest('req_ro', ['approved'], 'running')).toMatchObject({
      status: 'running',
    });
    expect(logger.at('error')).toHaveLength(1);
  });

  it('a new store on a disk that takes no writes opens unwritable instead of failing', async () => {
    const fs = new FailingFs();
    fs.failure = 'ENOSPC';
    const store = await stores.open({ fs });
    expect(store.health().writable).toBe(false);
    fs.failure = null;
    await expect.poll(() => store.health().writable).toBe(true);
    expect(await onDisk()).toMatchObject({ version: 2 });
  });

  it('close retries for a bounded time, then rejects with StoreUnavailableError', async () => {
    const { store, fs } = await failingStore();
    fs.failure = 'EROFS';
    await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    const started = Date.now();
    await expect(store.close()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('results', () => {
  it('are appended to their request log and on disk after flush, one sync for every log', async () => {
    const store = await stores.open({ writeDelayMs: 60_000 });
    for (const id of ['req_a', 'req_b', 'req_c']) {
      await store.saveRequest(makeChangeRequest({ id, status: 'running' }));
    }
    const syncs = store.logsWriteCount;
    for (const id of ['req_a', 'req_b', 'req_c']) {
      await store.recordResults(id, [makeResult({ userId: 'u1' }), makeResult({ userId: 'u2' })]);
    }
    const log = (id: string) => path.join(stores.dir, 'requests', `${id}.results.jsonl`);
    expect(await readJsonLines(log('req_a'))).toEqual([]);
    await store.flush();
    expect(store.logsWriteCount - syncs).toBe(1);
    for (const id of ['req_a', 'req_b', 'req_c']) expect(await readJsonLines(log(id))).toHaveLength(2);
  });

  it('a later result for a part replaces the earlier one, also after a reopen', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_r', status: 'running' }));
    await store.recordResults('req_r', [
      makeResult({ userId: 'u1', outcome: 'failed', reason: 'throttled' }),
    ]);
    await store.recordResults('req_r', [makeResult({ userId: 'u1', outcome: 'success' })]);
    expect((await store.getRequest('req_r'))?.results['u1|sku-1|assign']?.outcome).toBe('success');
    await store.close();
    const reopened = await stores.open();
    expect((await reopened.getRequest('req_r'))?.results).toEqual({
      'u1|sku-1|assign': makeResult({ userId: 'u1', outcome: 'success' }),
    });
  });
});

describe('prior state', () => {
  const priorLog = () => path.join(stores.dir, 'requests', 'req_p.prior.jsonl');
  const state = (userId: string) => ({ userId, licenses: [makeLicense('sku-1', { disabledPlans: ['p1'] })] });

  it('is on disk when recordPriorState resolves, without flush, with one sync for a whole batch', async () => {
    const { store, fs } = await failingStore({ writeDelayMs: 60_000 });
    await store.saveRequest(makeChangeRequest({ id: 'req_p', status: 'running' }));
    fs.calls.length = 0;
    await store.recordPriorState('req_p', [state('u1'), state('u2'), state('u3')]);
    expect(await readJsonLines(priorLog())).toEqual([state('u1'), state('u2'), state('u3')]);
    expect(fs.calls.filter((call) => call.op === 'sync' && call.file === priorLog())).toHaveLength(1);
  });

  it.each(failures())(
    'on a disk failing with %s: rejects, keeps nothing, and records it once recovered',
    async (failure) => {
      const { store, fs } = await failingStore();
      await store.saveRequest(makeChangeRequest({ id: 'req_p', status: 'running' }));
      fs.failure = failure;
      fs.only = (file) => file === priorLog();
      await expect(store.recordPriorState('req_p', [state('u1')])).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(await readJsonLines(priorLog())).toEqual([]);
      await expect(store.recordPriorState('req_p', [state('u1')])).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      fs.failure = null;
      await expect.poll(() => store.health().writable).toBe(true);
      // Not taken for recorded by the failed attempt.
      await store.recordPriorState('req_p', [state('u1')]);
      expect(await readJsonLines(priorLog())).toEqual([state('u1')]);
      expect(await store.getPriorState('req_p')).toEqual([state('u1')]);
    },
  );

  it('keeps the first record of a user after a reopen', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_p', status: 'running' }));
    await store.recordPriorState('req_p', [state('u1')]);
    await store.close();
    const reopened = await stores.open();
    await reopened.recordPriorState('req_p', [{ userId: 'u1', licenses: [] }, state('u2')]);
    expect(await reopened.getPriorState('req_p')).toEqual([state('u1'), state('u2')]);
    expect(await readJsonLines(priorLog())).toHaveLength(2);
  });
});

function failures(): DiskFailure[] {
  return ['ENOSPC', 'EROFS'];
}
