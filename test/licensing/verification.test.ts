/**
 * Verification: the pure check of reported results against holdings, and the runner's reads
 * (delay, batches, bounded re-reads of what disagrees, failed reads, deadline) against an
 * in-memory provider whose holdings change between reads as an eventually consistent tenant's do.
 */
import { describe, expect, it } from 'vitest';
import type { TenantCalls } from '../../src/licensing/execution/attempt.js';
import type { ChangeRequest, ItemResult, Outcome, UserLicense } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import type { RetryPolicy } from '../../src/licensing/retry.js';
import { agrees, mismatchesOf, type ReportedPart, reportedParts } from '../../src/licensing/verification.js';
import { type VerifyDeps, verifyRun } from '../../src/licensing/verification-run.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';
import {
  makeChangeRequest,
  makeCustomer,
  makeItem,
  makeLicense,
  makeProduct,
  makeUsers,
} from '../support/licensing-factories.js';
import { FakeLicenseProvider } from './fake-license-provider.js';

const E3 = 'sku-e3';
const VISIO = 'sku-visio';

const part = (op: 'assign' | 'revoke', outcome: Outcome, disabledPlans: string[] = []): ReportedPart => ({
  result: { userId: 'u1', skuId: E3, op, outcome },
  part: { op, skuId: E3, disabledPlans },
});

describe('agrees: what each reported result needs the tenant to show', () => {
  const direct = makeLicense(E3, { disabledPlans: ['p1'] });
  const viaGroup = makeLicense(E3, { direct: false, viaGroups: ['g1'] });
  const cases: [string, ReportedPart, UserLicense | undefined, boolean][] = [
    [
      'assign success, held directly with the planned plans off',
      part('assign', 'success', ['p1']),
      direct,
      true,
    ],
    ['assign success, other plans off', part('assign', 'success', []), direct, false],
    ['assign success, only through a group', part('assign', 'success', []), viaGroup, false],
    ['assign success, not held', part('assign', 'success'), undefined, false],
    ['revoke success, not held', part('revoke', 'success'), undefined, true],
    ['revoke success, still given by a group', part('revoke', 'success'), viaGroup, true],
    ['revoke success, still held directly', part('revoke', 'success'), direct, false],
    ['assign no change, held through a group', part('assign', 'noop'), viaGroup, true],
    ['assign no change, not held', part('assign', 'noop'), undefined, false],
    ['revoke no change, held directly', part('revoke', 'noop'), direct, false],
    ['assign failed, not held', part('assign', 'failed', ['p1']), undefined, true],
    ['assign failed, held as asked (a false failure)', part('assign', 'failed', ['p1']), direct, false],
    ['revoke failed, still held through a group', part('revoke', 'failed'), viaGroup, true],
    ['revoke failed, gone (a false failure)', part('revoke', 'failed'), undefined, false],
    [
      "an undo's revoke left as it is, the user holding it otherwise",
      { ...part('revoke', 'noop'), result: { ...part('revoke', 'noop').result, changedSince: true } },
      direct,
      true,
    ],
  ];
  it.each(cases)('%s', (_, reported, license, expected) => {
    expect(agrees(reported, license)).toBe(expected);
  });
});

/** A completed request: user 0 assigned E3 with plan p1 off, user 1 revoked Visio, user 2 failed E3. */
function finishedRun(at = new Date(0).toISOString()): ChangeRequest {
  const [a, b, c] = makeUsers(3);
  if (!a || !b || !c) throw new Error('three users');
  const results: ChangeRequest['results'] = {};
  const add = (r: Omit<ItemResult, 'at'>) => {
    results[resultKey(r.userId, r.skuId, r.op)] = { ...r, at };
  };
  add({ userId: a.id, skuId: E3, op: 'assign', outcome: 'success' });
  add({ userId: b.id, skuId: VISIO, op: 'revoke', outcome: 'success' });
  add({ userId: c.id, skuId: E3, op: 'assign', outcome: 'failed', reason: 'usage_location_missing' });
  const itemB = { ...makeItem(b, { revoke: [VISIO] }), noops: [{ skuId: E3, op: 'assign' as const }] };
  return makeChangeRequest({
    status: 'running',
    products: [
      { skuId: E3, name: 'Office 365 E3' },
      { skuId: VISIO, name: 'Visio Plan 2' },
    ],
    items: [
      makeItem(a, { assign: [{ skuId: E3, disabledPlans: ['p1'] }] }),
      itemB,
      makeItem(c, { assign: [{ skuId: E3, disabledPlans: [] }] }),
    ],
    results,
  });
}

describe('mismatchesOf', () => {
  it('checks every result and the planned no-ops without one, and says what the tenant showed', () => {
    const request = finishedRun();
    const [a, b, c] = request.items.map((item) => item.userId);
    const reported = reportedParts(request);
    expect(reported).toHaveLength(4);
    const holdings = new Map<string, UserLicense[]>([
      [a ?? '', [makeLicense(E3, { disabledPlans: [] })]],
      [b ?? '', [makeLicense(VISIO), makeLicense(E3, { direct: false, viaGroups: ['g'] })]],
      [c ?? '', []],
    ]);
    expect(mismatchesOf(reported, holdings)).toEqual([
      { userId: a, skuId: E3, op: 'assign', reported: 'success', found: 'other_plans' },
      { userId: b, skuId: VISIO, op: 'revoke', reported: 'success', found: 'held_directly' },
    ]);
    // A user the tenant no longer has: only what said they hold a product is contradicted.
    expect(mismatchesOf(reported, new Map([[b ?? '', []]]))).toEqual([
      { userId: a, skuId: E3, op: 'assign', reported: 'success', found: 'user_not_found' },
      { userId: b, skuId: E3, op: 'assign', reported: 'noop', found: 'not_held' },
    ]);
  });
});

