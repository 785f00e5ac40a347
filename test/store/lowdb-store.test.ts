import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { afterEach, assert, beforeEach, describe, expect, it } from 'vitest';
import { readJsonLines } from '../../src/persistence/append-log.js';
import { LowdbStore, STORE_FILE_NAME } from '../../src/store/lowdb-store.js';
import { StoreError } from '../../src/store/store.js';
import type { NewDraft } from '../../src/store/store-schema.js';
import { makeApproval, makeChangeRequest, makeResult } from '../support/licensing-factories.js';

let dataDir: string;
const openStores: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-store-'));
});

afterEach(async () => {
  for (const store of openStores.splice(0)) await store.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

async function openStore(options: Partial<ConstructorParameters<typeof LowdbStore>[0]> = {}) {
  const store = new LowdbStore({ dataDir, writeDelayMs: 20, ...options });
  openStores.push(store);
  await store.open();
  return store;
}

function draftInput(overrides: Partial<NewDraft> = {}): NewDraft {
  return { ownerId: 'U1', channelId: 'C1', ...overrides };
}

const storeFile = () => path.join(dataDir, STORE_FILE_NAME);

describe('LowdbStore', () => {
  it('creates a versioned file on first open', async () => {
    await openStore();
    const content = JSON.parse(await readFile(storeFile(), 'utf-8'));
    expect(content).toEqual({ version: 2, drafts: [], requests: [], approvals: [] });
  });

  it('round-trips requests, results, approvals, drafts and audit through the file', async () => {
    const store = await openStore();
    const request = makeChangeRequest({ id: 'req_a' });
    await store.saveRequest(request);
    await store.recordResults('req_a', [makeResult({ userId: 'u1', skuId: 's1' })]);
    await store.saveApproval(makeApproval({ requestId: 'req_a' }));
    const draft = await store.createDraft(draftInput({ selectedUserIds: ['u1', 'u2'] }));
    await store.appendAudit({ actor: 'U1', action: 'submitted', requestId: 'req_a' });
    await store.close();

    const reopened = await openStore();
    const read = await reopened.getRequest('req_a');
    expect(read?.results['u1|s1|assign']?.outcome).toBe('success');
    expect(read?.customerName).toBe(request.customerName);
    expect((await reopened.getApproval('req_a'))?.status).toBe('pending');
    expect((await reopened.getDraft(draft.id))?.selectedUserIds).toEqual(['u1', 'u2']);
    expect(await reopened.listAudit({ requestId: 'req_a', limit: 10 })).toMatchObject([
      { actor: 'U1', action: 'submitted' },
    ]);
  });

  it('coalesces many mutations into few writes', async () => {
    const store = await openStore({ writeDelayMs: 50 });
    const before = store.writeCount;
    await store.saveRequest(makeChangeRequest({ id: 'req_many' }));
    for (let i = 0; i < 500; i++) {
      await store.recordResults('req_many', [makeResult({ userId: `u${i}` })]);
    }
    await store.flush();
    // The request's one durable write; results go to its log, synced once for all 500.
    expect(store.writeCount - before).toBe(1);
    expect(store.logsWriteCount).toBe(1);
    const lines = await readJsonLines(path.join(dataDir, 'requests', 'req_many.results.jsonl'));
    expect(new Set(lines.map((line) => (line as { userId: string }).userId)).size).toBe(500);
  });

  it('writes on its own after the delay, without flush', async () => {
    // saveRequest is durable now; a draft is what waits for the delay.
    const store = await openStore({ writeDelayMs: 10 });
    const draft = await store.createDraft(draftInput());
    await expect
      .poll(
        async () =>
          (JSON.parse(await readFile(storeFile(), 'utf-8')).drafts as { id: string }[]).map((d) => d.id),
        { timeout: 2000, interval: 20 },
      )
      .toEqual([draft.id]);
  });

  it('keeps at most one write in flight and loses nothing written during one', async () => {
    const store = await openStore({ writeDelayMs: 0 });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      writes.push(store.saveRequest(makeChangeRequest({ id: `req_${i}` })));
      await setImmediate();
    }
    await Promise.all(writes);
    await store.flush();
    const onDisk = JSON.parse(await readFile(storeFile(), 'utf-8'));
    expect(onDisk.requests).toHaveLength(50);
    const leftovers = [
      ...(await readdir(dataDir)),
      ...(await readdir(path.join(dataDir, 'requests'))),
    ].filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version": 1, "drafts": '],
    [
      'the wrong version',
      JSON.stringify({ version: 99, drafts: {}, requests: {}, approvals: {}, audit: [] }),
    ],
    ['JSON null', 'null'],
    ['an empty file', ''],
  ])('refuses a file that is %s, names it, and never overwrites it', async (_what, content) => {
    await writeFile(storeFile(), content);
    const store = new LowdbStore({ dataDir, writeDelayMs: 0 });
    openStores.push(store);
    const error = await store.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).toContain(storeFile());
    await expect(store.saveRequest(makeChangeRequest())).rejects.toBeInstanceOf(StoreError);
    await store.close();
    expect(await readFile(storeFile(), 'utf-8')).toBe(content);
  });

  it('moves a request only from the expected status (compare-and-set)', async () => {
    const store = await openStore();
    await store.saveRequest(makeChangeRequest({ id: 'req_cas', status: 'pending_approval' }));
    const outcomes = await Promise.all([
      store.transitionRequest('req_cas', ['pending_approval'], 'approved'),
      store.transitionRequest('req_cas', ['pending_approval'], 'rejected'),
    ]);
    expect(outcomes.filter((r) => r !== null)).toHaveLength(1);
    expect(outcomes[0]?.status).toBe('approved');
    expect((await store.getRequest('req_cas'))?.status).toBe('approved');
    expect(await store.transitionRequest('missing', ['approved'], 'running')).toBeNull();
    const running = await store.transitionRequest('req_cas', ['approved'], 'running', {
      startedAt: 'then',
    });
    expect(running).toMatchObject({ status: 'running', startedAt: 'then' });
  });

  it('decides an approval once', async () => {
    const store = await openStore();
    await store.saveApproval(makeApproval({ requestId: 'req_d' }));
    const [first, second] = await Promise.all([
      store.decideApproval('req_d', ['pending'], { status: 'approved', decidedBy: 'U2' }),
      store.decideApproval('req_d', ['pending'], { status: 'rejected', decidedBy: 'U3' }),
    ]);
    expect(first).toMatchObject({ status: 'approved', decidedBy: 'U2' });
    expect(second).toBeNull();
  });

  it('returns copies: changing a returned object does not change the store', async () => {
    const store = await openStore();
    await store.saveRequest(makeChangeRequest({ id: 'req_copy' }));
    const read = await store.getRequest('req_copy');
    assert.exists(read);
    read.status = 'completed';
    expect((await store.getRequest('req_copy'))?.status).toBe('approved');
  });

  it('hides expired drafts on read and moves them from the file to the archive', async () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const store = await openStore({ now: () => now, draftTtlMinutes: 10 });
    const touched = await store.createDraft(draftInput());
    const untouched = await store.createDraft(draftInput());
    now = new Date('2025-01-01T00:09:00Z');
    // Updating a draft extends its life.
    await store.updateDraft(touched.id, (draft) => ({ ...draft, page: 2 }));
    now = new Date('2025-01-01T00:15:00Z');
    expect(await store.getDraft(touched.id)).toMatchObject({ page: 2 });
    expect(await store.getDraft(untouched.id)).toBeNull();
    now = new Date('2025-01-01T01:00:00Z');
    // Expired drafts are archived, never dropped unseen (they used to be pruned on read).
    expect(await store.archiveOld()).toMatchObject({ drafts: 2 });
    const onDisk = JSON.parse(await readFile(storeFile(), 'utf-8'));
    expect(onDisk.drafts).toEqual([]);
    const archived = await readJsonLines(path.join(dataDir, 'archive', 'drafts-2025-01.jsonl'));
    expect(archived.map((draft) => (draft as { id: string }).id).sort()).toEqual(
      [touched.id, untouched.id].sort(),
    );
  });

  it('updates a draft atomically and keeps its owner', async () => {
    const store = await openStore();
    const draft = await store.createDraft(draftInput({ ownerId: 'U1' }));
    const updated = await store.updateDraft(draft.id, (d) => ({
      ...d,
      ownerId: 'U_OTHER',
      selectedUserIds: [...d.selectedUserIds, 'u9'],
    }));
    expect(updated).toMatchObject({ ownerId: 'U1', selectedUserIds: ['u9'] });
    expect(await store.updateDraft('drf_missing', (d) => d)).toBeNull();
  });

  it('keeps the revoke ticks in the draft, and reads drafts stored before they were kept', async () => {
    const store = await openStore();
    const created = await store.createDraft(draftInput());
    expect(created.revokeSkuIds).toEqual([]);
    await store.updateDraft(created.id, (d) => ({ ...d, revokeSkuIds: ['sku_e3'] }));
    await store.close();
    const again = await openStore();
    expect(await again.getDraft(created.id)).toMatchObject({ revokeSkuIds: ['sku_e3'] });
    await again.close();

    const { revokeSkuIds: _ticks, ...older } = { ...created, expiresAt: '2999-01-01T00:00:00.000Z' };
    const file = JSON.parse(await readFile(storeFile(), 'utf-8'));
    await writeFile(storeFile(), JSON.stringify({ ...file, drafts: [older] }));
    const reopened = await openStore();
    expect(await reopened.getDraft(created.id)).toEqual({ ...older, revokeSkuIds: [] });
  });

  it('hands a draft to exactly one of concurrent takers, and only to its owner', async () => {
    const store = await openStore();
    const draft = await store.createDraft(draftInput({ ownerId: 'U1', selectedUserIds: ['u1'] }));
    expect(await store.takeDraft(draft.id, 'U_OTHER')).toBeNull();
    expect(await store.getDraft(draft.id)).not.toBeNull();

    const taken = await Promise.all([store.takeDraft(draft.id, 'U1'), store.takeDraft(draft.id, 'U1')]);
    expect(taken.filter((d) => d !== null)).toEqual([draft]);
    expect(await store.getDraft(draft.id)).toBeNull();
    expect(await store.takeDraft('drf_missing', 'U1')).toBeNull();
  });

  it('puts a taken draft back with a fresh expiry', async () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const store = await openStore({ now: () => now, draftTtlMinutes: 10 });
    const draft = await store.createDraft(draftInput({ selectedUserIds: ['u1'] }));
    now = new Date('2025-01-01T00:09:00Z');
    const taken = await store.takeDraft(draft.id, 'U1');
    expect(taken).toEqual(draft);
    assert.exists(taken);
    const restored = await store.restoreDraft(taken);
    expect(restored).toEqual({ ...draft, expiresAt: '2025-01-01T00:19:00.000Z' });
    now = new Date('2025-01-01T00:15:00Z');
    expect(await store.getDraft(draft.id)).toEqual(restored);
    now = new Date('2025-01-01T00:20:00Z');
    expect(await store.takeDraft(draft.id, 'U1')).toBeNull();
  });

  it('lists requests and approvals most recent first, filtered', async () => {
    const store = await openStore();
    await store.saveRequest(makeChangeRequest({ id: 'r1', createdAt: '2025-01-01T00:00:00Z' }));
    await store.saveRequest(
      makeChangeRequest({ id: 'r2', createdAt: '2025-01-02T00:00:00Z', requestedBy: 'U9' }),
    );
    await store.saveRequest(
      makeChangeRequest({ id: 'r3', createdAt: '2025-01-03T00:00:00Z', status: 'completed' }),
    );
    const all = await store.listRequests({ limit: 10 });
    expect(all.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect((await store.listRequests({ requestedBy: 'U9', limit: 10 })).map((r) => r.id)).toEqual(['r2']);
    expect((await store.listRequests({ status: ['approved'], limit: 1 })).map((r) => r.id)).toEqual(['r2']);
    await store.saveApproval(makeApproval({ requestId: 'r1', createdAt: '2025-01-01T00:00:00Z' }));
    await store.saveApproval(
      makeApproval({ requestId: 'r2', createdAt: '2025-01-02T00:00:00Z', status: 'approved' }),
    );
    expect((await store.listApprovals({ status: ['pending'], limit: 10 })).map((a) => a.requestId)).toEqual([
      'r1',
    ]);
  });

  it('refuses to record results for an unknown request', async () => {
    const store = await openStore();
    await expect(store.recordResults('nope', [makeResult()])).rejects.toBeInstanceOf(StoreError);
  });
});
