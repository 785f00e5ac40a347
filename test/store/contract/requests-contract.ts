/** Contract: requests (save, read, list, transition, results), on any Store. */
import { assert, expect, it } from 'vitest';
import { makeChangeRequest, makeResult } from '../../support/licensing-factories.js';
import type { StoreFactory } from './store-factory.js';

export function requestsContract(stores: StoreFactory): void {
  it('saves a request with its items and results and reads it back whole', async () => {
    const store = await stores.open();
    const request = makeChangeRequest({
      id: 'req_a',
      reason: 'Leavers',
      items: [
        {
          userId: 'u1',
          displayName: 'Ann',
          email: 'ann@example.com',
          change: { assign: [{ skuId: 's1', disabledPlans: ['p1'] }], revoke: ['s2'] },
          noops: [{ skuId: 's2', op: 'revoke' }],
          planChanges: ['s1'],
        },
      ],
      results: { 'u1|s1|assign': makeResult({ userId: 'u1', skuId: 's1' }) },
    });
    await store.saveRequest(request);
    expect(await store.getRequest('req_a')).toEqual(request);
    expect(await store.getRequest('req_missing')).toBeNull();
  });

  it('refuses to save a request id twice, and keeps the first', async () => {
    const [a, b] = await stores.replicas();
    const first = makeChangeRequest({ id: 'req_twice', customerName: 'First' });
    const outcomes = await Promise.allSettled([
      a.saveRequest(first),
      b.saveRequest({ ...first, customerName: 'Second' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'invalid_value' });
    await expect(a.saveRequest(first)).rejects.toMatchObject({ code: 'invalid_value' });
    expect((await b.listRequests({ limit: 10 })).map((r) => r.id)).toEqual(['req_twice']);
  });

  it('finds the request submitted from a draft', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_d', draftId: 'drf_1' }));
    expect((await store.findRequestByDraft('drf_1'))?.id).toBe('req_d');
    expect(await store.findRequestByDraft('drf_2')).toBeNull();
  });

  it('keeps a follow-up with the request it was made from, in its header too; a draft keeps what it follows up', async () => {
    const store = await stores.open();
    const followUpOf = {
      kind: 'retry' as const,
      requestId: 'req_orig',
      summaryLink: 'https://x.slack.com/archives/C1/p1',
    };
    await store.saveRequest(makeChangeRequest({ id: 'req_retry', followUpOf }));
    expect((await store.getRequest('req_retry'))?.followUpOf).toEqual(followUpOf);
    const [header] = await store.listRequestHeaders({ limit: 10 });
    expect(header?.followUpOf).toEqual(followUpOf);
    const draft = await store.createDraft({
      ownerId: 'U1',
      channelId: 'C1',
      followUp: { kind: 'retry', requestId: 'req_orig' },
    });
    expect((await store.takeDraft(draft.id, 'U1'))?.followUp).toEqual({
      kind: 'retry',
      requestId: 'req_orig',
    });
  });

  it('lists most recent first, filtered by operator, customer, status and time, with a limit', async () => {
    const store = await stores.open();
    const at = (day: number) => `2025-01-0${day}T00:00:00.000Z`;
    await store.saveRequest(makeChangeRequest({ id: 'r1', createdAt: at(1) }));
    await store.saveRequest(makeChangeRequest({ id: 'r4', createdAt: at(4), customerId: 'cust-2' }));
    await store.saveRequest(makeChangeRequest({ id: 'r2', createdAt: at(2), requestedBy: 'U9' }));
    await store.saveRequest(makeChangeRequest({ id: 'r3', createdAt: at(3), status: 'completed' }));
    await store.recordResults('r2', [makeResult({ userId: 'u1' })]);
    const ids = (list: { id: string }[]) => list.map((r) => r.id);
    expect(ids(await store.listRequests({ limit: 10 }))).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(ids(await store.listRequests({ limit: 2 }))).toEqual(['r4', 'r3']);
    expect(ids(await store.listRequests({ requestedBy: 'U9', limit: 10 }))).toEqual(['r2']);
    expect(ids(await store.listRequests({ customerId: 'cust-2', limit: 10 }))).toEqual(['r4']);
    expect(ids(await store.listRequests({ status: ['approved'], limit: 2 }))).toEqual(['r4', 'r2']);
    expect(ids(await store.listRequests({ status: ['completed', 'running'], limit: 9 }))).toEqual(['r3']);
    expect(ids(await store.listRequests({ createdSince: at(3), limit: 10 }))).toEqual(['r4', 'r3']);
    expect(ids(await store.listRequests({ customerId: 'cust-1', createdSince: at(2), limit: 10 }))).toEqual([
      'r3',
      'r2',
    ]);
    expect((await store.listRequests({ requestedBy: 'U9', limit: 1 }))[0]?.results).toMatchObject({
      'u1|sku-1|assign': { userId: 'u1' },
    });
    const headers = await store.listRequestHeaders({ status: ['approved'], limit: 10 });
    expect(ids(headers)).toEqual(['r4', 'r2', 'r1']);
    expect(headers[0]).not.toHaveProperty('items');
    expect(headers[0]).not.toHaveProperty('results');
  });

  it('moves a request only from an expected status, with a patch, once across two replicas', async () => {
    const [a, b] = await stores.replicas();
    await a.saveRequest(makeChangeRequest({ id: 'req_cas', status: 'pending_approval', reason: 'why' }));
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).transitionRequest(
          'req_cas',
          ['pending_approval'],
          i % 3 === 0 ? 'approved' : 'rejected',
        ),
      ),
    );
    const winners = outcomes.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await b.getRequest('req_cas'))?.status).toBe(winners[0]?.status);
    expect(await a.transitionRequest('req_cas', ['pending_approval'], 'expired')).toBeNull();
    expect(await a.transitionRequest('missing', ['approved'], 'running')).toBeNull();
  });

  it('applies a transition patch: fields set, an undefined optional field removed, id and items kept', async () => {
    const store = await stores.open();
    const request = makeChangeRequest({ id: 'req_p', reason: 'why', items: [] });
    await store.saveRequest(request);
    await store.recordResults('req_p', [makeResult()]);
    const running = await store.transitionRequest('req_p', ['approved'], 'running', {
      startedAt: '2025-01-01T00:00:00.000Z',
      reason: undefined,
      ...({ id: 'req_other', items: [{}] } as object),
    });
    expect(running).toMatchObject({ id: 'req_p', status: 'running', startedAt: '2025-01-01T00:00:00.000Z' });
    expect(running?.reason).toBeUndefined();
    expect(running?.results).toEqual({ 'user-1|sku-1|assign': makeResult() });
    expect(await store.getRequest('req_p')).toEqual(running);
    expect(await store.getRequest('req_other')).toBeNull();
  });

  it('refuses an invalid transition patch and keeps the request as it was', async () => {
    const store = await stores.open();
    const request = makeChangeRequest({ id: 'req_bad', status: 'pending_approval' });
    await store.saveRequest(request);
    for (const patch of [{ customerId: undefined }, { revocations: -1 }, { startedAt: 42 }]) {
      await expect(
        store.transitionRequest('req_bad', ['pending_approval'], 'approved', patch as object),
      ).rejects.toMatchObject({ code: 'invalid_value' });
    }
    await expect(
      store.transitionRequest('req_bad', ['pending_approval'], 'half-done' as unknown as 'approved'),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    expect(await store.getRequest('req_bad')).toEqual(request);
  });

  it('records results as they land: a result for a part that has one replaces it', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_r', status: 'running' }));
    const failed = makeResult({ userId: 'u1', outcome: 'failed', reason: 'throttled' });
    await store.recordResults('req_r', [failed, makeResult({ userId: 'u2' })]);
    await store.recordResults('req_r', [
      makeResult({ userId: 'u1' }),
      makeResult({ userId: 'u1', op: 'revoke' }),
    ]);
    await store.recordResults('req_r', []);
    await store.flush();
    const results = (await store.getRequest('req_r'))?.results ?? {};
    expect(Object.keys(results).sort()).toEqual(['u1|sku-1|assign', 'u1|sku-1|revoke', 'u2|sku-1|assign']);
    expect(results['u1|sku-1|assign']).toEqual(makeResult({ userId: 'u1' }));
  });

  it('keeps every result recorded concurrently from two replicas', async () => {
    const [a, b] = await stores.replicas();
    await a.saveRequest(makeChangeRequest({ id: 'req_many', status: 'running' }));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).recordResults('req_many', [makeResult({ userId: `u${i}` })]),
      ),
    );
    await Promise.all([a.flush(), b.flush()]);
    expect(Object.keys((await a.getRequest('req_many'))?.results ?? {})).toHaveLength(40);
  });

  it('refuses results for an unknown request, or invalid ones, and stores none of them', async () => {
    const store = await stores.open();
    await expect(store.recordResults('nope', [makeResult()])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    await expect(store.recordResults('nope', [])).rejects.toMatchObject({ code: 'invalid_value' });
    await store.saveRequest(makeChangeRequest({ id: 'req_v', status: 'running' }));
    const bad = { ...makeResult({ userId: 'u2' }), outcome: 'maybe' } as unknown as ReturnType<
      typeof makeResult
    >;
    await expect(store.recordResults('req_v', [makeResult({ userId: 'u1' }), bad])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    expect((await store.getRequest('req_v'))?.results).toEqual({});
  });

  it('refuses an invalid request and stores nothing', async () => {
    const store = await stores.open();
    const bad = { ...makeChangeRequest({ id: 'req_inv' }), status: 'half-done' } as unknown as Parameters<
      typeof store.saveRequest
    >[0];
    await expect(store.saveRequest(bad)).rejects.toMatchObject({ code: 'invalid_value' });
    expect(await store.getRequest('req_inv')).toBeNull();
  });

  it('returns copies: changing a returned request does not change the store', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_copy' }));
    const read = await store.getRequest('req_copy');
    assert.exists(read);
    read.status = 'completed';
    expect((await store.getRequest('req_copy'))?.status).toBe('approved');
  });
}
