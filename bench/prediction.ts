/**
 * How well the manage step's prediction matches the outcome: a 1,000-user request on a generated
 * demo customer, one product at a time (each on a fresh copy of the tenant), predicted by
 * LicensingService.getLicenseOverview (eligibility.ts) and then submitted and run. Prints, per
 * product, predicted vs actual successes and refusals per reason, the time the prediction took,
 * and a product with too few seats, whose users beyond the seats left fail per user ("no seats").
 *
 * Target: predicted = actual for every product and reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AssignPrediction, refusalCounts } from '../src/licensing/eligibility.js';
import { LicensingService } from '../src/licensing/licensing-service.js';
import type { ChangeRequest } from '../src/licensing/model.js';
import { silentReporter } from '../src/licensing/reporter.js';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { DEMO_CATALOG, DEMO_SKUS, generateCustomer } from '../src/providers/demo/generator.js';
import { LowdbStore } from '../src/store/lowdb-store.js';

const USERS = 1000;
const CUSTOMER_ID = 'bench-prediction';
const PRODUCTS = [
  DEMO_SKUS.MCOPSTN1,
  DEMO_SKUS.MCOEV,
  DEMO_SKUS.MCOMEETADV,
  DEMO_SKUS.ENTERPRISEPACK,
  DEMO_SKUS.SPE_E5,
  DEMO_SKUS.O365_BUSINESS_PREMIUM,
  DEMO_SKUS.PROJECTPROFESSIONAL,
  DEMO_SKUS.VISIOCLIENT,
];

type Tally = Map<string, number>;

function predictedTally(prediction: AssignPrediction): Tally {
  return new Map([['success', prediction.gets.length], ...refusalCounts(prediction)]);
}

function actualTally(request: ChangeRequest, skuId: string): Tally {
  const tally: Tally = new Map([['success', 0]]);
  for (const result of Object.values(request.results)) {
    if (result.skuId !== skuId || result.op !== 'assign' || result.outcome === 'noop') continue;
    const key = result.outcome === 'success' ? 'success' : (result.reason ?? 'unknown');
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return tally;
}

/** The service's knobs: no approval in the way of assignments, no pacing to wait for. */
const SERVICE = {
  approvalRevokeThreshold: 10,
  approvalTtlHours: 24,
  concurrency: 16,
  tenantWritesPerSecond: 1_000_000,
};

/** A fresh generated customer, its demo tenant and a service on a temporary store, for `use`. */
async function withService<T>(
  spareSeats: number,
  use: (service: LicensingService, userIds: string[]) => Promise<T>,
): Promise<T> {
  const customer = generateCustomer({ seed: 1300, users: USERS, id: CUSTOMER_ID, spareSeats });
  const userIds = customer.users.map((user) => user.id);
  const provider = new DemoProvider({ data: { version: 1, customers: [customer] } });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-bench-prediction-'));
  const store = new LowdbStore({ dataDir });
  try {
    await store.open();
    return await use(new LicensingService({ provider, store, ...SERVICE }), userIds);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Submits "assign `skuId` to everyone" as an operator would. */
function assignToAll(service: LicensingService, userIds: readonly string[], skuId: string) {
  return service.submit({
    customerId: CUSTOMER_ID,
    userIds,
    assign: [{ skuId, disabledPlans: null }],
    revoke: [],
    requestedBy: 'U0BENCH',
  });
}

/** Predicts and runs one product; returns whether every count matched. */
async function measure(skuId: string): Promise<boolean> {
  return withService(USERS, async (service, userIds) => {
    const started = performance.now();
    const overview = await service.getLicenseOverview(CUSTOMER_ID, userIds);
    const predictMs = performance.now() - started;
    const prediction = overview.find((p) => p.product.skuId === skuId)?.prediction;
    if (prediction === undefined) throw new Error(`no prediction for ${skuId}`);
    const submitted = await assignToAll(service, userIds, skuId);
    if (!submitted.ok) throw new Error(`plan refused: ${JSON.stringify(submitted.problems)}`);
    const done = await service.run(submitted.request.id, silentReporter);
    const predicted = predictedTally(prediction);
    const actual = actualTally(done, skuId);
    const keys = [...new Set([...predicted.keys(), ...actual.keys()])];
    const matches = keys.every((key) => predicted.get(key) === actual.get(key));
    const name = DEMO_CATALOG.find((p) => p.skuId === skuId)?.name ?? skuId;
    console.log(
      `  ${name} (${prediction.holds.length} hold it; overview of ${overview.length} products in ${predictMs.toFixed(0)} ms): ${matches ? 'equal' : 'DIFFERENT'}`,
    );
    for (const key of keys) {
      console.log(
        `    ${key.padEnd(28)} predicted ${String(predicted.get(key) ?? 0).padStart(4)}   actual ${String(actual.get(key) ?? 0).padStart(4)}`,
      );
    }
    return matches;
  });
}

/**
 * A product with fewer seats than users who need one: seats fail per user, like any other reason.
 * The request is not refused; the users beyond the seats left are predicted "no seats"
 * (insufficient_licenses) and fail so, the others get it. Compares per-user predicted vs actual.
 */
async function shortOfSeats(): Promise<boolean> {
  return withService(5, async (service, userIds) => {
    const skuId = DEMO_SKUS.VISIOCLIENT;
    const overview = await service.getLicenseOverview(CUSTOMER_ID, userIds);
    const product = overview.find((p) => p.product.skuId === skuId);
    const prediction = product?.prediction;
    if (prediction === undefined) throw new Error(`no prediction for ${skuId}`);
    const submitted = await assignToAll(service, userIds, skuId);
    if (!submitted.ok) throw new Error(`plan refused: ${JSON.stringify(submitted.problems)}`);
    const done = await service.run(submitted.request.id, silentReporter);
    const noSeats = (userIds: readonly string[]) => [...userIds].sort().join(',');
    const predicted = prediction.cannot
      .filter((c) => c.reason === 'insufficient_licenses')
      .map((c) => c.userId);
    const actual = Object.values(done.results)
      .filter((r) => r.skuId === skuId && r.outcome === 'failed' && r.reason === 'insufficient_licenses')
      .map((r) => r.userId);
    const gets = Object.values(done.results).filter(
      (r) => r.skuId === skuId && r.op === 'assign' && r.outcome === 'success',
    ).length;
    const same = noSeats(predicted) === noSeats(actual) && gets === prediction.gets.length;
    console.log(
      `  seats short (Visio, ${product?.product.available} available, ${prediction.gets.length + prediction.cannot.length} without it): ` +
        `gets it predicted ${prediction.gets.length} actual ${gets}; no seats predicted ${predicted.length} actual ${actual.length}, ` +
        `${same ? 'the same users' : 'NOT the same users'}`,
    );
    return same;
  });
}

export async function run(): Promise<void> {
  console.log(`prediction vs outcome, ${USERS} users, one product a request, demo tenant (seed 1300)`);
  let equal = 0;
  for (const skuId of PRODUCTS) if (await measure(skuId)) equal++;
  const seats = await shortOfSeats();
  console.log(
    `  ${equal} of ${PRODUCTS.length} products predicted exactly (target: all); seats short: ${seats ? 'as predicted' : 'NOT as predicted'}`,
  );
}
