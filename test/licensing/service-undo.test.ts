import { beforeEach, describe, expect, it } from 'vitest';
import type { LicensingService } from '../../src/licensing/licensing-service.js';
import type { ChangeRequest, UserLicense } from '../../src/licensing/model.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeLicense } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import type { FakeLicenseProvider } from './fake-license-provider.js';
import { contoso, OPERATOR, quickService } from './service-setup.js';

const stores = useTempStores();
let store: LowdbStore;
let now = new Date('2026-03-01T09:00:00.000Z');

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 5 });
  now = new Date('2026-03-01T09:00:00.000Z');
});

const e3 = (disabledPlans: string[]) => makeLicense('e3', { disabledPlans });
const visio = (disabledPlans: string[]) => makeLicense('visio', { disabledPlans });

/**
 * u0 has nothing, u1 and u2 hold E3 with other plans off, u5 too (changed behind the bot's back
 * after the run); u3 and u4 hold Visio with plans off.
 */
function setup(threshold = 10) {
  const { provider } = contoso(6);
  provider.hold('u1', [e3(['p1'])]);
  provider.hold('u2', [e3(['p1', 'p3']), visio([])]);
  provider.hold('u3', [visio(['v1', 'v2'])]);
  provider.hold('u4', [visio([])]);
  provider.hold('u5', [e3(['p1'])]);
  const service = quickService(provider, store, {
    approvalRevokeThreshold: threshold,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    undoDays: 30,
    now: () => now,
  });
  return { provider, service };
}

/** E3 with p2 off to u0, u1, u2, u5; Visio revoked from u3 and u4: run to the end. */
async function original(
  service: LicensingService,
  requestedBy = OPERATOR,
  withRevoke = true,
): Promise<ChangeRequest> {
  const submitted = await service.submit({
    customerId: 'cust',
    userIds: ['u0', 'u1', 'u2', 'u5'],
    assign: [{ skuId: 'e3', disabledPlans: ['p2'] }],
    revoke: [],
    requestedBy,
  });
  if (!submitted.ok || submitted.needsApproval) throw new Error('the assignment did not run at once');
  await service.run(submitted.request.id, new RecordingReporter());
  if (!withRevoke) return (await store.getRequest(submitted.request.id)) as ChangeRequest;
  const revoke = await service.submit({
    customerId: 'cust',
    userIds: ['u3', 'u4'],
    assign: [],
    revoke: ['visio'],
    requestedBy,
  });
  if (!revoke.ok || revoke.needsApproval) throw new Error('the revoke did not run at once');
  await service.run(revoke.request.id, new RecordingReporter());
  // One request for the test: the assignment (the revoke is undone in its own test below).
  return {
    ...(await store.getRequest(submitted.request.id)),
    revokeId: revoke.request.id,
  } as ChangeRequest & {
    revokeId: string;
  };
}

async function undo(service: LicensingService, requestId: string, reason?: string) {
  const draft = await store.createDraft({
    ownerId: OPERATOR,
    channelId: 'C1',
    followUp: { kind: 'undo', requestId },
  });
  return service.submitFollowUp(draft.id, OPERATOR, {
    requestedBy: OPERATOR,
    report: { channel: 'C1' },
    ...(reason === undefined ? {} : { reason }),
  });
}

const plansOf = (provider: FakeLicenseProvider, userId: string) =>
  Object.fromEntries(
    (provider.holdings.get(userId) ?? []).map((l: UserLicense) => [l.skuId, [...l.disabledPlans].sort()]),
  );

describe('undo', () => {
  it('puts every user × product back exactly, and leaves alone what changed behind its back', async () => {
    const { provider, service } = setup();
    const before = Object.fromEntries(
      ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'].map((u) => [u, plansOf(provider, u)]),
    );
    const assigned = (await original(service)) as ChangeRequest & { revokeId: string };
    expect(plansOf(provider, 'u1')).toEqual({ e3: ['p2'] });
    // Behind the bot's back: u5's plans change after the run.
    provider.hold('u5', [e3(['p9'])]);

    const submitted = await undo(service, assigned.id);
    expect(submitted).toMatchObject({ ok: true, needsApproval: false });
    if (!submitted.ok || 'claimedElsewhere' in submitted) return;
    expect(submitted.request.followUpOf).toEqual({ kind: 'undo', requestId: assigned.id });
    const done = await service.run(submitted.request.id, new RecordingReporter());
    expect(done.results['u5|e3|assign']).toMatchObject({ outcome: 'noop', changedSince: true });
    expect(service.counts(done)).toMatchObject({ success: 3, noop: 1, failed: 0 });

    const revokeUndo = await undo(service, assigned.revokeId);
    if (!revokeUndo.ok || 'claimedElsewhere' in revokeUndo)
      throw new Error('the undo of the revoke was refused');
    await service.run(revokeUndo.request.id, new RecordingReporter());

    for (const userId of ['u0', 'u1', 'u2', 'u3', 'u4'])
      expect(plansOf(provider, userId), userId).toEqual(before[userId]);
    expect(plansOf(provider, 'u5')).toEqual({ e3: ['p9'] });
    expect(await service.prepareFollowUp('undo', assigned.id, OPERATOR)).toEqual({
      ok: false,
      refused: { why: 'nothing_left' },
    });
  });

  it('leaves alone a change made while the undo waited for approval', async () => {
    const { provider, service } = setup(4);
    const assigned = await original(service, 'U_OTHER', false);
    expect(await undo(service, assigned.id)).toMatchObject({
      ok: false,
      problems: [{ kind: 'reason_required' }],
    });
    const submitted = await undo(service, assigned.id, 'The new plans broke mail');
    // Revoke E3 from u0, turn plans off again for u1, u2 and u5: four, at the threshold.
    expect(submitted, JSON.stringify(submitted)).toMatchObject({ ok: true, needsApproval: true });
    if (!submitted.ok || 'claimedElsewhere' in submitted) return;
    provider.hold('u1', [e3([])]);
    const decided = await service.approve(submitted.request.id, 'U_BOSS');
    expect(decided).toMatchObject({ ok: true });
    const done = await service.run(submitted.request.id, new RecordingReporter());
    expect(done.results['u1|e3|assign']).toMatchObject({ outcome: 'noop', changedSince: true });
    expect(plansOf(provider, 'u1')).toEqual({ e3: [] });
    expect(plansOf(provider, 'u2')).toEqual({ e3: ['p1', 'p3'], visio: [] });
  });

  it(`is refused once UNDO_DAYS have passed since the request finished`, async () => {
    const { service } = setup();
    const assigned = await original(service);
    now = new Date(now.getTime() + 30 * 86_400_000 + 60_000);
    expect(await service.prepareFollowUp('undo', assigned.id, OPERATOR)).toMatchObject({
      ok: false,
      refused: { why: 'too_late' },
    });
    expect(await undo(service, assigned.id)).toMatchObject({ ok: false, refused: { why: 'too_late' } });
  });
});
