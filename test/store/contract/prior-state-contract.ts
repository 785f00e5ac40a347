/** Contract: the state of a request's users before its run (recordPriorState, getPriorState), on any Store. */
import { expect, it } from 'vitest';
import type { PriorState } from '../../../src/licensing/model.js';
import { makeChangeRequest, makeLicense } from '../../support/licensing-factories.js';
import { clock, type StoreFactory } from './store-factory.js';

const state = (userId: string, ...licenses: PriorState['licenses']): PriorState => ({ userId, licenses });
const e3 = (disabledPlans: string[]) => makeLicense('sku-e3', { disabledPlans });

export function priorStateContract(stores: StoreFactory): void {
  it('reads back what was recorded, in the order recorded, and the first record of a user wins', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_p', status: 'running' }));
    expect(await store.getPriorState('req_p')).toEqual([]);
    const viaGroup = makeLicense('sku-vis', { direct: false, viaGroups: ['g1'] });
    await store.recordPriorState('req_p', [state('u1', e3(['p1', 'p2']), viaGroup), state('u2')]);
    // A resumed run reads holdings it changed itself: they must not replace the state before it.
    await store.recordPriorState('req_p', [state('u2', e3([])), state('u3', e3(['p3'])), state('u1')]);
    expect(await store.getPriorState('req_p')).toEqual([
      state('u1', e3(['p1', 'p2']), viaGroup),
      state('u2'),
      state('u3', e3(['p3'])),
    ]);
    expect(await store.getPriorState('req_other')).toEqual([]);
  });

  it('keeps the first of two records of one user in one call', async () => {
    const store = await stores.open();
    await store.saveRequest(makeChangeRequest({ id: 'req_twice', status: 'running' }));
    await store.recordPriorState('req_twice', [state('u1', e3(['p1'])), state('u1', e3([]))]);
    expect(await store.getPriorState('req_twice')).toEqual([state('u1', e3(['p1']))]);
  });

  it('keeps one record of a user that two replicas record at once', async () => {
    const [a, b] = await stores.replicas();
    await a.saveRequest(makeChangeRequest({ id: 'req_race', status: 'running' }));
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    await Promise.all([
      a.recordPriorState(
        'req_race',
        users.map((u) => state(u, e3(['from-a']))),
      ),
      b.recordPriorState(
        'req_race',
        users.map((u) => state(u, e3(['from-b']))),
      ),
    ]);
    const [seenByA, seenByB] = [await a.getPriorState('req_race'), await b.getPriorState('req_race')];
    expect(seenByA).toEqual(seenByB);
    expect(seenByA.map((s) => s.userId).sort()).toEqual([...users].sort());
  });

  it('refuses a request it does not hold, and a value its schema refuses, and keeps nothing of them', async () => {
    const store = await stores.open();
    await expect(store.recordPriorState('req_none', [state('u1')])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    await expect(store.recordPriorState('req_none', [])).rejects.toMatchObject({ code: 'invalid_value' });
    await store.saveRequest(makeChangeRequest({ id: 'req_bad', status: 'running' }));
    const bad = [state('u1'), state('', e3([]))];
    await expect(store.recordPriorState('req_bad', bad)).rejects.toMatchObject({ code: 'invalid_value' });
    await store.recordPriorState('req_bad', []);
    expect(await store.getPriorState('req_bad')).toEqual([]);
  });

  it('goes to the archive with its request', async () => {
    const time = clock('2025-06-01T00:00:00Z');
    const store = await stores.open({ now: time.now, retentionDays: 90 });
    const finished = { status: 'completed' as const, finishedAt: '2025-01-02T00:00:00.000Z' };
    await store.saveRequest(makeChangeRequest({ id: 'req_old', ...finished }));
    await store.recordPriorState('req_old', [state('u1', e3(['p1']))]);
    await store.flush();
    expect(await store.archiveOld()).toMatchObject({ requests: 1 });
    expect(await store.getPriorState('req_old')).toEqual([]);
    await expect(store.recordPriorState('req_old', [state('u2')])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    // A request saved again under the archived id starts with no prior state.
    await store.saveRequest(makeChangeRequest({ id: 'req_old', status: 'running' }));
    expect(await store.getPriorState('req_old')).toEqual([]);
  });
}
