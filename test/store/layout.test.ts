/**
 * Layout 2: a small main file whose size and write time do not depend on what requests hold,
 * request items and results in their own files, and layout-1 files migrated when opened.
 */
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultKey } from '../../src/licensing/result-key.js';
import { readJsonLines } from '../../src/persistence/append-log.js';
import { StoreError } from '../../src/store/store.js';
import { FailingFs } from '../persistence/failing-fs.js';
import { makeApproval, makeChangeRequest, makeResult } from '../support/licensing-factories.js';
import { LinesLogger, largeRequest, useTempStores } from './temp-store.js';

const stores = useTempStores();
const mainFile = () => path.join(stores.dir, 'licensedesk.json');
const requestsDir = () => path.join(stores.dir, 'requests');

describe('layout 2', () => {
  it("keeps headers in a compact main file and each request's items and results in its own files", async () => {
    const store = await stores.open();
    const request = largeRequest('req_big', 50);
    await store.saveRequest(request);
    await store.recordResults('req_big', [makeResult({ userId: 'user-0', skuId: 'sku-e3' })]);
    await store.flush();

    const text = await readFile(mainFile(), 'utf8');
    expect(text).not.toContain('\n');
    const main = JSON.parse(text);
    expect(main.version).toBe(2);
    expect(main.requests).toHaveLength(1);
    expect(main.requests[0]).not.toHaveProperty('items');
    expect(main.requests[0]).not.toHaveProperty('results');
    expect(text).not.toContain('user-0');

    const body = JSON.parse(await readFile(path.join(requestsDir(), 'req_big.json'), 'utf8'));
    expect(body).toEqual({ id: 'req_big', items: request.items });
    expect(await readJsonLines(path.join(requestsDir(), 'req_big.results.jsonl'))).toMatchObject([
      { userId: 'user-0', outcome: 'success' },
    ]);
  });

  it("the main file's size does not grow with what requests hold", async () => {
    const small = await stores.open();
    for (let i = 0; i < 10; i++) {
      await small.saveRequest(largeRequest(`req_${i}`, 1, { status: 'completed', withResults: true }));
    }
    await small.close();
    const smallSize = (await stat(mainFile())).size;
    await rm(stores.dir, { recursive: true });

    const large = await stores.open();
    for (let i = 0; i < 10; i++) {
      await large.saveRequest(largeRequest(`req_${i}`, 1000, { status: 'completed', withResults: true }));
    }
    await large.close();
    expect((await stat(mainFile())).size).toBe(smallSize);
  });

  it('appends audit rows to audit.jsonl, out of the main file', async () => {
    const store = await stores.open();
    await store.appendAudit({ actor: 'U1', action: 'first' });
    await store.flush();
    const auditFile = path.join(stores.dir, 'audit.jsonl');
    const { ino } = await stat(auditFile);
    await store.appendAudit({ actor: 'U1', action: 'second', details: { n: 2 } });
    await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.flush();
    expect(await readJsonLines(auditFile)).toMatchObject([
      { action: 'first' },
      { action: 'second', details: { n: 2 } },
    ]);
    // Appended in place, not rewritten.
    expect((await stat(auditFile)).ino).toBe(ino);
    expect(JSON.parse(await readFile(mainFile(), 'utf8'))).not.toHaveProperty('audit');
    await store.close();
    expect((await (await stores.open()).listAudit({ limit: 10 })).map((a) => a.action)).toEqual([
      'second',
      'first',
    ]);
  });

  it('refuses to open when the audit file holds a row that does not parse, naming it', async () => {
    await (await stores.open()).close();
    await writeFile(path.join(stores.dir, 'audit.jsonl'), '{"at":"x","action":"no actor"}\n');
    await expect(stores.open()).rejects.toThrow(/audit\.jsonl/);
  });

  it('lists headers without reading request files, and reads finished requests only when asked', async () => {
    const store = await stores.open();
    await store.saveRequest(largeRequest('req_done', 3, { status: 'completed', withResults: true }));
    await store.saveRequest(
      largeRequest('req_open', 3, { status: 'running', createdAt: '2025-01-02T00:00:00Z' }),
    );
    await store.close();
    // A finished request's items are not read at open: without its file, only reading it fails.
    await rm(path.join(requestsDir(), 'req_done.json'));

    const reopened = await stores.open();
    const headers = await reopened.listRequestHeaders({ limit: 10 });
    expect(headers.map((h) => h.id)).toEqual(['req_open', 'req_done']);
    expect(headers[0]).not.toHaveProperty('items');
    expect(headers[0]).not.toHaveProperty('results');
    expect((await reopened.getRequest('req_open'))?.items).toHaveLength(3);
    await expect(reopened.getRequest('req_done')).rejects.toBeInstanceOf(StoreError);
  });

  it('returns whole requests from listRequests, finished ones read back from their files', async () => {
    const store = await stores.open();
    await store.saveRequest(largeRequest('req_done', 5, { status: 'completed', withResults: true }));
    await store.close();
    const reopened = await stores.open();
    const [request] = await reopened.listRequests({ limit: 10 });
    expect(request?.items).toHaveLength(5);
    expect(Object.keys(request?.results ?? {})).toHaveLength(5);
  });

  it('keeps only a few finished requests in memory once read', async () => {
    const store = await stores.open({ finishedRequestCacheSize: 2 });
    for (const id of ['req_1', 'req_2', 'req_3']) {
      await store.saveRequest(largeRequest(id, 2, { status: 'completed' }));
    }
    // Read in order: req_1 leaves the cache, so a change to its file on disk shows at the next read.
    for (const id of ['req_1', 'req_2', 'req_3']) await store.getRequest(id);
    const file = path.join(requestsDir(), 'req_1.json');
    const body = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...body, items: body.items.slice(0, 1) }));
    await writeFile(path.join(requestsDir(), 'req_3.json'), JSON.stringify({ id: 'req_3', items: [] }));
    expect((await store.getRequest('req_1'))?.items).toHaveLength(1);
    expect((await store.getRequest('req_3'))?.items).toHaveLength(2);
  });

  it('a finished request leaves memory only after its results are on disk', async () => {
    const store = await stores.open({ finishedRequestCacheSize: 0, writeDelayMs: 60_000 });
    await store.saveRequest(makeChangeRequest({ id: 'req_run', status: 'running' }));
    await store.recordResults('req_run', [makeResult({ userId: 'u1' })]);
    await store.transitionRequest('req_run', ['running'], 'completed');
    expect(Object.keys((await store.getRequest('req_run'))?.results ?? {})).toEqual(['u1|sku-1|assign']);
    await store.flush();
    expect(Object.keys((await store.getRequest('req_run'))?.results ?? {})).toEqual(['u1|sku-1|assign']);
  });

  it('removes files no request owns at open (items of a save whose commit failed, temporary files)', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_kept' }));
    await store.close();
    const old = new Date(Date.now() - 3_600_000);
    for (const [name, content] of [
      ['req_refused.json', '{"id":"req_refused","items":[]}'],
      ['.req_x.json.1.0.tmp', 'partial'],
      ['req_young.json', '{"id":"req_young","items":[]}'],
    ] as const) {
      await writeFile(path.join(requestsDir(), name), content);
      if (name !== 'req_young.json') await utimes(path.join(requestsDir(), name), old, old);
    }
    const logger = new LinesLogger();
    const reopened = await stores.open({ logger });
    // A young one may be a request another process is saving right now: it stays for a later start.
    expect((await readdir(requestsDir())).sort()).toEqual(['req_kept.json', 'req_young.json']);
    expect(logger.at('info').join('\n')).toContain('removed 2 file(s)');
    expect(await reopened.getRequest('req_kept')).not.toBeNull();
  });

  it('refuses a request id that exists already, keeping the first', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_once', customerName: 'First' }));
    await expect(
      store.saveRequest(makeChangeRequest({ id: 'req_once', customerName: 'Second' })),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    expect((await store.getRequest('req_once'))?.customerName).toBe('First');
  });
});

