/**
 * The executor names what blocked a refusal that names service plans: on the demo tenant's
 * scripted users, each such failure is recorded (and stored) with the products concerned, the
 * catalogue is read once per run, and the provider's own words go to the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderRunResults } from '../../blocks/run-results.js';
import { runRequest } from '../../src/licensing/executor.js';
import { failureMessages } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, demoCases, generateCustomer } from '../../src/providers/demo/generator.js';
import type { LowdbStore } from '../../src/store/lowdb-store.js';
import { useTempStores } from '../store/temp-store.js';
import {
  fakeGraphProvider,
  type GraphFake,
  makeTenant,
  SKU,
  startGraphFake,
} from '../support/graph-fake/index.js';
import { RecordingReporter } from '../support/recording-reporter.js';
import { plannedRequest } from './executor-setup.js';
import { storedRequest } from './stored-request.js';

const stores = useTempStores();
let store: LowdbStore;
beforeEach(async () => {
  store = await stores.open({ writeDelayMs: 10 });
});

const customer: DemoCustomerData = generateCustomer({ seed: 7, users: 150, id: 'cust' });

async function run(assign: string[], users: DemoCustomerData['users'], listFails = false) {
  const provider = new DemoProvider({ data: { version: 1, customers: [structuredClone(customer)] } });
  let catalogueReads = 0;
  const request = await plannedRequest(
    provider,
    { id: 'cust', tenantId: customer.customer.tenantId },
    users,
    { assign: assign.map((skuId) => ({ skuId, disabledPlans: null })) },
  );
  const listProducts = provider.listProducts.bind(provider);
  provider.listProducts = async (customerId: string) => {
    catalogueReads++;
    if (listFails) throw new Error('listing broke');
    return listProducts(customerId);
  };
  await store.saveRequest(request);
  const logged: string[] = [];
  const done = await runRequest(request, {
    provider,
    store,
    reporter: new RecordingReporter(),
    concurrency: 4,
    tenantWritesPerSecond: 5000,
    baseDelayMs: 1,
    maxDelayMs: 2,
    logger: {
      warn: (...parts) => logged.push(parts.join(' ')),
      info: (...parts) => logged.push(parts.join(' ')),
    },
  });
  return { done, catalogueReads, logged, stored: await storedRequest(store, request.id) };
}

const cases = demoCases(customer);

describe('runRequest names what blocked a refusal', () => {
  it('records the held product a conflict is with, stores it, reads the catalogue once, logs the raw words', async () => {
    const holders = customer.users
      .filter((u) => u.usageLocation !== null)
      .filter((u) => (customer.holdings[u.id] ?? []).some((l) => l.skuId === DEMO_SKUS.STANDARDPACK))
      .slice(0, 3);
    expect(holders.length).toBe(3);
    const { done, catalogueReads, logged, stored } = await run([DEMO_SKUS.ENTERPRISEPACK], holders);
    for (const user of holders) {
      const key = resultKey(user.id, DEMO_SKUS.ENTERPRISEPACK, 'assign');
      expect(done.results[key]).toMatchObject({
        reason: 'mutually_exclusive',
        blockedBy: { kind: 'conflict', held: true, products: [{ name: 'Office 365 E1' }] },
      });
      expect(stored.results[key]?.blockedBy).toEqual(done.results[key]?.blockedBy);
    }
    expect(catalogueReads).toBe(1);
    expect(logged.filter((line) => line.includes('are mutually exclusive'))).toHaveLength(3);
  });

  it('names the missing prerequisite and the country a plan is not sold in', async () => {
    const needs = await run([DEMO_SKUS.MCOMEETADV], [cases.unlicensed]);
    expect(
      needs.done.results[resultKey(cases.unlicensed.id, DEMO_SKUS.MCOMEETADV, 'assign')]?.blockedBy,
    ).toMatchObject({
      kind: 'needs',
      plans: expect.arrayContaining(['Microsoft Teams']),
    });
    const user = cases.outsideCallingPlanCountries;
    const abroad = await run([DEMO_SKUS.MCOPSTN1], [user]);
    expect(abroad.done.results[resultKey(user.id, DEMO_SKUS.MCOPSTN1, 'assign')]?.blockedBy).toEqual({
      kind: 'country',
      products: [],
      held: false,
      plans: ['Microsoft 365 Domestic Calling Plan'],
      country: user.usageLocation,
    });
  });

  it('reads no catalogue without such a refusal, and runs on when the read fails', async () => {
    const quiet = await run([DEMO_SKUS.ENTERPRISEPACK], [cases.unlicensed, cases.noUsageLocation]);
    expect(quiet.catalogueReads).toBe(0);
    const broken = await run([DEMO_SKUS.ENTERPRISEPACK], [cases.e1Holder], true);
    const result = broken.done.results[resultKey(cases.e1Holder.id, DEMO_SKUS.ENTERPRISEPACK, 'assign')];
    expect(result).toMatchObject({ outcome: 'failed', reason: 'mutually_exclusive' });
    expect(result?.blockedBy).toBeUndefined();
    expect(broken.logged.some((line) => line.includes('refusals are not named'))).toBe(true);
  });
});

describe('runRequest names what blocked a refusal on Microsoft Graph', () => {
  let graph: GraphFake | undefined;
  afterEach(async () => {
    await graph?.close();
    graph = undefined;
  });

  it('from the subscribed SKUs: the thread names Office 365 E1 and no id, though Graph named plan ids', async () => {
    const tenant = makeTenant({
      tenantId: '6a1f0000-0000-4000-8000-000000000013',
      users: 4,
      name: 'Contoso',
    });
    for (const user of tenant.users.slice(0, 3))
      user.licenses = [{ skuId: SKU.E1, disabledPlans: [], assignedByGroup: null }];
    graph = await startGraphFake({ tenants: [tenant] });
    const provider = fakeGraphProvider(graph, [tenant]);
    const users = await provider.getUsers(
      tenant.tenantId,
      tenant.users.map((u) => u.id),
    );
    const products = await provider.listProducts(tenant.tenantId);
    const request = await plannedRequest(
      provider,
      { id: tenant.tenantId, tenantId: tenant.tenantId },
      users,
      { assign: [{ skuId: SKU.E3, disabledPlans: null }] },
      { products: products.map((p) => ({ skuId: p.skuId, name: p.name })) },
    );
    await store.saveRequest(request);
    const done = await runRequest(request, {
      provider,
      store,
      reporter: new RecordingReporter(),
      baseDelayMs: 1,
    });
    const refused = Object.values(done.results).filter((r) => r.reason === 'mutually_exclusive');
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.detail).toMatch(GUID);
      expect(r.blockedBy?.products.map((p) => p.name)).toEqual(['Office 365 E1']);
    }
    const thread = JSON.stringify(renderRunResults({ request: done, failureMessages }));
    expect(thread).toContain('They have *Office 365 E1*.');
    expect(thread).not.toMatch(GUID);
  });
});

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
