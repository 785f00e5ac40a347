import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LicensingService } from '../../src/licensing/licensing-service.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import { FakeLicenseProvider } from './fake-license-provider.js';

const OP = 'U_OP';
let dataDir: string;
let store: LowdbStore;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-follow-up-'));
  store = new LowdbStore({ dataDir, writeDelayMs: 5 });
  await store.open();
});

afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

function setup() {
  const customer = makeCustomer({ id: 'cust', tenantId: 'tenant', name: 'Contoso' });
  const users = Array.from({ length: 5 }, (_, i) => makeUser({ id: `u${i}` }));
  const provider = new FakeLicenseProvider(customer, users, [
    makeProduct({ skuId: 'e3', name: 'Office 365 E3', total: 10 }),
    makeProduct({ skuId: 'visio', name: 'Visio', total: 10 }),
  ]);
  const service = new LicensingService({
    provider,
    store,
    approvalRevokeThreshold: 3,
    approvalTtlHours: 24,
    tenantWritesPerSecond: 1000,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    logger: { warn: () => {} },
  });
  return { provider, service, userIds: users.map((u) => u.id) };
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
  const submitted = await service.submit({
    customerId: 'cust',
    userIds: change.userIds,
    assign: (change.assign ?? []).map((skuId) => ({ skuId, disabledPlans: null })),
    revoke: change.revoke ?? [],
    requestedBy: OP,
  });
  if (!submitted.ok) throw new Error('submit refused');
  return service.run(submitted.request.id, new RecordingReporter());
}

function retryDraft(requestId: string) {
  return store.createDraft({ ownerId: OP, channelId: 'C1', followUp: { kind: 'retry', requestId } });
}

describe('follow-up requests: retry', () => {
  it('retries only the throttled parts, saved as a follow-up and audited so, and each part is applied once', async () => {
    const { provider, service, userIds } = setup();
    throttle(provider, ['u1', 'u3']);
    const original = await ranWith(service, { userIds, assign: ['e3'] });
    expect(service.counts(original)).toMatchObject({ success: 3, failed: 2 });

    const prepared = await service.prepareFollowUp('retry', original.id, OP);
    expect(prepared).toMatchObject({
      ok: true,
      prepared: { ok: true, assignments: 2, needsApproval: false },
    });
    if (!prepared.ok) return;
    expect(prepared.parts.map((p) => p.userId)).toEqual(['u1', 'u3']);

    const okBefore = provider.calls.length;
    throttle(provider, []);
    const draft = await retryDraft(original.id);
    const submitted = await service.submitFollowUp(draft.id, OP, {
      requestedBy: OP,
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

    expect(await service.prepareFollowUp('retry', original.id, OP)).toEqual({
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
    const details = { requestedBy: OP };
    const [a, b] = await Promise.all([
      service.submitFollowUp(first.id, OP, details),
      service.submitFollowUp(first.id, OP, details),
    ]);
    const made = [a, b].filter((r) => r.ok);
    expect(made).toHaveLength(1);
    const other = [a, b].find((r) => !r.ok);
    expect(other).toMatchObject({
      claimedElsewhere: true,
      earlier: { id: made[0]?.ok ? made[0].request.id : '' },
    });

    const again = await service.submitFollowUp(second.id, OP, details);
    expect(again).toMatchObject({
      ok: false,
      refused: { why: 'in_progress', pending: { status: 'approved' } },
    });
    expect(await store.getDraft(second.id)).not.toBeNull();
    expect(await service.prepareFollowUp('retry', original.id, OP)).toMatchObject({
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
    const prepared = await service.prepareFollowUp('retry', original.id, OP);
    expect(prepared).toMatchObject({
      ok: true,
      prepared: { ok: true, revocations: 2, needsApproval: true, basis: { own: 2, earlierRevocations: 2 } },
    });
    const draft = await retryDraft(original.id);
    const withoutReason = await service.submitFollowUp(draft.id, OP, { requestedBy: OP });
    expect(withoutReason).toMatchObject({ ok: false, problems: [{ kind: 'reason_required' }] });
    const submitted = await service.submitFollowUp(draft.id, OP, { requestedBy: OP, reason: 'Leavers' });
    expect(submitted).toMatchObject({
      ok: true,
      needsApproval: true,
      request: { status: 'pending_approval' },
    });
  });

  it('offers no follow-up of a request that has not finished, or is unknown', async () => {
    const { service, userIds } = setup();
    const submitted = await service.submit({
      customerId: 'cust',
      userIds,
      assign: [],
      revoke: ['visio'],
      requestedBy: OP,
    });
    expect(submitted.ok).toBe(false);
    expect(await service.prepareFollowUp('retry', 'req_unknown', OP)).toEqual({
      ok: false,
      refused: { why: 'not_found' },
    });
    const open = await service.submit({
      customerId: 'cust',
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: null }],
      revoke: [],
      requestedBy: OP,
    });
    if (!open.ok) throw new Error('submit refused');
    expect(await service.prepareFollowUp('retry', open.request.id, OP)).toEqual({
      ok: false,
      refused: { why: 'not_finished', status: 'approved' },
    });
  });
});