describe('migration from layout 1', () => {
  const v1Request = (id: string, status: 'running' | 'completed') =>
    makeChangeRequest({
      id,
      status,
      items: largeRequest(id, 3).items,
      results: {
        [resultKey('user-0', 'sku-e3', 'assign')]: makeResult({ userId: 'user-0', skuId: 'sku-e3' }),
      },
    });
  const v1File = () => ({
    version: 1,
    drafts: {
      drf_old: {
        id: 'drf_old',
        ownerId: 'U1',
        createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2025-01-01T02:00:00.000Z',
        channelId: 'C1',
      },
    },
    requests: { req_run: v1Request('req_run', 'running'), req_done: v1Request('req_done', 'completed') },
    approvals: { req_run: makeApproval({ requestId: 'req_run' }) },
    audit: [
      { at: '2025-01-01T00:00:00.000Z', actor: 'U1', action: 'submitted', requestId: 'req_run' },
      // What a click without user.id once stored, which made the file unreadable.
      { at: '2025-01-01T00:00:01.000Z', action: 'approve_refused', requestId: 'req_run' },
    ],
  });

  it('moves items and results to request files, writes layout 2, and keeps everything', async () => {
    const v1 = v1File();
    await writeFile(mainFile(), JSON.stringify(v1, null, 2));
    const logger = new LinesLogger();
    const store = await stores.open({ logger, now: () => new Date('2025-01-01T01:00:00Z') });
    expect(logger.at('info').join('\n')).toContain('migrated to layout 2');

    const main = JSON.parse(await readFile(mainFile(), 'utf8'));
    expect(main.version).toBe(2);
    expect(main.requests.map((r: { id: string }) => r.id).sort()).toEqual(['req_done', 'req_run']);
    expect((await readdir(requestsDir())).sort()).toEqual([
      'req_done.json',
      'req_done.results.jsonl',
      'req_run.json',
      'req_run.results.jsonl',
    ]);
    for (const id of ['req_run', 'req_done']) {
      expect(await store.getRequest(id)).toEqual(v1.requests[id as 'req_run']);
    }
    expect(await store.getApproval('req_run')).toEqual(v1.approvals.req_run);
    expect(await store.getDraft('drf_old')).toMatchObject({ id: 'drf_old', selectedUserIds: [] });
    expect((await store.listAudit({ limit: 10 })).map((a) => a.actor)).toEqual(['unknown', 'U1']);
    expect(await readJsonLines(path.join(stores.dir, 'audit.jsonl'))).toHaveLength(2);

    await store.close();
    const again = await stores.open();
    expect((await again.getRequest('req_done'))?.items).toHaveLength(3);
  });

  it('keeps expired drafts of a layout-1 file for the archive instead of dropping them', async () => {
    await writeFile(mainFile(), JSON.stringify(v1File()));
    const store = await stores.open({ now: () => new Date('2025-06-01T00:00:00Z') });
    expect(await store.getDraft('drf_old')).toBeNull();
    expect(await store.archiveOld()).toMatchObject({ drafts: 1 });
  });

  it('a migration that cannot write leaves the layout-1 file as it was, and runs again at the next open', async () => {
    const original = JSON.stringify(v1File());
    await writeFile(mainFile(), original);
    const fs = new FailingFs();
    fs.failure = 'ENOSPC';
    fs.only = (file) => path.basename(file).startsWith('.licensedesk.json');
    await expect(stores.open({ fs })).rejects.toThrow(/migration to layout 2 failed.*ENOSPC/);
    expect(await readFile(mainFile(), 'utf8')).toBe(original);

    const store = await stores.open();
    expect((await store.getRequest('req_run'))?.items).toHaveLength(3);
    expect(JSON.parse(await readFile(mainFile(), 'utf8')).version).toBe(2);
  });
});
