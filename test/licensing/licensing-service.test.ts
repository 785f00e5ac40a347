import { beforeEach, describe, expect, it } from 'vitest';
import { type LicensingRules, NO_RULES } from '../../src/licensing/eligibility.js';
import { RequestNotRunnableError } from '../../src/licensing/licensing-service.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import { FakeLicenseProvider } from './fake-license-provider.js';
import { contoso, contosoChange, quickService, submitAccepted } from './service-setup.js';

const stores = useTempStores();
let store: LowdbStore;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2025-03-01T09:00:00Z');
  store = await stores.open({ writeDelayMs: 5, now: () => clock });
});

function setup(userCount = 5) {
  const { provider, userIds } = contoso(userCount);
  return { provider, service: serviceOn(provider), userIds };
}

/** A service on the shared store: another one on the same provider is the process after a restart. */
function serviceOn(provider: FakeLicenseProvider) {
  return quickService(provider, store, {
    now: () => clock,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

async function pendingRevocation() {
  const context = setup();
  for (const id of context.userIds) context.provider.hold(id, [makeLicense('visio')]);
  const submitted = await submitAccepted(context.service, {
    userIds: context.userIds,
    revoke: ['visio'],
    reason: 'Leavers',
  });
  return { ...context, request: submitted.request, approval: submitted.approval };
}

describe('LicensingService', () => {
  it('submits a small change as approved and runs it to completion', async () => {
    const { service, provider, userIds } = setup();
    const submitted = await service.submit(
      contosoChange({
        userIds,
        assign: [{ skuId: 'e3', disabledPlans: null }],
        report: { channel: 'C1' },
      }),
    );
    expect(submitted).toMatchObject({ ok: true, needsApproval: false, approval: null });
    if (!submitted.ok) return;
    expect(submitted.request).toMatchObject({
      status: 'approved',
      customerName: 'Contoso',
      tenantId: 'tenant',
      products: [{ skuId: 'e3', name: 'Office 365 E3' }],
      report: { channel: 'C1' },
    });
    expect(submitted.request.id).toMatch(/^req_[a-z2-7]{10}$/);

    const reporter = new RecordingReporter();
    const done = await service.run(submitted.request.id, reporter);

    expect(done.status).toBe('completed');
    expect(done.finishedAt).toBeDefined();
    expect(service.counts(done)).toEqual({ total: 5, done: 5, success: 5, noop: 0, failed: 0 });
    expect(provider.holdings.get('u4')?.[0]?.skuId).toBe('e3');
    expect(reporter.of('finished')[0]?.status).toBe('completed');
    expect((await store.getRequest(done.id))?.status).toBe('completed');
    const audit = await store.listAudit({ requestId: done.id, limit: 10 });
    expect(audit.map((entry) => entry.action)).toEqual(['run_completed', 'submitted']);
    expect(audit[0]?.details).toMatchObject({ success: 5, failed: 0 });
    // Running a completed request again changes nothing.
    expect((await service.run(done.id, reporter)).status).toBe('completed');
    expect(provider.calls).toHaveLength(5);
  });

  it('prepares without storing and returns plan problems as values', async () => {
    const { service, userIds } = setup();
    expect(
      await service.prepare({ customerId: 'cust', userIds, assign: [], revoke: ['e3', 'visio'] }),
    ).toEqual({ ok: false, problems: [{ kind: 'empty' }] });
    // More users than seats is no plan problem: the users beyond the seats fail one by one in the run.
    const tooMany = setup(12);
    expect(
      await tooMany.service.prepare({
        customerId: 'cust',
        userIds: tooMany.userIds,
        assign: [{ skuId: 'e3', disabledPlans: null }],
        revoke: [],
      }),
    ).toMatchObject({ ok: true, assignments: 12 });
    expect(await store.listRequests({ limit: 10 })).toEqual([]);
  });

  it('needs an approval with a reason when revocations reach the threshold', async () => {
    const { service, provider, userIds } = setup();
    for (const id of userIds) provider.hold(id, [makeLicense('visio')]);
    const input = { customerId: 'cust', userIds, assign: [], revoke: ['visio'], requestedBy: 'U_OP' };
    expect(await service.prepare(input)).toMatchObject({ ok: true, revocations: 5, needsApproval: true });
    expect(await service.submit({ ...input, reason: '  ' })).toEqual({
      ok: false,
      problems: [
        { kind: 'reason_required', basis: expect.objectContaining({ own: 5, needsApproval: true }) },
      ],
    });
    const submitted = await service.submit({ ...input, reason: 'Leavers' });
    expect(submitted).toMatchObject({
      ok: true,
      needsApproval: true,
      request: { status: 'pending_approval', reason: 'Leavers' },
      approval: { status: 'pending', expiresAt: '2025-03-02T09:00:00.000Z', reason: 'Leavers' },
    });
    expect(await service.pendingApprovals(10)).toHaveLength(1);
  });

  it('refuses a decision by the requester, takes one decision once, and then runs', async () => {
    const { service, request, provider } = await pendingRevocation();
    expect(await service.approve(request.id, 'U_OP')).toMatchObject({ ok: false, why: 'self_decision' });
    await expect(service.run(request.id, new RecordingReporter())).rejects.toBeInstanceOf(
      RequestNotRunnableError,
    );

    const decisions = await Promise.all([
      service.approve(request.id, 'U_A1'),
      service.approve(request.id, 'U_A2'),
      service.reject(request.id, 'U_A3', 'no'),
    ]);
    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      ok: true,
      request: { status: 'approved' },
      approval: { decidedBy: 'U_A1' },
    });
    expect(decisions.slice(1)).toEqual([
      expect.objectContaining({ ok: false, why: 'already_decided' }),
      expect.objectContaining({ ok: false, why: 'already_decided' }),
    ]);

    const done = await service.run(request.id, new RecordingReporter());
    expect(service.counts(done)).toMatchObject({ success: 5 });
    expect(provider.holdings.get('u0')).toEqual([]);
  });

  it('rejects with a reason; a rejected request never runs', async () => {
    const { service, request, provider } = await pendingRevocation();
    const rejected = await service.reject(request.id, 'U_A1', 'Wrong customer');
    expect(rejected).toMatchObject({
      ok: true,
      request: { status: 'rejected' },
      approval: { status: 'rejected', decisionReason: 'Wrong customer' },
    });
    await expect(service.run(request.id, new RecordingReporter())).rejects.toThrow(/rejected/);
    expect(provider.calls).toHaveLength(0);
    expect((await store.listAudit({ requestId: request.id, limit: 5 }))[0]).toMatchObject({
      action: 'rejected',
      actor: 'U_A1',
    });
  });

  it('expires approvals after the TTL, on decision and in bulk', async () => {
    const first = await pendingRevocation();
    clock = new Date('2025-03-02T09:00:01Z');
    expect(await first.service.approve(first.request.id, 'U_A1')).toMatchObject({
      ok: false,
      why: 'expired',
      approval: { status: 'expired' },
    });
    expect((await store.getRequest(first.request.id))?.status).toBe('expired');
    expect(await first.service.approve(first.request.id, 'U_A1')).toMatchObject({
      ok: false,
      why: 'expired',
    });

    clock = new Date('2025-03-01T09:00:00Z');
    const second = await pendingRevocation();
    expect(await second.service.expireApprovals()).toEqual([]);
    clock = new Date('2025-03-03T00:00:00Z');
    expect(await second.service.pendingApprovals(10)).toEqual([]);
    const expired = await second.service.expireApprovals();
    expect(expired.map((a) => a.requestId)).toEqual([second.request.id]);
    expect(await second.service.approve('req_unknown', 'U_A1')).toMatchObject({
      ok: false,
      why: 'not_found',
    });
  });

  it('resumes an interrupted request without applying anything twice', async () => {
    const { service, provider, userIds } = setup();
    const submitted = await submitAccepted(service, {
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: null }],
    });
    // A process stopped after applying u0 (recorded) and u1 (not recorded).
    await store.transitionRequest(submitted.request.id, ['approved'], 'running', { startedAt: 'before' });
    await store.recordResults(submitted.request.id, [
      { userId: 'u0', skuId: 'e3', op: 'assign', outcome: 'success', at: 'before' },
    ]);
    provider.hold('u0', [makeLicense('e3')]).hold('u1', [makeLicense('e3')]);

    expect((await service.interruptedRequests()).map((r) => r.id)).toEqual([submitted.request.id]);
    const done = await service.run(submitted.request.id, new RecordingReporter());
    expect(service.counts(done)).toMatchObject({ done: 5, success: 5 });
    expect(done.startedAt).toBe('before');
    expect(provider.calls.map((c) => c.userId)).toEqual(['u2', 'u3', 'u4']);
    expect(await service.interruptedRequests()).toEqual([]);
  });

  it('counts approved requests that never started as interrupted, except those this process starts', async () => {
    const { service, provider, userIds } = setup();
    const immediate = await submitAccepted(service, {
      userIds: userIds.slice(0, 2),
      assign: [{ skuId: 'e3', disabledPlans: null }],
    });
    clock = new Date('2025-03-01T09:05:00Z');
    for (const id of userIds) provider.hold(id, [makeLicense('visio')]);
    const pending = await submitAccepted(service, {
      userIds,
      revoke: ['visio'],
      reason: 'Leavers',
    });
    expect(await service.approve(pending.request.id, 'U_A1')).toMatchObject({ ok: true });
    // Their listeners start them in this process.
    expect(await service.interruptedRequests()).toEqual([]);

    // The process stopped before either started: the next one finds both, oldest first.
    const restarted = serviceOn(provider);
    const found = await restarted.interruptedRequests();
    expect(found.map((r) => [r.id, r.status, r.startedAt])).toEqual([
      [immediate.request.id, 'approved', undefined],
      [pending.request.id, 'approved', undefined],
    ]);
    for (const request of found) await restarted.run(request.id, new RecordingReporter());
    expect(await restarted.interruptedRequests()).toEqual([]);
    expect(provider.holdings.get('u0')?.map((l) => l.skuId)).toEqual(['e3']);
    expect(provider.holdings.get('u4')).toEqual([]);
  });

  it('shows each product over the selection: holders, inherited holders and all/some/none', async () => {
    const { service, provider } = setup(3);
    provider.hold('u0', [makeLicense('e3')]);
    provider.hold('u1', [makeLicense('e3', { direct: false, viaGroups: ['g1'] })]);
    provider.hold('u2', [makeLicense('e3'), makeLicense('visio')]);
    const overview = await service.getLicenseOverview('cust', ['u0', 'u1', 'u2']);
    expect(
      overview.map(({ product, holders, inheritedHolders, state }) => [
        product.skuId,
        holders,
        inheritedHolders,
        state,
      ]),
    ).toEqual([
      ['e3', ['u0', 'u2'], ['u1'], 'all'],
      ['visio', ['u2'], [], 'some'],
    ]);
    expect((await service.getLicenseOverview('cust', ['u0']))[1]?.state).toBe('none');
  });

  it("predicts per product who would get it, with the provider's rules and the plans turned off", async () => {
    const customer = makeCustomer({ id: 'cust' });
    const users = [makeUser({ id: 'a' }), makeUser({ id: 'b', usageLocation: null }), makeUser({ id: 'c' })];
    const plans = (...ids: string[]) => ids.map((id) => ({ id, name: id }));
    const provider = new FakeLicenseProvider(customer, users, [
      makeProduct({ skuId: 'e1', servicePlans: plans('sp1') }),
      makeProduct({ skuId: 'e3', servicePlans: plans('sp2', 'mail') }),
    ]);
    provider.hold('c', [makeLicense('e1')]);
    const rules: LicensingRules = { ...NO_RULES, exclusions: [{ plans: ['sp1', 'sp2'], exemptSkus: [] }] };
    const service = serviceOn(Object.assign(provider, { licensingRules: async () => rules }));
    const e3Of = async (off?: Record<string, string[]>) =>
      (await service.getLicenseOverview('cust', ['a', 'b', 'c'], off)).find((p) => p.product.skuId === 'e3')
        ?.prediction;
    expect(await e3Of()).toEqual({
      skuId: 'e3',
      gets: ['a'],
      holds: [],
      cannot: [
        { userId: 'b', reason: 'usage_location_missing' },
        { userId: 'c', reason: 'mutually_exclusive', blockingSkuId: 'e1' },
      ],
    });
    expect((await e3Of({ e3: ['sp2'] }))?.gets).toEqual(['a', 'c']);
  });

  it('counts the direct holders whose plans the plans turned off would change, as the plan re-assigns them', async () => {
    const customer = makeCustomer({ id: 'cust' });
    const users = ['a', 'b', 'c', 'd', 'e'].map((id) => makeUser({ id }));
    const plans = (...ids: string[]) => ids.map((id) => ({ id, name: id }));
    const provider = new FakeLicenseProvider(customer, users, [
      makeProduct({ skuId: 'e3', servicePlans: plans('apps', 'mail') }),
    ]);
    provider.hold('a', [makeLicense('e3')]);
    provider.hold('b', [makeLicense('e3', { disabledPlans: ['apps'] })]);
    provider.hold('c', [makeLicense('e3', { direct: false, viaGroups: ['g1'] })]);
    provider.hold('d', [makeLicense('e3', { disabledPlans: ['mail'] })]);
    const service = serviceOn(provider);
    const e3Of = async (off?: Record<string, string[]>) =>
      (await service.getLicenseOverview('cust', ['a', 'b', 'c', 'd', 'e'], off))[0];
    // a and d change; b has these plans already; c holds it through a group (its plans are the group's).
    expect((await e3Of({ e3: ['apps'] }))?.planChanges).toBe(2);
    expect((await e3Of({ e3: [] }))?.planChanges).toBe(2);
    expect((await e3Of())?.planChanges).toBe(0);
    expect((await e3Of({ e3: ['apps'] }))?.prediction?.gets).toEqual(['e']);
  });

  it('keeps a report target and lists recent requests', async () => {
    const { service, userIds } = setup();
    const submitted = await submitAccepted(service, {
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: null }],
    });
    await service.setReportTarget(submitted.request.id, { channel: 'C9', ts: '1.2' });
    const [recent] = await service.recentRequests('U_OP', 5);
    expect(recent).toMatchObject({
      id: submitted.request.id,
      status: 'approved',
      report: { channel: 'C9', ts: '1.2' },
    });
    expect(await service.recentRequests('U_OTHER', 5)).toEqual([]);
  });
});

