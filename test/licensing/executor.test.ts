import { beforeEach, describe, expect, it } from 'vitest';
import { RunInterruptedError, type RunOptions, runRequest } from '../../src/licensing/executor.js';
import type { AssignChoice, ChangeRequest, UserChange } from '../../src/licensing/model.js';
import { countResults } from '../../src/licensing/run-counts.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import { plannedRequest, quickRunOptions } from './executor-setup.js';
import { FakeLicenseProvider } from './fake-license-provider.js';
import { storedRequest } from './stored-request.js';

const stores = useTempStores();
let store: LowdbStore;

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 5 });
});

function tenant(userCount: number) {
  const customer = makeCustomer({ id: 'cust', tenantId: 'tenant' });
  const users = Array.from({ length: userCount }, (_, i) =>
    makeUser({ id: `u${String(i).padStart(3, '0')}` }),
  );
  const products = [
    makeProduct({ skuId: 'e3', total: 1000 }),
    makeProduct({ skuId: 'visio', total: 1000 }),
    makeProduct({ skuId: 'addon', total: 1000 }),
  ];
  return { customer, users, provider: new FakeLicenseProvider(customer, users, products) };
}

/** The plan of `choice` for every user of the tenant, saved as a running request. */
async function savedRequest(
  provider: FakeLicenseProvider,
  choice: { assign?: AssignChoice[]; revoke?: string[] },
): Promise<ChangeRequest> {
  const request = await plannedRequest(provider, provider.customer, [...provider.users.values()], choice);
  await store.saveRequest(request);
  return request;
}

const options = (provider: FakeLicenseProvider, overrides: Partial<RunOptions> = {}) =>
  quickRunOptions(provider, store, overrides);

const assignAll = (skuId: string): AssignChoice => ({ skuId, disabledPlans: null });

