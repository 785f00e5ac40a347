/**
 * Retention with an injected clock: finished requests, expired drafts and audit rows older than
 * the retention go to DATA_DIR/archive as JSON Lines, synced before the main file forgets them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { readJsonLines } from '../../src/persistence/append-log.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { FailingFs } from '../persistence/failing-fs.js';
import { makeApproval, makeLicense } from '../support/licensing-factories.js';
import { LinesLogger, largeRequest, useTempStores } from './temp-store.js';

const stores = useTempStores();
const archiveFile = (name: string) => path.join(stores.dir, 'archive', name);
const requestsDir = () => path.join(stores.dir, 'requests');
const mainFile = () => path.join(stores.dir, 'licensedesk.json');

function clock(start: string) {
  let now = new Date(start);
  return {
    now: () => now,
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

const request = (id: string, overrides: Partial<ChangeRequest>) =>
  largeRequest(id, 2, { withResults: true, ...overrides });

describe('archiveOld', () => {
  it('archives finished requests older than the retention, whole, and deletes their files', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const store = await stores.open({ now: time.now, retentionDays: 90 });
    await store.saveRequest(
      request('req_done', {
        status: 'completed',
        createdAt: '2025-01-01T00:00:00Z',
        finishedAt: '2025-01-02T00:00:00Z',
      }),
    );
    await store.saveApproval(makeApproval({ requestId: 'req_done', status: 'approved' }));
    const priorState = [{ userId: 'u1', licenses: [makeLicense('sku-1', { disabledPlans: ['p1'] })] }];
    await store.recordPriorState('req_done', priorState);
    await store.saveRequest(
      request('req_rejected', { status: 'rejected', createdAt: '2025-02-01T00:00:00Z' }),
    );
    await store.saveRequest(request('req_expired', { status: 'expired', createdAt: '2025-02-03T00:00:00Z' }));
    await store.saveRequest(
      request('req_late', {
        status: 'completed',
        createdAt: '2025-01-01T00:00:00Z',
        finishedAt: '2025-05-01T00:00:00Z',
      }),
    );
    await store.saveRequest(request('req_running', { status: 'running', createdAt: '2025-01-01T00:00:00Z' }));
    await store.saveRequest(
      request('req_waiting', { status: 'pending_approval', createdAt: '2025-01-01T00:00:00Z' }),
    );
    const whole = await store.getRequest('req_done');

    expect(await store.archiveOld()).toEqual({ requests: 3, drafts: 0, audit: 0 });
    expect((await store.listRequestHeaders({ limit: 10 })).map((r) => r.id).sort()).toEqual([
      'req_late',
      'req_running',
      'req_waiting',
    ]);
    expect(await store.getApproval('req_done')).toBeNull();
    expect(await readJsonLines(archiveFile('requests-2025-01.jsonl'))).toEqual([
      {
        request: whole,
        approval: makeApproval({ requestId: 'req_done', status: 'approved', createdAt: expect.any(String) }),
        priorState,
      },
    ]);
    const february = (await readJsonLines(archiveFile('requests-2025-02.jsonl'))) as {
      request: ChangeRequest;
    }[];
    expect(february.map((line) => line.request.id)).toEqual(['req_rejected', 'req_expired']);
    expect(february[0]?.request.items).toHaveLength(2);
    expect(Object.keys(february[0]?.request.results ?? {})).toHaveLength(2);
    const files = await readdir(requestsDir());
    expect(files.filter((name) => /req_(done|rejected|expired)/.test(name))).toEqual([]);
    expect(files.some((name) => name.endsWith('.prior.jsonl'))).toBe(false);

    await store.close();
    const reopened = await stores.open({ now: time.now });
    expect((await reopened.listRequestHeaders({ limit: 10 })).map((r) => r.id).sort()).toEqual([
      'req_late',
      'req_running',
      'req_waiting',
    ]);
    expect(await reopened.archiveOld()).toEqual({ requests: 0, drafts: 0, audit: 0 });
  });

  it('archives audit rows older than the retention', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const store = await stores.open({ now: time.now, retentionDays: 30 });
    await store.appendAudit({ actor: 'U1', action: 'old', at: '2025-04-01T00:00:00.000Z' });
    await store.appendAudit({ actor: 'U1', action: 'older', at: '2025-03-15T00:00:00.000Z' });
    await store.appendAudit({ actor: 'U1', action: 'recent' });
    expect(await store.archiveOld()).toEqual({ requests: 0, drafts: 0, audit: 2 });
    expect((await store.listAudit({ limit: 10 })).map((a) => a.action)).toEqual(['recent']);
    expect(await readJsonLines(archiveFile('audit-2025-04.jsonl'))).toMatchObject([{ action: 'old' }]);
    expect(await readJsonLines(archiveFile('audit-2025-03.jsonl'))).toMatchObject([{ action: 'older' }]);
    expect(await readJsonLines(path.join(stores.dir, 'audit.jsonl'))).toMatchObject([{ action: 'recent' }]);
    await store.close();
    expect(
      (await (await stores.open({ now: time.now })).listAudit({ limit: 10 })).map((a) => a.action),
    ).toEqual(['recent']);
  });

  it('rewrites the audit file without the archived rows, keeping rows appended meanwhile and those to come', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const fs = new FailingFs();
    const store = await stores.open({ now: time.now, retentionDays: 30, fs });
    await store.appendAudit({ actor: 'U1', action: 'old', at: '2025-04-01T00:00:00.000Z' });
    await store.appendAudit({ actor: 'U1', action: 'kept' });
    await store.flush();
    // The rewrite fails at first (a full disk): the rows stay out of memory and the rewrite is retried.
    fs.failure = 'ENOSPC';
    fs.only = (file) => path.basename(file).startsWith('.audit.jsonl');
    await expect(store.archiveOld()).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.appendAudit({ actor: 'U1', action: 'during' });
    fs.failure = null;
    await expect.poll(() => store.health().writable).toBe(true);
    await store.appendAudit({ actor: 'U1', action: 'after' });
    await store.flush();
    const actions = ['kept', 'during', 'after'];
    expect(
      (await readJsonLines(path.join(stores.dir, 'audit.jsonl'))).map(
        (a) => (a as { action: string }).action,
      ),
    ).toEqual(actions);
    expect(await readJsonLines(archiveFile('audit-2025-04.jsonl'))).toMatchObject([{ action: 'old' }]);
    await store.close();
    const reopened = await stores.open({ now: time.now });
    expect((await reopened.listAudit({ limit: 10 })).map((a) => a.action).reverse()).toEqual(actions);
  });

  it('drafts left at the first step expire within the hour, others after two hours, and are archived', async () => {
    const time = clock('2025-06-01T10:00:00Z');
    const store = await stores.open({ now: time.now });
    const firstStep = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    const chosen = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.updateDraft(chosen.id, (d) => ({ ...d, customerId: 'cust-1', customerName: 'Contoso' }));
    expect(firstStep.expiresAt).toBe('2025-06-01T11:00:00.000Z');
    expect((await store.getDraft(chosen.id))?.expiresAt).toBe('2025-06-01T12:00:00.000Z');

    time.set('2025-06-01T11:00:00Z');
    expect(await store.getDraft(firstStep.id)).toBeNull();
    expect(await store.getDraft(chosen.id)).not.toBeNull();
    expect(await store.archiveOld()).toEqual({ requests: 0, drafts: 1, audit: 0 });

    time.set('2025-06-01T12:00:00Z');
    expect(await store.archiveOld()).toEqual({ requests: 0, drafts: 1, audit: 0 });
    const archived = (await readJsonLines(archiveFile('drafts-2025-06.jsonl'))) as { id: string }[];
    expect(archived.map((d) => d.id)).toEqual([firstStep.id, chosen.id]);
    expect(JSON.parse(await readFile(mainFile(), 'utf8')).drafts).toEqual([]);
  });

  it('takes the first-step lifetime as an option', async () => {
    const time = clock('2025-06-01T10:00:00Z');
    const store = await stores.open({ now: time.now, firstStepDraftTtlMinutes: 15, draftTtlMinutes: 240 });
    expect((await store.createDraft({ ownerId: 'U1', channelId: 'C1' })).expiresAt).toBe(
      '2025-06-01T10:15:00.000Z',
    );
    expect(
      (await store.createDraft({ ownerId: 'U1', channelId: 'C1', customerId: 'cust-1' })).expiresAt,
    ).toBe('2025-06-01T14:00:00.000Z');
  });

  it('when the archive cannot be written, keeps everything in the store and rejects', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const fs = new FailingFs();
    const store = await stores.open({ now: time.now, fs });
    await store.saveRequest(request('req_old', { status: 'completed', createdAt: '2025-01-01T00:00:00Z' }));
    fs.failure = 'ENOSPC';
    fs.only = (file) => file.includes(`${path.sep}archive${path.sep}`);
    await expect(store.archiveOld()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await store.getRequest('req_old'))?.items).toHaveLength(2);
    expect(JSON.parse(await readFile(mainFile(), 'utf8')).requests).toHaveLength(1);

    fs.failure = null;
    await expect.poll(() => store.health().writable).toBe(true);
    expect(await store.archiveOld()).toMatchObject({ requests: 1 });
    // The failed attempt was cut back: the request is in the archive once.
    expect(await readJsonLines(archiveFile('requests-2025-01.jsonl'))).toHaveLength(1);
  });

  it('a stop between the archive and the main file leaves a duplicate in the archive, never a loss', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const fs = new FailingFs();
    const store = await stores.open({ now: time.now, fs });
    await store.saveRequest(request('req_old', { status: 'completed', createdAt: '2025-01-01T00:00:00Z' }));
    fs.failure = 'ENOSPC';
    fs.only = (file) => path.basename(file).startsWith('.licensedesk.json');
    await expect(store.archiveOld()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await readJsonLines(archiveFile('requests-2025-01.jsonl'))).toHaveLength(1);

    // What the disk holds now, as the next start would read it: the request is still there.
    const next = await stores.open({ now: time.now });
    expect((await next.getRequest('req_old'))?.items).toHaveLength(2);
    expect(await next.archiveOld()).toMatchObject({ requests: 1 });
    expect(await readJsonLines(archiveFile('requests-2025-01.jsonl'))).toHaveLength(2);
  });

  it('on a new store with nothing to archive, archives nothing and logs nothing', async () => {
    const logger = new LinesLogger();
    const store = await stores.open({ logger });
    expect(await store.archiveOld()).toEqual({ requests: 0, drafts: 0, audit: 0 });
    expect(logger.lines).toEqual([]);
  });

  it('refuses at once while the store cannot write', async () => {
    const fs = new FailingFs();
    const store = await stores.open({ fs });
    fs.failure = 'EROFS';
    await store.appendAudit({ actor: 'U1', action: 'x' });
    await expect.poll(() => store.health().writable).toBe(false);
    await expect(store.archiveOld()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('cuts a torn last line off an archive file before appending', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const store = await stores.open({ now: time.now, retentionDays: 1 });
    await mkdir(path.join(stores.dir, 'archive'), { recursive: true });
    await writeFile(archiveFile('audit-2025-05.jsonl'), '{"action":"whole"}\n{"action":"to');
    await store.appendAudit({ actor: 'U1', action: 'new', at: '2025-05-01T00:00:00.000Z' });
    await store.archiveOld();
    expect(await readJsonLines(archiveFile('audit-2025-05.jsonl'))).toMatchObject([
      { action: 'whole' },
      { action: 'new' },
    ]);
  });
});
