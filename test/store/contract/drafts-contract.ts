/** Contract: drafts (create, read, update, take, restore, expiry), on any Store. */
import { assert, expect, it } from 'vitest';
import { clock, type StoreFactory } from './store-factory.js';

export function draftsContract(stores: StoreFactory): void {
  it('creates a draft with defaults, reads it back, and answers null for unknown ids', async () => {
    const store = await stores.open();
    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: ['u1'] });
    expect(draft).toMatchObject({
      ownerId: 'U1',
      channelId: 'C1',
      customerId: null,
      page: 0,
      revokeSkuIds: [],
    });
    expect(draft.id).toMatch(/^drf_/);
    expect(await store.getDraft(draft.id)).toEqual(draft);
    expect(await store.getDraft('drf_missing')).toBeNull();
  });

  it('updates a draft atomically, keeps its id, owner and creation time, and extends its life', async () => {
    const time = clock('2025-01-01T00:00:00Z');
    const store = await stores.open({ now: time.now, draftTtlMinutes: 10 });
    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', customerId: 'cust-1' });
    time.set('2025-01-01T00:09:00Z');
    const updated = await store.updateDraft(draft.id, (d) => ({
      ...d,
      id: 'drf_other',
      ownerId: 'U_OTHER',
      createdAt: 'later',
      selectedUserIds: [...d.selectedUserIds, 'u9'],
    }));
    expect(updated).toEqual({
      ...draft,
      selectedUserIds: ['u9'],
      expiresAt: '2025-01-01T00:19:00.000Z',
    });
    expect(await store.getDraft(draft.id)).toEqual(updated);
    expect(await store.getDraft('drf_other')).toBeNull();
    expect(await store.updateDraft('drf_missing', (d) => d)).toBeNull();
  });

  it('applies concurrent updates of one draft one after another: none is lost', async () => {
    const [a, b] = await stores.replicas();
    const draft = await a.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).updateDraft(draft.id, (d) => ({
          ...d,
          selectedUserIds: [...d.selectedUserIds, `u${i}`],
        })),
      ),
    );
    expect((await a.getDraft(draft.id))?.selectedUserIds.sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `u${i}`).sort(),
    );
  });

  it('hides an expired draft from every method; a first-step draft lives shorter', async () => {
    const time = clock('2025-01-01T00:00:00Z');
    const store = await stores.open({ now: time.now, draftTtlMinutes: 120 });
    const firstStep = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    const chosen = await store.createDraft({ ownerId: 'U1', channelId: 'C1', customerId: 'cust-1' });
    expect(firstStep.expiresAt).toBe('2025-01-01T01:00:00.000Z');
    expect(chosen.expiresAt).toBe('2025-01-01T02:00:00.000Z');
    time.set('2025-01-01T01:00:00Z');
    expect(await store.getDraft(firstStep.id)).toBeNull();
    expect(await store.updateDraft(firstStep.id, (d) => d)).toBeNull();
    expect(await store.takeDraft(firstStep.id, 'U1')).toBeNull();
    expect(await store.getDraft(chosen.id)).toEqual(chosen);
  });

  it('hands a draft to exactly one of concurrent takers on two replicas, and only to its owner', async () => {
    const [a, b] = await stores.replicas();
    const draft = await a.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: ['u1'] });
    expect(await b.takeDraft(draft.id, 'U_OTHER')).toBeNull();
    expect(await b.getDraft(draft.id)).toEqual(draft);
    const taken = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).takeDraft(draft.id, 'U1')),
    );
    expect(taken.filter((d) => d !== null)).toEqual([draft]);
    expect(await a.getDraft(draft.id)).toBeNull();
    expect(await b.getDraft(draft.id)).toBeNull();
  });

  it('puts a taken draft back with a fresh expiry', async () => {
    const time = clock('2025-01-01T00:00:00Z');
    const store = await stores.open({ now: time.now, draftTtlMinutes: 10 });
    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', customerId: 'c' });
    time.set('2025-01-01T00:09:00Z');
    const taken = await store.takeDraft(draft.id, 'U1');
    assert.exists(taken);
    const restored = await store.restoreDraft(taken);
    expect(restored).toEqual({ ...draft, expiresAt: '2025-01-01T00:19:00.000Z' });
    time.set('2025-01-01T00:15:00Z');
    expect(await store.getDraft(draft.id)).toEqual(restored);
    time.set('2025-01-01T00:20:00Z');
    expect(await store.takeDraft(draft.id, 'U1')).toBeNull();
  });

  it('refuses an invalid draft on create, update and restore, passes on what a change throws, and keeps the draft', async () => {
    const store = await stores.open();
    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: ['u1'] });
    await expect(
      store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: [42 as unknown as string] }),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    await expect(store.updateDraft(draft.id, (d) => ({ ...d, page: -1 }))).rejects.toMatchObject({
      code: 'invalid_value',
    });
    await expect(
      store.restoreDraft({ ...draft, disabledPlansBySku: { sku: 'x' as unknown as string[] } }),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    const bug = new Error('the change failed');
    await expect(
      store.updateDraft(draft.id, () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(store.health().writable).toBe(true);
    expect(await store.getDraft(draft.id)).toEqual(draft);
  });

  it('returns copies: changing a returned draft does not change the store', async () => {
    const store = await stores.open();
    const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    const read = await store.getDraft(draft.id);
    assert.exists(read);
    read.selectedUserIds.push('u-sneaky');
    expect((await store.getDraft(draft.id))?.selectedUserIds).toEqual([]);
  });
}