describe('the approval rule cannot be dodged', () => {
  it('counts turning service plans off for holders as revocations', async () => {
    const { service, provider, userIds } = setup(8);
    for (const id of userIds) provider.hold(id, [makeLicense('e3')]);
    const input = {
      customerId: 'cust',
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: ['plan-a', 'plan-b'] }],
      revoke: [],
      requestedBy: 'U_OP',
    };
    const prepared = await service.prepare(input);
    expect(prepared).toMatchObject({
      ok: true,
      revocations: 0,
      needsApproval: true,
      basis: { planRemovals: 8, own: 8 },
    });
    const submitted = await service.submit({ ...input, reason: 'Trim E3' });
    expect(submitted).toMatchObject({
      ok: true,
      needsApproval: true,
      request: { status: 'pending_approval' },
    });
    // Plans that were already off, turned off again, take nothing away.
    for (const id of userIds) provider.hold(id, [makeLicense('e3', { disabledPlans: ['plan-a'] })]);
    expect(
      await service.prepare({ ...input, assign: [{ skuId: 'e3', disabledPlans: ['plan-a'] }] }),
    ).toMatchObject({ ok: false, problems: [{ kind: 'empty' }] });
  });

  it('keeps on each request what the policy counted, whether it needs approval and its draft', async () => {
    const { service, provider, userIds } = setup(4);
    for (const id of userIds) provider.hold(id, [makeLicense('visio')]);
    const small = await submitAccepted(service, {
      userIds: ['u0'],
      revoke: ['visio'],
      draftId: 'drf_small',
    });
    expect(await store.getRequest(small.request.id)).toMatchObject({
      draftId: 'drf_small',
      revocations: 1,
      approvalRequired: false,
      approvalBasis: { own: 1, earlierRevocations: 0, needsApproval: false },
    });
    const large = await submitAccepted(service, {
      userIds: ['u1', 'u2'],
      revoke: ['visio'],
      reason: 'Leavers',
    });
    expect(await store.getRequest(large.request.id)).toMatchObject({
      status: 'pending_approval',
      revocations: 2,
      approvalRequired: true,
      approvalBasis: { own: 2, earlierRequests: 1, earlierRevocations: 1, total: 3, needsApproval: true },
    });
    // A request a manager rejected took nothing away: it does not count.
    await service.reject(large.request.id, 'U_BOSS', 'No');
    expect(
      await service.prepare({
        customerId: 'cust',
        userIds: ['u3'],
        assign: [],
        revoke: ['visio'],
        requestedBy: 'U_OP',
      }),
    ).toMatchObject({ ok: true, needsApproval: false, basis: { earlierRevocations: 1, total: 2 } });
  });

  it('sums one operator’s requests on one customer over the window', async () => {
    const { service, provider, userIds } = setup(8);
    for (const id of userIds) provider.hold(id, [makeLicense('visio')]);
    const revoke = (users: string[], requestedBy = 'U_OP') =>
      service.submit({ customerId: 'cust', userIds: users, assign: [], revoke: ['visio'], requestedBy });

    expect(await revoke(['u0', 'u1'])).toMatchObject({ ok: true, needsApproval: false });
    // Another operator has a window of their own.
    expect(await revoke(['u2', 'u3'], 'U_OTHER')).toMatchObject({ ok: true, needsApproval: false });
    const second = await revoke(['u4', 'u5']);
    expect(second).toMatchObject({
      ok: false,
      problems: [
        { kind: 'reason_required', basis: { own: 2, earlierRequests: 1, earlierRevocations: 2, total: 4 } },
      ],
    });
    // Outside the window the earlier request no longer counts.
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    expect(await revoke(['u4', 'u5'])).toMatchObject({ ok: true, needsApproval: false });
  });

  it('does not count a request a manager approved, and lets no two racing submissions slip under', async () => {
    const { service, provider, userIds } = setup(8);
    for (const id of userIds) provider.hold(id, [makeLicense('visio')]);
    const big = await submitAccepted(service, {
      userIds: ['u0', 'u1', 'u2'],
      revoke: ['visio'],
      reason: 'Leavers',
    });
    await service.approve(big.request.id, 'U_BOSS');
    const racing = await Promise.all(
      [
        ['u3', 'u4'],
        ['u5', 'u6'],
      ].map((users) =>
        service.submit(
          contosoChange({
            userIds: users,
            revoke: ['visio'],
          }),
        ),
      ),
    );
    // The approved one does not count; of the two racing ones, the second sees the first.
    expect(racing.map((result) => result.ok)).toEqual([true, false]);
  });
});
