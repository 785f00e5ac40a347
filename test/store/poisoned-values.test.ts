/**
 * Every write path refuses a value its read schema would refuse, so nothing written can make the
 * next open refuse the file: the refusal is a StoreError `invalid_value`, one error line names
 * the method and where the value is wrong (never the value), and a reopened store holds the
 * state from before the attempt.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeRequest, ItemResult } from '../../src/licensing/model.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { type Approval, type Draft, StoreError } from '../../src/store/store.js';
import { makeApproval, makeChangeRequest, makeResult } from '../support/licensing-factories.js';
import { LinesLogger, useTempStores } from './temp-store.js';

const stores = useTempStores();

/** Something no schema accepts, with a marker that must never reach the log. */
const SECRET = 'secret-value-0042';

interface Seeded {
  store: LowdbStore;
  logger: LinesLogger;
  draft: Draft;
}

async function seeded(): Promise<Seeded> {
  const logger = new LinesLogger();
  const store = await stores.open({ logger });
  const draft = await store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: ['u1'] });
  await store.saveRequest(makeChangeRequest({ id: 'req_seed', status: 'running' }));
  await store.recordResults('req_seed', [makeResult({ userId: 'u1' })]);
  await store.saveApproval(makeApproval({ requestId: 'req_seed' }));
  await store.appendAudit({ actor: 'U1', action: 'submitted', requestId: 'req_seed' });
  await store.flush();
  return { store, logger, draft };
}

/** What the seeded store holds, as a reopened store reads it. */
async function contents(store: LowdbStore, draftId: string) {
  return {
    draft: await store.getDraft(draftId),
    requests: await store.listRequests({ limit: 100 }),
    approvals: await store.listApprovals({ limit: 100 }),
    audit: await store.listAudit({ limit: 100 }),
  };
}

const cases: {
  method: string;
  path: string;
  attempt: (s: Seeded) => Promise<unknown>;
}[] = [
  {
    method: 'createDraft',
    path: 'selectedUserIds.0',
    attempt: ({ store }) =>
      store.createDraft({ ownerId: 'U1', channelId: 'C1', selectedUserIds: [42 as unknown as string] }),
  },
  {
    method: 'createDraft',
    path: 'ownerId',
    attempt: ({ store }) =>
      store.createDraft({ channelId: 'C1' } as unknown as { ownerId: string; channelId: string }),
  },
  {
    method: 'updateDraft',
    path: 'page',
    attempt: ({ store, draft }) => store.updateDraft(draft.id, (d) => ({ ...d, page: -1 })),
  },
  {
    method: 'updateDraft',
    path: 'channelId',
    attempt: ({ store, draft }) =>
      store.updateDraft(draft.id, (d) => ({ ...d, channelId: { secret: SECRET } as unknown as string })),
  },
  {
    method: 'restoreDraft',
    path: 'disabledPlansBySku.sku',
    attempt: ({ store, draft }) =>
      store.restoreDraft({ ...draft, disabledPlansBySku: { sku: SECRET as unknown as string[] } }),
  },
  {
    method: 'saveRequest',
    path: 'items.0.change',
    attempt: ({ store }) =>
      store.saveRequest(
        makeChangeRequest({
          id: 'req_bad',
          items: [
            {
              userId: 'u1',
              displayName: SECRET,
              email: 'e',
              noops: [],
            } as unknown as ChangeRequest['items'][number],
          ],
        }),
      ),
  },
  {
    method: 'saveRequest',
    path: 'status',
    attempt: ({ store }) =>
      store.saveRequest(makeChangeRequest({ id: 'req_bad', status: SECRET as ChangeRequest['status'] })),
  },
  {
    method: 'transitionRequest',
    path: 'startedAt',
    attempt: ({ store }) =>
      store.transitionRequest('req_seed', ['running'], 'completed', { startedAt: 42 as unknown as string }),
  },
  {
    method: 'transitionRequest',
    path: 'report.channel',
    attempt: ({ store }) =>
      store.transitionRequest('req_seed', ['running'], 'running', {
        report: { ts: SECRET } as unknown as ChangeRequest['report'],
      }),
  },
  {
    method: 'recordResults',
    path: '1.outcome',
    attempt: ({ store }) =>
      store.recordResults('req_seed', [
        makeResult({ userId: 'u2' }),
        makeResult({ userId: 'u3', outcome: SECRET as ItemResult['outcome'] }),
      ]),
  },
  {
    method: 'saveApproval',
    path: 'expiresAt',
    attempt: ({ store }) =>
      store.saveApproval({
        ...makeApproval({ requestId: 'req_other' }),
        expiresAt: undefined,
      } as unknown as Approval),
  },
  {
    method: 'decideApproval',
    path: 'status',
    attempt: ({ store }) =>
      store.decideApproval('req_seed', ['pending'], {
        status: SECRET as Approval['status'],
        decidedBy: 'U2',
      }),
  },
  {
    method: 'decideApproval',
    path: 'message.ts',
    attempt: ({ store }) =>
      store.decideApproval('req_seed', ['pending'], {
        status: 'pending',
        message: { channel: 'C1' } as unknown as Approval['message'],
      }),
  },
  {
    method: 'appendAudit',
    path: 'actor',
    attempt: ({ store }) =>
      store.appendAudit({ action: 'approve_refused', requestId: 'req_seed' } as unknown as {
        actor: string;
        action: string;
      }),
  },
  {
    method: 'appendAudit',
    path: 'actor',
    attempt: ({ store }) => store.appendAudit({ actor: '', action: 'approved', requestId: 'req_seed' }),
  },
  {
    method: 'appendAudit',
    path: '(root): not plain data',
    attempt: ({ store }) =>
      store.appendAudit({ actor: 'U1', action: 'x', details: { callback: () => SECRET } }),
  },
];

describe('poisoned values', () => {
  it.each(cases.map((c) => [`${c.method} (${c.path})`, c] as const))(
    '%s: refused at write time, logged once without the value, and the store reopens with the old state',
    async (_name, { method, path, attempt }) => {
      const seed = await seeded();
      const before = await contents(seed.store, seed.draft.id);
      seed.logger.lines.length = 0;

      const error = await attempt(seed).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('invalid_value');
      expect(await contents(seed.store, seed.draft.id)).toEqual(before);

      const errors = seed.logger.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(method);
      expect(errors[0]).toContain(` at ${path}`);
      expect(errors[0]).not.toContain(SECRET);

      await seed.store.close();
      const reopened = await stores.open();
      expect(await contents(reopened, seed.draft.id)).toEqual(before);
    },
  );
});
