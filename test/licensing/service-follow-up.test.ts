import { beforeEach, describe, expect, it } from 'vitest';
import type { LicensingService } from '../../src/licensing/licensing-service.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeLicense } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import type { FakeLicenseProvider } from './fake-license-provider.js';
import { contoso, contosoChange, OPERATOR, quickService, submitAccepted } from './service-setup.js';

const stores = useTempStores();
let store: LowdbStore;

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 5 });
});

function setup() {
  const { provider, userIds } = contoso(5);
  const service = quickService(provider, store, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
  return { provider, service, userIds };
}

/** Refuses every call for `userIds` as throttled (after the executor's retries, the part fails so). */
function throttle(provider: FakeLicenseProvider, userIds: readonly string[]) {
  provider.refuse = (userId) =>
    userIds.includes(userId)
      ? new LicenseProviderError('throttled', 'Too many requests', { transient: true, retryAfterMs: 1 })
      : undefined;
}

async function ranWith(
  service: LicensingService,
  change: { userIds: string[]; assign?: string[]; revoke?: string[] },
): Promise<ChangeRequest> {
  const submitted = await submitAccepted(service, {
    userIds: change.userIds,
    assign: (change.assign ?? []).map((skuId) => ({ skuId, disabledPlans: null })),
    revoke: change.revoke ?? [],
  });
  return service.run(submitted.request.id, new RecordingReporter());
}

function retryDraft(requestId: string) {
  return store.createDraft({ ownerId: OPERATOR, channelId: 'C1', followUp: { kind: 'retry', requestId } });
}

describe('follow-up requests: retry', () => {
  it('retries only the throttled parts, saved as a follow-up and audited so, and each part is applied once', async () => {
    const { provider, service, userIds } = setup();
    throttle(provider, ['u1', 'u3']);
    const original = await ranWith(service, { userIds, assign: ['e3'] });
    expect(service.counts(original)).toMatchObject({ success: 3, failed: 2 });

    const prepared = await service.prepareFollowUp('retry', original.id, OPERATOR);
    expect(prepared).toMatchObject({
      ok: true,
      prepared: { ok: true, assignments: 2, needsApproval: false },
    });
    if (!prepared.ok) return;
    expect(prepared.parts.map((p) => p.userId)).toEqual(['u1', 'u3']);

    const okBefore = provider.calls.length;
    throttle(provider, []);
    const draft = await retryDraft(original.id);
    const submitted = await service.submitFollowUp(draft.id, OPERATOR, {
      requestedBy: OPERATOR,
      report: { channel: 'C1' },
    });
    expect(submitted).toMatchObject({ ok: true, needsApproval: false });
    if (!submitted.ok) return;
    const retry = submitted.request;
    expect(retry.followUpOf).toEqual({ kind: 'retry', requestId: original.id });
    expect(retry.items.map((item) => [item.userId, item.change.assign.map((a) => a.skuId)])).toEqual([
      ['u1', ['e3']],
      ['u3', ['e3']],
    ]);
    const audit = await store.listAudit({ requestId: retry.id, limit: 10 });
    expect(audit.find((entry) => entry.action === 'submitted')?.details).toMatchObject({
      followUpOf: original.id,
      followUpKind: 'retry',
    });

    const done = await service.run(retry.id, new RecordingReporter());
    expect(service.counts(done)).toMatchObject({ success: 2, failed: 0 });
    expect(provider.calls.slice(okBefore).map((call) => call.userId)).toEqual(['u1', 'u3']);
    // Each user's one product was applied once in all: the three that succeeded were not sent again.
    for (const userId of userIds) expect(provider.applied.get(userId), userId).toBe(1);
    for (const userId of userIds) expect(provider.holdings.get(userId)?.map((l) => l.skuId)).toEqual(['e3']);

    expect(await service.prepareFollowUp('retry', original.id, OPERATOR)).toEqual({
      ok: false,
      refused: { why: 'nothing_left' },
    });
  });

  it('refuses a second retry while one waits or runs, and one submission delivered twice makes one request', async () => {
    const { provider, service, userIds } = setup();
    throttle(provider, ['u0']);
    const original = await ranWith(service, { userIds, assign: ['e3'] });
    const first = await retryDraft(original.id);
    const second = await retryDraft(original.id);
    const details = { requestedBy: OPERATOR };
    const [a, b] = await Promise.all([
      service.submitFollowUp(first.id, OPERATOR, details),
      service.submitFollowUp(first.id, OPERATOR, details),
    ]);
    const made = [a, b].filter((r) => r.ok);
    expect(made).toHaveLength(1);
    const other = [a, b].find((r) => !r.ok);
    expect(other).toMatchObject({
      claimedElsewhere: true,
      earlier: { id: made[0]?.ok ? made[0].request.id : '' },
    });

    const again = await service.submitFollowUp(second.id, OPERATOR, details);
    expect(again).toMatchObject({
      ok: false,
      refused: { why: 'in_progress', pending: { status: 'approved' } },
    });
    expect(await store.getDraft(second.id)).not.toBeNull();
    expect(await service.prepareFollowUp('retry', original.id, OPERATOR)).toMatchObject({
      ok: false,
      refused: { why: 'in_progress' },
    });
  });

  it('puts a retry through the approval rule again: counted with the earlier revocations in the window', async () => {
    const { provider, service } = setup();
    for (const id of ['u0', 'u1']) provider.hold(id, [makeLicense('visio')]);
    throttle(provider, ['u0', 'u1']);
    const original = await ranWith(service, { userIds: ['u0', 'u1'], revoke: ['visio'] });
    expect(original.approvalRequired).toBe(false);
    throttle(provider, []);
    const prepared = await service.prepareFollowUp('retry', original.id, OPERATOR);
    expect(prepared).toMatchObject({
      ok: true,
      prepared: { ok: true, revocations: 2, needsApproval: true, basis: { own: 2, earlierRevocations: 2 } },
    });
    const draft = await retryDraft(original.id);
    const withoutReason = await service.submitFollowUp(draft.id, OPERATOR, { requestedBy: OPERATOR });
    expect(withoutReason).toMatchObject({ ok: false, problems: [{ kind: 'reason_required' }] });
    const submitted = await service.submitFollowUp(draft.id, OPERATOR, {
      requestedBy: OPERATOR,
      reason: 'Leavers',
    });
    expect(submitted).toMatchObject({
      ok: true,
      needsApproval: true,
      request: { status: 'pending_approval' },
    });
  });

  it('offers no follow-up of a request that has not finished, or is unknown', async () => {
    const { service, userIds } = setup();
    const submitted = await service.submit(
      contosoChange({
        userIds,
        revoke: ['visio'],
      }),
    );
    expect(submitted.ok).toBe(false);
    expect(await service.prepareFollowUp('retry', 'req_unknown', OPERATOR)).toEqual({
      ok: false,
      refused: { why: 'not_found' },
    });
    const open = await submitAccepted(service, {
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: null }],
    });
    expect(await service.prepareFollowUp('retry', open.request.id, OPERATOR)).toEqual({
      ok: false,
      refused: { why: 'not_finished', status: 'approved' },
    });
  });
});
