/**
 * The executor against the demo tenant: the oracle is the same plan run on an identical tenant
 * without faults. Under injected 429s, 5xx and time-outs, and across crashes at random points,
 * every part must end with the oracle's outcome and the tenant with the oracle's holdings.
 */

import { beforeEach, describe, expect, it } from 'vitest';
import { type RunOptions, runRequest } from '../../src/licensing/executor.js';
import type { ChangeRequest, UserChange } from '../../src/licensing/model.js';
import { countResults } from '../../src/licensing/run-counts.js';
import { DemoProvider, type DemoProviderOptions } from '../../src/providers/demo/demo-provider.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, generateCustomer } from '../../src/providers/demo/generator.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import { plannedRequest, quickRunOptions } from './executor-setup.js';
import { storedRequest } from './stored-request.js';

const stores = useTempStores();
let store: LowdbStore;

beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 10 });
});

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const customer: DemoCustomerData = generateCustomer({ seed: 7, users: 150, id: 'bench-cust' });

function demo(options: Omit<DemoProviderOptions, 'data'> = {}): DemoProvider {
  return new DemoProvider({ data: { version: 1, customers: [structuredClone(customer)] }, ...options });
}

function plan(provider: LicenseProvider): Promise<ChangeRequest> {
  return plannedRequest(
    provider,
    { id: 'bench-cust', tenantId: customer.customer.tenantId },
    customer.users,
    {
      assign: [
        { skuId: DEMO_SKUS.VISIOCLIENT, disabledPlans: null },
        { skuId: DEMO_SKUS.PROJECTPROFESSIONAL, disabledPlans: null },
      ],
      revoke: [DEMO_SKUS.FLOW_FREE, DEMO_SKUS.EMS],
    },
  );
}

const runOptions = (provider: LicenseProvider, extra: Partial<RunOptions> = {}): RunOptions =>
  quickRunOptions(provider, store, {
    concurrency: 8,
    tenantWritesPerSecond: 5000,
    maxAttempts: 12,
    maxDelayMs: 10,
    ...extra,
  });

/** What the same plan gives on an identical tenant without faults. */
async function oracle() {
  const provider = demo();
  const request = await plan(provider);
  await store.saveRequest(request);
  const done = await runRequest(request, runOptions(provider));
  const outcomes = Object.fromEntries(
    Object.entries(done.results).map(([key, r]) => [key, `${r.outcome}${r.reason ? `:${r.reason}` : ''}`]),
  );
  const holdings = Object.fromEntries(
    customer.users.map((u) => [u.id, provider.holdingsOf('bench-cust', u.id)]),
  );
  return { outcomes, holdings, counts: countResults(done) };
}

function outcomesOf(request: ChangeRequest) {
  return Object.fromEntries(
    Object.entries(request.results).map(([key, r]) => [key, `${r.outcome}${r.reason ? `:${r.reason}` : ''}`]),
  );
}

const sortedHoldings = (provider: DemoProvider, userId: string) =>
  provider
    .holdingsOf('bench-cust', userId)
    .map((l) => ({ ...l, disabledPlans: [...l.disabledPlans].sort() }))
    .sort((a, b) => a.skuId.localeCompare(b.skuId));

/** Wraps a provider: counts each applied part, and "crashes" (a plain Error) once the budget is spent. */
class CrashingProvider implements LicenseProvider {
  readonly kind = 'demo' as const;
  readonly appliedParts = new Map<string, number>();
  budget = Number.POSITIVE_INFINITY;
  crashAfterApply = false;

  constructor(private readonly inner: DemoProvider) {}

  searchCustomers = (q: string, l: number) => this.inner.searchCustomers(q, l);
  getCustomer = (id: string) => this.inner.getCustomer(id);
  searchUsers: LicenseProvider['searchUsers'] = (c, q) => this.inner.searchUsers(c, q);
  getUsers: LicenseProvider['getUsers'] = (c, ids) => this.inner.getUsers(c, ids);
  findUsersByEmail: LicenseProvider['findUsersByEmail'] = (c, e) => this.inner.findUsersByEmail(c, e);
  listProducts = (c: string) => this.inner.listProducts(c);
  getHoldings: LicenseProvider['getHoldings'] = (c, ids) => this.inner.getHoldings(c, ids);

  async applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void> {
    if (this.budget <= 0) throw new Error('crash: the process stopped');
    this.budget--;
    await this.inner.applyUserChange(customerId, userId, change);
    for (const part of change.assign) this.#count(`${userId}|${part.skuId}|assign`);
    for (const skuId of change.revoke) this.#count(`${userId}|${skuId}|revoke`);
    if (this.budget <= 0 && this.crashAfterApply) throw new Error('crash: stopped before recording');
  }

  #count(key: string): void {
    this.appliedParts.set(key, (this.appliedParts.get(key) ?? 0) + 1);
  }
}

describe('runRequest on the demo tenant', () => {
  it('ends every part in the right state under 20 % throttling plus 5xx and time-outs', async () => {
    const expected = await oracle();
    expect(expected.counts.failed).toBeGreaterThan(0); // the scripted failure cases are in the plan
    expect(expected.counts.success).toBeGreaterThan(100);

    const provider = demo({
      faults: { throttleRate: 0.2, serverErrorRate: 0.05, timeoutRate: 0.05, retryAfterMs: 3, timeoutMs: 2 },
      random: seeded(42),
    });
    const request = await plan(provider);
    await store.saveRequest(request);
    const done = await runRequest(request, runOptions(provider));

    expect(provider.stats.faults).toBeGreaterThan(30);
    expect(outcomesOf(done)).toEqual(expected.outcomes);
    for (const user of customer.users) {
      expect(provider.holdingsOf('bench-cust', user.id)).toEqual(expected.holdings[user.id]);
    }
    await store.flush();
    expect(outcomesOf(await storedRequest(store, request.id))).toEqual(expected.outcomes);
  });

  it.each([1, 2, 3])(
    'interrupted at random points (seed %i) and resumed, applies nothing twice and loses nothing',
    async (seed) => {
      const expected = await oracle();
      const random = seeded(seed);
      const inner = demo({ faults: { throttleRate: 0.1, serverErrorRate: 0.05, retryAfterMs: 2 }, random });
      const provider = new CrashingProvider(inner);
      const request = await plan(provider);
      await store.saveRequest(request);

      let crashes = 0;
      let done: ChangeRequest | null = null;
      for (let round = 0; round < 50 && !done; round++) {
        provider.budget = 1 + Math.floor(random() * 60);
        provider.crashAfterApply = random() < 0.5;
        const current = await storedRequest(store, request.id);
        try {
          done = await runRequest(current, runOptions(provider, { resumed: round > 0 }));
        } catch (error) {
          expect(String(error)).toContain('crash');
          crashes++;
        }
      }

      expect(crashes).toBeGreaterThan(2);
      if (done === null) throw new Error('the run never finished');
      const twice = [...provider.appliedParts].filter(([, count]) => count > 1);
      expect(twice).toEqual([]);
      expect(outcomesOf(done)).toEqual(expected.outcomes);
      for (const user of customer.users) {
        const want = [...(expected.holdings[user.id] ?? [])]
          .map((l) => ({ ...l, disabledPlans: [...l.disabledPlans].sort() }))
          .sort((a, b) => a.skuId.localeCompare(b.skuId));
        expect(sortedHoldings(inner, user.id)).toEqual(want);
      }
    },
  );
});
