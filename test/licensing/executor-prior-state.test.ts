/**
 * The executor records each user's licenses of the products it changes before it changes them
 * (what an undo restores): durable before the user's first call, one store write per holdings
 * batch, never overwritten by a resumed run, and nothing applied when the store refuses it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type RunOptions, runRequest } from '../../src/licensing/executor.js';
import type { ChangeRequest, PriorState, UserChange } from '../../src/licensing/model.js';
import { countResults } from '../../src/licensing/run-counts.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';
import { plannedRequest, quickRunOptions } from './executor-setup.js';
import { FakeLicenseProvider } from './fake-license-provider.js';
import { storedRequest } from './stored-request.js';

const stores = useTempStores();
let store: LowdbStore;

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 5 });
});

/** 30 users: even ones hold E3 with plan p1 off (and Visio, which the request leaves alone), odd ones nothing. */
function tenant(): FakeLicenseProvider {
  const customer = makeCustomer({ id: 'cust', tenantId: 'tenant' });
  const users = Array.from({ length: 30 }, (_, i) => makeUser({ id: `u${String(i).padStart(2, '0')}` }));
  const products = ['e3', 'addon', 'visio'].map((skuId) => makeProduct({ skuId, total: 1000 }));
  const provider = new FakeLicenseProvider(customer, users, products);
  users.forEach((user, i) => {
    if (i % 2 === 0)
      provider.hold(user.id, [makeLicense('e3', { disabledPlans: ['p1'] }), makeLicense('visio')]);
  });
  return provider;
}

async function request(provider: FakeLicenseProvider): Promise<ChangeRequest> {
  const saved = await plannedRequest(provider, provider.customer, [...provider.users.values()], {
    assign: [
      { skuId: 'e3', disabledPlans: ['p2'] },
      { skuId: 'addon', disabledPlans: null },
    ],
  });
  await store.saveRequest(saved);
  return saved;
}

const options = (provider: FakeLicenseProvider, extra: Partial<RunOptions> = {}): RunOptions =>
  quickRunOptions(provider, store, { holdingsBatchSize: 10, concurrency: 4, ...extra });

/** What each user held of E3 and the add-on before any run. */
const heldBeforeAnyRun = (provider: FakeLicenseProvider): PriorState[] =>
  [...provider.users.keys()].map((userId, i) => ({
    userId,
    licenses: i % 2 === 0 ? [makeLicense('e3', { disabledPlans: ['p1'] })] : [],
  }));

const byUser = (states: PriorState[]) => [...states].sort((a, b) => a.userId.localeCompare(b.userId));

describe('the state before the run', () => {
  it("is on disk before each user's first call, for the products the run changes only, one write per batch", async () => {
    const provider = tenant();
    const saved = await request(provider);
    const expected = heldBeforeAnyRun(provider);
    const recordedAtCall: boolean[] = [];
    const apply = provider.applyUserChange.bind(provider);
    provider.applyUserChange = async (customerId: string, userId: string, change: UserChange) => {
      // A store opened now reads only what is on disk.
      const onDisk = await (await stores.open()).getPriorState(saved.id);
      recordedAtCall.push(onDisk.some((state) => state.userId === userId));
      return apply(customerId, userId, change);
    };
    let writes = 0;
    const recordPriorState = store.recordPriorState.bind(store);
    store.recordPriorState = (id, states) => {
      writes++;
      return recordPriorState(id, states);
    };

    const done = await runRequest(saved, options(provider));

    expect(countResults(done)).toMatchObject({ total: 60, failed: 0 });
    expect(recordedAtCall).toHaveLength(30);
    expect(recordedAtCall.every(Boolean)).toBe(true);
    expect(writes).toBe(3);
    expect(byUser(await store.getPriorState(saved.id))).toEqual(expected);
  });

  it('stays the state before the first run when a crashed run resumes', async () => {
    const provider = tenant();
    const saved = await request(provider);
    const apply = provider.applyUserChange.bind(provider);
    let calls = 0;
    provider.applyUserChange = async (customerId: string, userId: string, change: UserChange) => {
      if (++calls > 13) throw new Error('process crashed');
      return apply(customerId, userId, change);
    };
    await expect(runRequest(saved, options(provider))).rejects.toThrow('process crashed');
    provider.applyUserChange = apply;

    const done = await runRequest(await storedRequest(store, saved.id), options(provider, { resumed: true }));

    expect(countResults(done)).toMatchObject({ total: 60, done: 60, failed: 0 });
    expect(byUser(await store.getPriorState(saved.id))).toEqual(heldBeforeAnyRun(provider));
  });

  it('when the store refuses the record, sends nothing for that batch and stops the run', async () => {
    const provider = tenant();
    const saved = await request(provider);
    store.recordPriorState = async () => {
      throw new StoreUnavailableError('recordPriorState: the disk is full; nothing was changed.');
    };

    await expect(runRequest(saved, options(provider))).rejects.toBeInstanceOf(StoreUnavailableError);

    expect(provider.calls).toEqual([]);
  });
});
