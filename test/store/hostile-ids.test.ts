/** Ids that are names of Object.prototype members are data: lookups answer null, and they round-trip. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApproval, makeChangeRequest, makeResult } from '../support/licensing-factories.js';
import { expectNothingUnder } from './contract/approvals-audit-contract.js';
import { useTempStores } from './temp-store.js';

const stores = useTempStores();
const HOSTILE = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

describe('hostile ids', () => {
  it.each(HOSTILE)('%s: every lookup answers null and nothing throws', async (id) => {
    const store = await stores.open();
    await store.createDraft({ ownerId: 'U1', channelId: 'C1' });
    await store.saveRequest(makeChangeRequest({ id: 'req_real', draftId: 'drf_real' }));
    await store.saveApproval(makeApproval({ requestId: 'req_real' }));

    await expectNothingUnder(store, id);
  });

  it('stores records under such ids and reads them back after a reopen', async () => {
    const store = await stores.open();
    await store.saveRequest(
      makeChangeRequest({ id: '__proto__', draftId: 'constructor', status: 'running' }),
    );
    await store.recordResults('__proto__', [makeResult({ userId: 'toString' })]);
    await store.saveApproval(makeApproval({ requestId: '__proto__' }));
    const draft = await store.createDraft({ ownerId: 'hasOwnProperty', channelId: 'C1' });
    await store.close();

    const reopened = await stores.open();
    expect(await reopened.getRequest('__proto__')).toMatchObject({
      id: '__proto__',
      results: { 'toString|sku-1|assign': { userId: 'toString' } },
    });
    expect((await reopened.findRequestByDraft('constructor'))?.id).toBe('__proto__');
    expect((await reopened.getApproval('__proto__'))?.requestId).toBe('__proto__');
    expect((await reopened.getDraft(draft.id))?.ownerId).toBe('hasOwnProperty');
    expect(await reopened.getRequest('constructor')).toBeNull();
  });

  it('an id is never a path: its files stay in requests/ and do not collide', async () => {
    const store = await stores.open();
    const ids = ['../escape', 'a/b', 'a%2Fb', '.', '..', 'réq ü'];
    for (const id of ids) {
      await store.saveRequest(makeChangeRequest({ id, status: 'running' }));
      await store.recordResults(id, [makeResult({ userId: `of ${id}` })]);
    }
    await store.close();
    expect(await readdir(path.dirname(stores.dir))).not.toContain('escape.json');
    const files = await readdir(path.join(stores.dir, 'requests'));
    expect(files).toHaveLength(ids.length * 2);

    const reopened = await stores.open();
    for (const id of ids) {
      expect(Object.values((await reopened.getRequest(id))?.results ?? {})).toMatchObject([
        { userId: `of ${id}` },
      ]);
    }
  });

  it('refuses an id too long to name a file, as an invalid value', async () => {
    const store = await stores.open();
    await expect(store.saveRequest(makeChangeRequest({ id: 'r'.repeat(300) }))).rejects.toMatchObject({
      code: 'invalid_value',
    });
    expect(await store.listRequests({ limit: 10 })).toEqual([]);
  });
});