describe('runRequest', () => {
  it('applies every user once, records each result in the store and reports the run', async () => {
    const { provider } = tenant(20);
    provider.hold('u000', [makeLicense('e3')]);
    const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });
    const reporter = new RecordingReporter();

    const done = await runRequest(request, options(provider, { reporter }));

    expect(countResults(done)).toEqual({ total: 40, done: 40, success: 39, noop: 1, failed: 0 });
    expect(provider.calls).toHaveLength(20);
    for (const user of provider.users.values()) {
      expect(
        provider.holdings
          .get(user.id)
          ?.map((l) => l.skuId)
          .sort(),
      ).toEqual(['e3', 'visio']);
    }
    await store.flush();
    expect(countResults(await storedRequest(store, request.id))).toEqual(countResults(done));
    expect(reporter.of('started')).toHaveLength(1);
    expect(reporter.of('itemDone')).toHaveLength(20);
    expect(reporter.of('finished')).toEqual([expect.objectContaining({ counts: countResults(done) })]);
    expect(reporter.events.at(-1)?.kind).toBe('finished');
  });

  it('keeps the number of parallel calls within the concurrency', async () => {
    const { provider } = tenant(30);
    provider.latencyMs = 5;
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    await runRequest(request, options(provider, { concurrency: 4 }));
    expect(provider.maxInFlight).toBe(4);
  });

  it('retries a refused multi-product call product by product so each gets its own result', async () => {
    const { provider } = tenant(2);
    provider.refuse = (userId, change) =>
      userId === 'u001' && change.assign.some((a) => a.skuId === 'visio')
        ? new LicenseProviderError('usage_location_not_allowed', 'not in your country', { skuId: 'visio' })
        : undefined;
    const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });

    const done = await runRequest(request, options(provider));

    expect(done.results['u000|e3|assign']?.outcome).toBe('success');
    expect(done.results['u000|visio|assign']?.outcome).toBe('success');
    expect(done.results['u001|e3|assign']?.outcome).toBe('success');
    expect(done.results['u001|visio|assign']).toMatchObject({
      outcome: 'failed',
      reason: 'usage_location_not_allowed',
      detail: 'not in your country',
    });
    expect(provider.holdings.get('u001')?.map((l) => l.skuId)).toEqual(['e3']);
  });

  it('does not try product by product when the refusal is about the user', async () => {
    const { provider } = tenant(1);
    provider.refuse = () => new LicenseProviderError('usage_location_missing', 'no usage location');
    const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });
    const done = await runRequest(request, options(provider));
    expect(provider.calls).toHaveLength(1);
    expect(countResults(done)).toMatchObject({ failed: 2 });
    expect(done.results['u000|visio|assign']?.reason).toBe('usage_location_missing');
  });

  it('gives a product refused for its order another pass once the others landed', async () => {
    const { provider } = tenant(1);
    // The add-on needs e3, which the plan lists after it.
    provider.refuse = (userId, change) => {
      const hasBase = provider.holdings.get(userId)?.some((l) => l.skuId === 'e3') ?? false;
      const wantsAddon = change.assign.some((a) => a.skuId === 'addon');
      const bringsBase = change.assign.some((a) => a.skuId === 'e3');
      return wantsAddon && !hasBase && (!bringsBase || change.assign[0]?.skuId === 'addon')
        ? new LicenseProviderError('missing_prerequisite', 'needs e3')
        : undefined;
    };
    const request = await savedRequest(provider, { assign: [assignAll('addon'), assignAll('e3')] });
    const done = await runRequest(request, options(provider));
    expect(countResults(done)).toMatchObject({ success: 2, failed: 0 });
  });

  it('retries transient failures and honours Retry-After', async () => {
    const { provider } = tenant(3);
    const failures = new Map<string, number>();
    provider.refuse = (userId) => {
      const count = failures.get(userId) ?? 0;
      if (count >= 2) return undefined;
      failures.set(userId, count + 1);
      return new LicenseProviderError('throttled', 'Too many requests', {
        transient: true,
        retryAfterMs: 30,
      });
    };
    const sleeps: number[] = [];
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const done = await runRequest(
      request,
      options(provider, {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
    );
    expect(countResults(done)).toMatchObject({ success: 3, failed: 0 });
    expect(provider.calls).toHaveLength(9);
    // Six backoffs of at least the Retry-After (plus ≤ 20 % jitter); the tenant's pacer also held back.
    expect(sleeps.filter((ms) => ms >= 30 && ms <= 36).length).toBeGreaterThanOrEqual(6);
    expect(sleeps.every((ms) => ms <= 36)).toBe(true);
  });

  it.each([
    ['throttled', 'throttled'],
    ['provider_error', 'provider_error'],
    ['usage_location_missing', 'provider_error'],
  ] as const)('after the last attempt a transient %s becomes %s', async (reason, expected) => {
    const { provider } = tenant(1);
    provider.refuse = () => new LicenseProviderError(reason, 'busy', { transient: true });
    const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });
    const done = await runRequest(request, options(provider, { maxAttempts: 3 }));
    expect(provider.calls).toHaveLength(3);
    expect(Object.values(done.results).map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', expected],
      ['failed', expected],
    ]);
  });

  it('counts a retried change whose first call landed as applied, not as refused', async () => {
    const { provider } = tenant(1);
    provider.hold('u000', [makeLicense('e3')]);
    let first = true;
    provider.failAfterApply = () => {
      if (!first) return undefined;
      first = false;
      return new LicenseProviderError('provider_error', 'The request timed out.', { transient: true });
    };
    const request = await savedRequest(provider, { revoke: ['e3'] });
    const done = await runRequest(request, options(provider));
    expect(provider.applied.get('u000')).toBe(1);
    expect(done.results['u000|e3|revoke']).toMatchObject({ outcome: 'success' });
  });

  const timedOut = () => new LicenseProviderError('provider_error', 'timed out', { transient: true });

  it.each([1, 3])(
    'counts a change that landed although all %i attempts timed out as applied, not as failed',
    async (maxAttempts) => {
      const { provider } = tenant(1);
      provider.failAfterApply = timedOut;
      const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });
      const done = await runRequest(request, options(provider, { maxAttempts }));
      expect(Object.values(done.results).map((r) => [r.skuId, r.outcome, r.reason])).toEqual([
        ['e3', 'success', undefined],
        ['visio', 'success', undefined],
      ]);
      // One call per attempt and none after the holdings check: no product-by-product re-apply.
      expect(provider.calls).toHaveLength(maxAttempts);
      expect(provider.applied.get('u000')).toBe(maxAttempts);
      expect(provider.holdings.get('u000')?.map((l) => l.skuId)).toEqual(['e3', 'visio']);
      expect(provider.products.get('e3')?.consumed).toBe(1);
    },
  );

  it('fails a change whose every attempt timed out when the holdings show it did not land', async () => {
    const { provider } = tenant(2);
    provider.refuse = timedOut;
    const read = provider.getHoldings.bind(provider);
    let reads = 0;
    provider.getHoldings = async (customerId, userIds) => {
      reads++;
      // u001's check after the attempts fails too: its failure stands.
      if (userIds.length === 1 && userIds[0] === 'u001') throw timedOut();
      return read(customerId, userIds);
    };
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    reads = 0;
    const done = await runRequest(request, options(provider, { maxAttempts: 2, concurrency: 1 }));
    expect(done.results['u000|e3|assign']).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
    expect(done.results['u001|e3|assign']).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
    expect(provider.applied.size).toBe(0);
    // The batch read, u000's check, and u001's check on both attempts.
    expect(reads).toBe(4);
  });

  it('turns parts that no longer apply at run time into no-ops, and settles inherited and missing users', async () => {
    const { provider } = tenant(4);
    provider.hold('u001', [makeLicense('visio')]).hold('u002', [makeLicense('visio')]);
    provider.hold('u003', [makeLicense('visio')]);
    const request = await savedRequest(provider, { assign: [assignAll('e3')], revoke: ['visio'] });
    // Between planning and running (an approval wait), the tenant changed.
    provider.hold('u000', [makeLicense('e3')]);
    provider.hold('u001', []);
    provider.hold('u002', [makeLicense('visio', { direct: false, viaGroups: ['g'] })]);
    provider.users.delete('u003');

    const done = await runRequest(request, options(provider));

    expect(done.results['u000|e3|assign']?.outcome).toBe('noop');
    expect(done.results['u001|visio|revoke']?.outcome).toBe('noop');
    expect(done.results['u002|visio|revoke']).toMatchObject({
      outcome: 'failed',
      reason: 'inherited_from_group',
    });
    expect(done.results['u003|e3|assign']).toMatchObject({ outcome: 'failed', reason: 'user_not_found' });
    expect(provider.calls.map((c) => c.userId)).toEqual(['u001', 'u002']);
  });

  it('skips what is already recorded and records an applied-but-unrecorded part as success on resume', async () => {
    const { provider } = tenant(3);
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    await store.recordResults(request.id, [
      { userId: 'u000', skuId: 'e3', op: 'assign', outcome: 'success', at: 'earlier' },
    ]);
    // u001 was applied by the interrupted run, which stopped before recording it.
    provider.hold('u001', [makeLicense('e3')]);
    const stored = await storedRequest(store, request.id);

    const done = await runRequest(stored, options(provider, { resumed: true }));

    expect(provider.calls.map((c) => c.userId)).toEqual(['u002']);
    expect(done.results['u000|e3|assign']?.at).toBe('earlier');
    expect(done.results['u001|e3|assign']?.outcome).toBe('success');
    expect(countResults(done)).toMatchObject({ done: 3, success: 3 });
  });

  it('stops on a crash, and a resumed run applies nothing twice and loses nothing', async () => {
    const { provider } = tenant(40);
    const request = await savedRequest(provider, { assign: [assignAll('e3'), assignAll('visio')] });
    const apply = provider.applyUserChange.bind(provider);
    let calls = 0;
    provider.applyUserChange = async (customerId: string, userId: string, change: UserChange) => {
      calls++;
      if (calls > 13) throw new Error('process crashed');
      await apply(customerId, userId, change);
    };
    await expect(runRequest(request, options(provider, { concurrency: 3 }))).rejects.toThrow(
      'process crashed',
    );
    provider.applyUserChange = apply;
    const interrupted = await storedRequest(store, request.id);
    expect(countResults(interrupted).done).toBeLessThan(80);

    const done = await runRequest(interrupted, options(provider, { resumed: true, concurrency: 3 }));

    expect(countResults(done)).toMatchObject({ total: 80, done: 80, success: 80 });
    for (const user of provider.users.values()) expect(provider.applied.get(user.id)).toBe(1);
  });

  it('stops taking items when its signal is aborted, records what was in flight, and resumes without doubles', async () => {
    const { provider } = tenant(40);
    provider.latencyMs = 3;
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const stop = new AbortController();
    const apply = provider.applyUserChange.bind(provider);
    provider.applyUserChange = async (customerId: string, userId: string, change: UserChange) => {
      if (provider.calls.length === 10) stop.abort();
      await apply(customerId, userId, change);
    };

    await expect(
      runRequest(request, options(provider, { concurrency: 4, signal: stop.signal })),
    ).rejects.toBeInstanceOf(RunInterruptedError);

    const interrupted = await storedRequest(store, request.id);
    // Every call that was made finished and was recorded; nothing started after the abort but those in flight.
    expect(countResults(interrupted).done).toBe(provider.calls.length);
    expect(provider.calls.length).toBeLessThan(10 + 4);
    provider.applyUserChange = apply;
    const done = await runRequest(interrupted, options(provider, { resumed: true }));
    expect(countResults(done)).toMatchObject({ total: 40, done: 40, success: 40 });
    for (const user of provider.users.values()) expect(provider.applied.get(user.id)).toBe(1);
  });

  it('keeps what the backend said about an applied change as the result note', async () => {
    const { provider } = tenant(2);
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const apply = provider.applyUserChange.bind(provider);
    provider.applyUserChange = async (customerId: string, userId: string, change: UserChange) => {
      await apply(customerId, userId, change);
      return userId === 'u000' ? { warnings: ['Mailbox provisioning may take 24 hours.'] } : undefined;
    };

    const done = await runRequest(request, options(provider));

    expect(done.results['u000|e3|assign']).toMatchObject({
      outcome: 'success',
      note: 'Mailbox provisioning may take 24 hours.',
    });
    expect(done.results['u001|e3|assign']?.note).toBeUndefined();
  });

  it('tells the reporter nothing, and finishes nothing, that is not on disk yet', async () => {
    const { provider } = tenant(30);
    provider.latencyMs = 2;
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const onDisk = async () => {
      // A second store over the same directory reads only what reached the disk.
      const reader = await stores.open();
      return countResults(await storedRequest(reader, request.id)).done;
    };
    const checks: { told: number; saved: number }[] = [];
    const reporter = new RecordingReporter();
    const check = async (counts: { done: number }) => {
      checks.push({ told: counts.done, saved: await onDisk() });
    };
    reporter.progress = async (_request, counts) => check(counts);
    reporter.finished = async (_request, counts) => check(counts);

    // The finish hook saves the request as completed: its results must be on disk by then.
    const finish: RunOptions['finish'] = async (ran, counts) => {
      await check(counts);
      return ran;
    };
    await runRequest(request, options(provider, { reporter, concurrency: 3, progressIntervalMs: 0, finish }));

    expect(checks.length).toBeGreaterThan(2);
    expect(checks.at(-1)).toEqual({ told: 30, saved: 30 });
    for (const { told, saved } of checks) expect(saved).toBeGreaterThanOrEqual(told);
  });

  it('carries on when the reporter fails, and reports progress at most every interval', async () => {
    const { provider } = tenant(30);
    provider.latencyMs = 4;
    const reporter = new RecordingReporter();
    reporter.failWith = new Error('Slack is down');
    const warnings: unknown[] = [];
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const started = Date.now();
    const done = await runRequest(
      request,
      options(provider, {
        reporter,
        concurrency: 1,
        progressIntervalMs: 40,
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
      }),
    );
    const elapsed = Date.now() - started;
    expect(countResults(done).success).toBe(30);
    expect(reporter.of('finished')).toHaveLength(1);
    const progress = reporter.of('progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.floor(elapsed / 40));
    expect(warnings.length).toBe(reporter.events.length);
  });

  it('passes the request through the finish hook before reporting it finished', async () => {
    const { provider } = tenant(1);
    const reporter = new RecordingReporter();
    const request = await savedRequest(provider, { assign: [assignAll('e3')] });
    const done = await runRequest(
      request,
      options(provider, { reporter, finish: async (r) => ({ ...r, status: 'completed' }) }),
    );
    expect(done.status).toBe('completed');
    expect(reporter.of('finished')[0]?.status).toBe('completed');
  });
});
