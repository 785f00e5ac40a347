/** Contract: retention (archiveOld) and exclusive(), on any Store. */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { makeApproval, makeChangeRequest, makeResult } from '../../support/licensing-factories.js';
import { clock, type StoreFactory } from './store-factory.js';

export function retentionExclusiveContract(stores: StoreFactory): void {
  it('archives finished requests, expired drafts and audit rows older than the retention, and counts them', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const store = await stores.open({ now: time.now, retentionDays: 90, draftTtlMinutes: 10 });
    const old = { createdAt: '2025-01-01T00:00:00.000Z' };
    await store.saveRequest(
      makeChangeRequest({ id: 'done', status: 'completed', ...old, finishedAt: '2025-01-02T00:00:00.000Z' }),
    );
    await store.recordResults('done', [makeResult()]);
    await store.saveApproval(makeApproval({ requestId: 'done', status: 'approved' }));
    await store.saveRequest(makeChangeRequest({ id: 'rejected', status: 'rejected', ...old }));
    await store.saveRequest(makeChangeRequest({ id: 'expired', status: 'expired', ...old }));
    // Finished recently, running, waiting: they stay.
    await store.saveRequest(
      makeChangeRequest({ id: 'late', status: 'completed', ...old, finishedAt: '2025-05-01T00:00:00.000Z' }),
    );
    await store.saveRequest(makeChangeRequest({ id: 'running', status: 'running', ...old }));
    await store.saveRequest(makeChangeRequest({ id: 'waiting', status: 'pending_approval', ...old }));
    await store.saveApproval(makeApproval({ requestId: 'waiting' }));
    await store.appendAudit({ actor: 'U1', action: 'old', at: '2025-01-01T00:00:00.000Z' });
    await store.appendAudit({ actor: 'U1', action: 'recent', at: '2025-05-30T00:00:00.000Z' });
    const stale = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    time.set('2025-06-01T00:20:00Z');
    const live = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.flush();

    expect(await store.archiveOld()).toEqual({ requests: 3, drafts: 1, audit: 1 });
    const left = (await store.listRequests({ limit: 10 })).map((r) => r.id).sort();
    expect(left).toEqual(['late', 'running', 'waiting']);
    expect(await store.getRequest('done')).toBeNull();
    expect(await store.getApproval('done')).toBeNull();
    expect((await store.getApproval('waiting'))?.status).toBe('pending');
    await expect(store.recordResults('done', [makeResult()])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    expect((await store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(['recent']);
    expect(await store.getDraft(live.id)).toEqual(live);
    expect(await store.takeDraft(stale.id, 'U1')).toBeNull();
    expect(await store.archiveOld()).toEqual({ requests: 0, drafts: 0, audit: 0 });
  });

  it('exclusive runs the work of one key one at a time across two replicas, and other keys freely', async () => {
    const [a, b] = await stores.replicas();
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const work = (who: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      log.push(`${who} in`);
      await sleep(15);
      log.push(`${who} out`);
      inside--;
      return who;
    };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).exclusive('submit|U1|cust-1', work(`w${i}`))),
    );
    expect(results).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
    expect(most).toBe(1);
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]?.replace(' in', ' out'));

    // Two keys overlap: the second starts while the first is still inside.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = a.exclusive('key-1', () => held.then(() => 'first'));
    const second = await b.exclusive('key-2', async () => 'second');
    release();
    expect([await first, second]).toEqual(['first', 'second']);
  });

  it('exclusive passes on what the work throws and lets the next caller in', async () => {
    const [a, b] = await stores.replicas();
    const failing = a.exclusive('k', async () => {
      throw new Error('planning failed');
    });
    const next = b.exclusive('k', async () => 'next');
    await expect(failing).rejects.toThrow('planning failed');
    expect(await next).toBe('next');
  });
}
