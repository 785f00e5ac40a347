/** Contract: approvals, audit rows, hostile ids and invalid values, on any Store. */
import { expect, it } from 'vitest';
import type { Approval, Store } from '../../../src/store/store.js';
import { makeApproval, makeChangeRequest, makeResult } from '../../support/licensing-factories.js';
import type { StoreFactory } from './store-factory.js';

const HOSTILE = [
  'constructor',
  '__proto__',
  'toString',
  "x' OR 1=1",
  "x'); DROP TABLE requests; --",
  'a\\b"c',
];

/** Every lookup of `id` on a store that holds nothing under it answers null (or nothing), and no result can be recorded under it. */
export async function expectNothingUnder(store: Store, id: string): Promise<void> {
  expect(await store.getDraft(id)).toBeNull();
  expect(await store.updateDraft(id, (d) => d)).toBeNull();
  expect(await store.takeDraft(id, 'U1')).toBeNull();
  expect(await store.getRequest(id)).toBeNull();
  expect(await store.findRequestByDraft(id)).toBeNull();
  expect(await store.transitionRequest(id, ['approved'], 'running')).toBeNull();
  expect(await store.getApproval(id)).toBeNull();
  expect(await store.decideApproval(id, ['pending'], { status: 'approved' })).toBeNull();
  await expect(store.recordResults(id, [makeResult()])).rejects.toMatchObject({ code: 'invalid_value' });
  expect(await store.listAudit({ requestId: id, limit: 10 })).toEqual([]);
}

export function approvalsAuditContract(stores: StoreFactory): void {
  it('saves, replaces, reads and lists approvals most recent first, filtered by status', async () => {
    const store = await stores.open();
    await store.saveApproval(makeApproval({ requestId: 'r1', createdAt: '2025-01-01T00:00:00.000Z' }));
    await store.saveApproval(makeApproval({ requestId: 'r2', createdAt: '2025-01-02T00:00:00.000Z' }));
    const r3 = makeApproval({ requestId: 'r3', createdAt: '2025-01-03T00:00:00.000Z', status: 'approved' });
    await store.saveApproval(r3);
    await store.saveApproval({
      ...makeApproval({ requestId: 'r1', createdAt: '2025-01-01T00:00:00.000Z' }),
      reason: 'again',
    });
    expect(await store.getApproval('r3')).toEqual(r3);
    expect((await store.getApproval('r1'))?.reason).toBe('again');
    expect(await store.getApproval('r9')).toBeNull();
    const ids = (list: Approval[]) => list.map((a) => a.requestId);
    expect(ids(await store.listApprovals({ limit: 10 }))).toEqual(['r3', 'r2', 'r1']);
    expect(ids(await store.listApprovals({ status: ['pending'], limit: 10 }))).toEqual(['r2', 'r1']);
    expect(ids(await store.listApprovals({ status: ['pending'], limit: 1 }))).toEqual(['r2']);
  });

  it('decides an approval once across two replicas, and removes an optional field patched as undefined', async () => {
    const [a, b] = await stores.replicas();
    await a.saveApproval(makeApproval({ requestId: 'req_d', decisionReason: 'draft note' }));
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).decideApproval('req_d', ['pending'], {
          status: i % 3 === 0 ? 'approved' : 'rejected',
          decidedBy: `U${i}`,
          decisionReason: undefined,
        }),
      ),
    );
    const winners = outcomes.filter((o) => o !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.decisionReason).toBeUndefined();
    expect(await b.getApproval('req_d')).toEqual(winners[0]);
    expect(await a.decideApproval('req_d', ['pending'], { status: 'expired' })).toBeNull();
    expect(await a.decideApproval('req_none', ['pending'], { status: 'expired' })).toBeNull();
  });

  it('refuses an invalid approval or decision and keeps what was there', async () => {
    const store = await stores.open();
    const approval = makeApproval({ requestId: 'req_i' });
    await store.saveApproval(approval);
    await expect(
      store.saveApproval({ ...approval, status: 'maybe' } as unknown as Approval),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    await expect(
      store.decideApproval('req_i', ['pending'], { status: 'approved', decidedAt: 7 as unknown as string }),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    expect(await store.getApproval('req_i')).toEqual(approval);
  });

  it('appends audit rows and lists them newest first, by request, with a limit; refuses one without an actor', async () => {
    const store = await stores.open();
    await store.appendAudit({
      actor: 'U1',
      action: 'submitted',
      requestId: 'r1',
      at: '2025-01-01T00:00:00.000Z',
    });
    await store.appendAudit({
      actor: 'U2',
      action: 'approved',
      requestId: 'r1',
      details: { n: 1, nested: { ok: true } },
    });
    await store.appendAudit({ actor: 'system', action: 'swept' });
    await expect(store.appendAudit({ actor: '', action: 'nobody' })).rejects.toMatchObject({
      code: 'invalid_value',
    });
    await store.flush();
    expect((await store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual([
      'swept',
      'approved',
      'submitted',
    ]);
    const ofR1 = await store.listAudit({ requestId: 'r1', limit: 1 });
    expect(ofR1).toMatchObject([
      { actor: 'U2', action: 'approved', details: { n: 1, nested: { ok: true } } },
    ]);
    expect(ofR1[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await store.listAudit({ requestId: 'r2', limit: 10 })).toEqual([]);
  });

  it('is writable once open, and refuses every call once closed', async () => {
    const store = await stores.open();
    expect(store.health()).toMatchObject({ writable: true, since: expect.stringMatching(/^\d{4}-/) });
    await store.saveRequest(makeChangeRequest({ id: 'req_closing' }));
    await store.close();
    await expect(store.getRequest('req_closing')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(store.createDraft({ ownerId: 'U1', channelId: 'C1' })).rejects.toMatchObject({
      code: 'store_closed',
    });
  });

  it.each(HOSTILE)('%s as an id: lookups answer null, and records under it round-trip', async (id) => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_real', draftId: 'drf_real' }));
    await expectNothingUnder(store, id);
    expect(await store.getPriorState(id)).toEqual([]);
    expect(await store.listRequests({ requestedBy: id, limit: 10 })).toEqual([]);

    await store.saveRequest(makeChangeRequest({ id, draftId: id, requestedBy: id, status: 'running' }));
    await store.recordResults(id, [makeResult({ userId: id })]);
    await store.recordPriorState(id, [{ userId: id, licenses: [] }]);
    await store.saveApproval(makeApproval({ requestId: id }));
    await store.appendAudit({ actor: id, action: 'submitted', requestId: id });
    const draft = await store.createDraft({ ownerId: id, channelId: 'C1' });
    expect(await store.getRequest(id)).toMatchObject({
      id,
      results: { [`${id}|sku-1|assign`]: { userId: id } },
    });
    expect((await store.findRequestByDraft(id))?.id).toBe(id);
    expect(await store.getPriorState(id)).toEqual([{ userId: id, licenses: [] }]);
    expect((await store.listRequests({ requestedBy: id, limit: 10 })).map((r) => r.id)).toEqual([id]);
    expect((await store.getApproval(id))?.requestId).toBe(id);
    expect((await store.listAudit({ requestId: id, limit: 10 }))[0]?.actor).toBe(id);
    expect((await store.takeDraft(draft.id, id))?.ownerId).toBe(id);
    expect((await store.listRequests({ limit: 10 })).map((r) => r.id).sort()).toEqual(
      [id, 'req_real'].sort(),
    );
  });
}
