/** The draft claim rule of a submission, against a real store in a temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DraftClaims } from '../../src/licensing/draft-claim.js';
import type { SubmitInput, SubmitResult } from '../../src/licensing/service-types.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { Draft } from '../../src/store/store.js';
import { makeChangeRequest } from '../support/licensing-factories.js';

const OWNER = 'U0OWNER';

let store: LowdbStore;

beforeEach(async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-draft-claim-'));
  const opened = new LowdbStore({ dataDir, writeDelayMs: 5 });
  await opened.open();
  store = opened;
  return async () => {
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  };
});

function newDraft(): Promise<Draft> {
  return store.createDraft({
    ownerId: OWNER,
    channelId: 'C1',
    customerId: 'cust-1',
    selectedUserIds: ['u1'],
  });
}

function changeOf(draft: Draft): Omit<SubmitInput, 'draftId'> {
  return {
    customerId: draft.customerId ?? '',
    userIds: draft.selectedUserIds,
    assign: [],
    revoke: ['sku'],
    requestedBy: OWNER,
  };
}

/** A submit that saves the request it is given, as the service does. */
async function saving(input: SubmitInput): Promise<SubmitResult> {
  const request = makeChangeRequest({
    requestedBy: input.requestedBy,
    ...(input.draftId ? { draftId: input.draftId } : {}),
  });
  await store.saveRequest(request);
  return { ok: true, request, needsApproval: false, approval: null };
}

describe('DraftClaims', () => {
  it('claims the draft on submit and answers a second delivery with the request the first one saved', async () => {
    const claims = new DraftClaims(store, saving);
    const draft = await newDraft();
    const first = await claims.submit(draft.id, OWNER, changeOf);
    expect(first.ok).toBe(true);
    expect(await store.getDraft(draft.id)).toBeNull();

    const second = await claims.submit(draft.id, OWNER, changeOf);
    if (first.ok !== true || !('claimedElsewhere' in second)) throw new Error('expected a repeated delivery');
    expect(second.earlier?.id).toBe(first.request.id);
    expect(await claims.submittedFrom(draft.id, 'U0SOMEONE_ELSE')).toBeNull();
  });

  it('gives the draft back when the submission is refused or fails', async () => {
    const draft = await newDraft();
    const refusing = new DraftClaims(store, async () => ({ ok: false, problems: [{ kind: 'empty' }] }));
    expect(await refusing.submit(draft.id, OWNER, changeOf)).toMatchObject({
      ok: false,
      problems: [{ kind: 'empty' }],
    });
    expect((await store.getDraft(draft.id))?.selectedUserIds).toEqual(['u1']);

    const failing = new DraftClaims(store, async () => {
      throw new Error('disk gone');
    });
    await expect(failing.submit(draft.id, OWNER, changeOf)).rejects.toThrow('disk gone');
    expect(await store.getDraft(draft.id)).not.toBeNull();
    expect(await store.findRequestByDraft(draft.id)).toBeNull();
  });

  it('reads the change from the claimed draft and names it on the request', async () => {
    const draft = await newDraft();
    const seen: SubmitInput[] = [];
    const claims = new DraftClaims(store, async (input) => {
      seen.push(input);
      return saving(input);
    });
    await claims.submit(draft.id, OWNER, changeOf);
    expect(seen).toEqual([{ ...changeOf(draft), draftId: draft.id }]);
  });
});