/** A provider whose reads show `states[n]` at its n-th read (the last one from then on). */
class LaggingProvider extends FakeLicenseProvider {
  reads: string[][] = [];
  states: Map<string, UserLicense[]>[] = [];
  failing = false;
  override async getHoldings(customerId: string, userIds: readonly string[]) {
    this.reads.push([...userIds]);
    if (this.failing)
      throw new LicenseProviderError('provider_error', 'Service unavailable', { transient: true });
    const state = this.states[Math.min(this.reads.length - 1, this.states.length - 1)];
    if (state) for (const [id, licenses] of state) this.holdings.set(id, licenses);
    return super.getHoldings(customerId, userIds);
  }
}

function setUp(request: ChangeRequest, overrides: Partial<VerifyDeps> = {}) {
  const users = request.items.map((item) => ({
    id: item.userId,
    displayName: item.displayName,
    email: item.email,
    usageLocation: 'US',
  }));
  const provider = new LaggingProvider(makeCustomer(), users, [
    makeProduct({ skuId: E3 }),
    makeProduct({ skuId: VISIO }),
  ]);
  const slept: number[] = [];
  let clock = Date.parse('2026-01-01T00:00:10Z');
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock += ms;
  };
  const reads: RetryPolicy = {
    maxAttempts: 2,
    backoff: { baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
    sleep,
  };
  const calls: TenantCalls = { provider, customerId: request.customerId, reads, writes: reads };
  const deps: VerifyDeps = {
    calls,
    settings: { delayMs: 5_000, attempts: 3, retryDelayMs: 1_000 },
    batchSize: 2,
    sleep,
    now: () => new Date(clock),
    random: () => 0.5,
    logger: { warn() {} },
    ...overrides,
  };
  return { provider, deps, slept };
}

/** The holdings that agree with finishedRun's results. */
function agreeing(request: ChangeRequest): Map<string, UserLicense[]> {
  const [a, b, c] = request.items.map((item) => item.userId);
  return new Map([
    [a ?? '', [makeLicense(E3, { disabledPlans: ['p1'] })]],
    [b ?? '', [makeLicense(E3, { direct: false, viaGroups: ['g'] })]],
    [c ?? '', []],
  ]);
}

describe('verifyRun', () => {
  it('waits the delay after the last write, reads every touched user in batches, and says verified', async () => {
    const request = finishedRun('2026-01-01T00:00:08Z');
    const { provider, deps, slept } = setUp(request);
    provider.states = [agreeing(request)];
    const verdict = await verifyRun(request, deps);
    expect(verdict).toEqual({ at: '2026-01-01T00:00:13.000Z', checked: 4, mismatches: [] });
    // 5 s after the last result at :08, from :10: 3 s to wait.
    expect(slept).toEqual([3_000]);
    expect(provider.reads.map((ids) => ids.length)).toEqual([2, 1]);
  });

  it('ends verified when a read first shows the old state and then the new, within the attempts', async () => {
    const request = finishedRun();
    const { provider, deps, slept } = setUp(request);
    const stale = agreeing(request);
    const [a] = request.items.map((item) => item.userId);
    stale.set(a ?? '', []); // the first read of user a shows the assignment not there yet
    provider.states = [stale, stale, agreeing(request)];
    const verdict = await verifyRun(request, deps);
    expect(verdict.mismatches).toEqual([]);
    expect(verdict.unverified).toBeUndefined();
    // Two batches, then only user a (the one part that disagreed) is read again.
    expect(provider.reads).toEqual([[a, request.items[1]?.userId], [request.items[2]?.userId], [a]]);
    // No delay (the last write is long past); one backoff pause between the reads.
    expect(slept).toHaveLength(1);
  });

  it('reports a lasting difference as a mismatch after exactly `attempts` reads', async () => {
    const request = finishedRun();
    const { provider, deps, slept } = setUp(request);
    const lasting = agreeing(request);
    const [a] = request.items.map((item) => item.userId);
    lasting.set(a ?? '', []);
    provider.states = [lasting];
    const verdict = await verifyRun(request, deps);
    expect(verdict.mismatches).toEqual([
      { userId: a, skuId: E3, op: 'assign', reported: 'success', found: 'not_held' },
    ]);
    expect(provider.reads.slice(2)).toEqual([[a], [a]]);
    // Backoff between the reads: 1 s then 2 s ceilings, equal jitter at random 0.5 → 0.75 s, 1.5 s.
    expect(slept).toEqual([750, 1_500]);
  });

  it('says "could not verify" when the holdings cannot be read, never verified', async () => {
    const request = finishedRun();
    const { provider, deps } = setUp(request);
    provider.failing = true;
    const verdict = await verifyRun(request, deps);
    expect(verdict).toMatchObject({ checked: 4, mismatches: [], unverified: 'read_failed' });
    // The two batches read at once, each with the reads' own retries (2 attempts), and nothing more.
    expect(provider.reads).toHaveLength(4);
  });

  it('stops at its deadline rather than outlive a queued finisher, saying it could not verify', async () => {
    const request = finishedRun('2026-01-01T00:00:08Z');
    const { provider, deps } = setUp(request, { until: Date.parse('2026-01-01T00:00:12Z') });
    provider.states = [agreeing(request)];
    expect(await verifyRun(request, deps)).toMatchObject({ mismatches: [], unverified: 'out_of_time' });
    expect(provider.reads).toEqual([]);
  });
});
