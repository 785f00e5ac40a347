import { assert, beforeEach, describe, expect, it } from 'vitest';
import { RunInterruptedError } from '../../src/licensing/executor.js';
import { countResults } from '../../src/licensing/run-counts.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeLicense, makeProduct } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import { contoso, contosoChange, quickService, submitAccepted } from './service-setup.js';

const stores = useTempStores();
let store: LowdbStore;

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 5 });
});

function setup(userCount: number) {
  const { provider, userIds } = contoso(userCount, [
    makeProduct({ skuId: 'e3', name: 'Office 365 E3', total: 1000 }),
  ]);
  const service = quickService(provider, store, {
    concurrency: 4,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { provider, service, userIds };
}

describe('LicensingService.stop', () => {
  it('stops a run between items, keeps what landed, refuses new runs, and a new process finishes it', async () => {
    const { provider, service, userIds } = setup(60);
    provider.latencyMs = 5;
    const submitted = await submitAccepted(service, {
      userIds,
      assign: [{ skuId: 'e3', disabledPlans: null }],
    });
    const running = service.run(submitted.request.id, new RecordingReporter());
    running.catch(() => {});
    while (provider.calls.length < 8) await new Promise((resolve) => setTimeout(resolve, 2));

    await service.stop(5_000);

    await expect(running).rejects.toBeInstanceOf(RunInterruptedError);
    await expect(service.run(submitted.request.id, new RecordingReporter())).rejects.toBeInstanceOf(
      RunInterruptedError,
    );
    const stored = await store.getRequest(submitted.request.id);
    assert.exists(stored);
    expect(stored.status).toBe('running');
    expect(countResults(stored).done).toBe(provider.calls.length);
    expect(provider.calls.length).toBeLessThan(60);

    // The next process: a new service on the same store and tenant.
    const next = quickService(provider, store);
    const [interrupted] = await next.interruptedRequests();
    assert.exists(interrupted);
    const done = await next.run(interrupted.id, new RecordingReporter());
    expect(countResults(done)).toMatchObject({ total: 60, done: 60, success: 60 });
    for (const id of userIds) expect(provider.applied.get(id)).toBe(1);
  });
});

describe('decisions cut in half by a stop', () => {
  async function pending() {
    const context = setup(5);
    for (const id of context.userIds) context.provider.hold(id, [makeLicense('e3')]);
    const submitted = await context.service.submit(
      contosoChange({
        userIds: context.userIds,
        revoke: ['e3'],
        reason: 'Leavers',
      }),
    );
    if (!submitted.ok || !submitted.needsApproval) throw new Error('expected a pending request');
    return { ...context, requestId: submitted.request.id };
  }

  it('puts an approval decided without its request back to pending, so the manager decides again', async () => {
    const { service, requestId } = await pending();
    // The process stopped after the approval was saved and before the request moved.
    await store.decideApproval(requestId, ['pending'], {
      status: 'approved',
      decidedBy: 'U_BOSS',
      decidedAt: new Date().toISOString(),
    });

    expect(await service.interruptedRequests()).toEqual([]);

    expect(await store.getApproval(requestId)).toMatchObject({ status: 'pending' });
    expect((await store.getApproval(requestId))?.decidedBy).toBeUndefined();
    expect((await store.getRequest(requestId))?.status).toBe('pending_approval');
    const approved = await service.approve(requestId, 'U_BOSS');
    expect(approved).toMatchObject({ ok: true, request: { status: 'approved' } });
  });

  it('completes an expiry whose request did not move', async () => {
    const { service, requestId } = await pending();
    await store.decideApproval(requestId, ['pending'], {
      status: 'expired',
      decidedAt: new Date().toISOString(),
    });

    await service.interruptedRequests();

    expect((await store.getRequest(requestId))?.status).toBe('expired');
  });
});
