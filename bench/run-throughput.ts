/**
 * A run of 1,000 users × 2 products against the demo tenant with 100 ms latency per call and a
 * per-tenant write quota like Graph's (≈ 20 writes/s) scaled up ×8 to 160 writes/s (the demo's
 * default burst of one second's worth), so the loop comparison is not drowned by the quota. Prints ours (LicensingService.submit + run, executor
 * paced at 158/s just below the quota, concurrency 32), a sequential per-user loop on an identical
 * tenant, the bound the pace allows, the ratios, a correctness check of every part, and the store
 * file writes during the run.
 *
 * Targets: ≥ 10× faster than the loop, ≤ 1.1× the pace bound, ≤ 50 store writes.
 * `LOOP_USERS=200 npm run bench -- run-throughput` measures the loop on a subset and
 * extrapolates linearly (the full loop takes about 100 s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LicensingService } from '../src/licensing/licensing-service.js';
import type { ChangeRequest, UserChange } from '../src/licensing/model.js';
import { silentReporter } from '../src/licensing/reporter.js';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { DEMO_SKUS, generateCustomer } from '../src/providers/demo/generator.js';
import { isLicenseProviderError } from '../src/providers/license-provider.js';
import { LowdbStore } from '../src/store/lowdb-store.js';

const USERS = 1000;
const LATENCY_MS = 100;
const GRAPH_WRITES_PER_SECOND = 20;
const PACE_FACTOR = 8;
const QUOTA = GRAPH_WRITES_PER_SECOND * PACE_FACTOR;
const OUR_PACE = QUOTA - 2;
const CONCURRENCY = 32;
const CUSTOMER_ID = 'bench-run';
const PRODUCTS = [DEMO_SKUS.VISIOCLIENT, DEMO_SKUS.AAD_PREMIUM_P2];

export async function run(): Promise<void> {
  const customer = generateCustomer({ seed: 1000, users: USERS, id: CUSTOMER_ID });
  const tenant = () =>
    new DemoProvider({
      data: { version: 1, customers: [structuredClone(customer)] },
      latencyMs: LATENCY_MS,
      writesPerSecond: QUOTA,
    });
  const userIds = customer.users.map((user) => user.id);

  // Ours: the service end to end, persisting to a LowdbStore in a temporary directory.
  const ourTenant = tenant();
  const timeline = watched(ourTenant);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-bench-'));
  const store = new LowdbStore({ dataDir });
  let done: ChangeRequest;
  let oursSeconds: number;
  let runSeconds: number;
  let runEnded: number;
  let storeWrites: number;
  try {
    await store.open();
    const service = new LicensingService({
      provider: timeline.provider,
      store,
      approvalRevokeThreshold: 10,
      approvalTtlHours: 24,
      concurrency: CONCURRENCY,
      tenantWritesPerSecond: OUR_PACE,
      // No wait before the read-back: what verification costs beyond the wait is measured here.
      verification: { delayMs: 0 },
    });
    const submitted = await service.submit({
      customerId: CUSTOMER_ID,
      userIds,
      assign: PRODUCTS.map((skuId) => ({ skuId, disabledPlans: null })),
      revoke: [],
      requestedBy: 'U0BENCH',
    });
    if (!submitted.ok) throw new Error(`plan refused: ${JSON.stringify(submitted.problems)}`);
    const writesBefore = store.writeCount;
    const started = performance.now();
    done = await service.run(submitted.request.id, silentReporter);
    runEnded = performance.now();
    runSeconds = (runEnded - started) / 1000;
    await store.flush();
    oursSeconds = (performance.now() - started) / 1000;
    storeWrites = store.writeCount - writesBefore;
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const ourWrites = ourTenant.stats.applyCalls;
  const usersWithChange = done.items.filter((item) => item.change.assign.length > 0).length;

  // Every part checked against the tenant's final state.
  const users = new Map(customer.users.map((user) => [user.id, user]));
  let wrong = 0;
  for (const item of done.items) {
    const held = new Set(ourTenant.holdingsOf(CUSTOMER_ID, item.userId).map((license) => license.skuId));
    const noLocation = users.get(item.userId)?.usageLocation === null;
    for (const skuId of PRODUCTS) {
      const result = done.results[`${item.userId}|${skuId}|assign`];
      const right =
        result !== undefined &&
        (result.outcome === 'failed'
          ? noLocation && result.reason === 'usage_location_missing' && !held.has(skuId)
          : held.has(skuId));
      if (!right) wrong++;
    }
  }

  // Baseline: one call per user, one after another, on an identical tenant.
  const loopUsers = Math.min(USERS, Number(process.env.LOOP_USERS ?? USERS));
  const loopTenant = tenant();
  const loopItems = done.items.filter((item) => item.change.assign.length > 0).slice(0, loopUsers);
  const loopStarted = performance.now();
  for (const item of loopItems) await sequentialCall(loopTenant, item.userId, item.change);
  const loopMeasured = (performance.now() - loopStarted) / 1000;
  const loopSeconds = (loopMeasured * usersWithChange) / Math.max(1, loopItems.length);

  const paceBound = usersWithChange / QUOTA;
  // The run's writes end at its last write; verification (read-back) follows, measured apart.
  const lastWrite = Math.max(...timeline.writes);
  const verifySeconds = (runEnded - lastWrite) / 1000;
  const writeSeconds = oursSeconds - verifySeconds;
  const counts = countsOf(done);
  console.log(
    `run of ${USERS} users × ${PRODUCTS.length} products, ${LATENCY_MS} ms per call, quota ${QUOTA} writes/s per tenant (Graph's ≈${GRAPH_WRITES_PER_SECOND}/s ×${PACE_FACTOR}), executor paced at ${OUR_PACE}/s, concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  results: ${counts.success} success, ${counts.noop} no-op, ${counts.failed} failed (users without a usage location); ${wrong === 0 ? 'every part correct' : `${wrong} parts WRONG`}`,
  );
  console.log(
    `  ours:      ${oursSeconds.toFixed(2)} s (run ${runSeconds.toFixed(2)} s + final store flush; ${writeSeconds.toFixed(2)} s to the last write, then ${verifySeconds.toFixed(2)} s of verification), ${ourWrites} write calls for ${usersWithChange} users with a change (${ourTenant.stats.throttled} answered 429)`,
  );
  console.log(
    `  loop:      ${loopSeconds.toFixed(2)} s${loopItems.length < usersWithChange ? ` (measured ${loopMeasured.toFixed(2)} s on ${loopItems.length} users, extrapolated linearly)` : ''}  → ours is ${(loopSeconds / oursSeconds).toFixed(1)}× faster (target ≥ 10×)`,
  );
  console.log(
    `  pace bound: ${paceBound.toFixed(2)} s (${usersWithChange} writes, one per user with a change, / ${QUOTA} per s) → ours, to its last write, is ${(writeSeconds / paceBound).toFixed(3)}× the bound (target ≤ 1.1×)`,
  );
  console.log(`  store file writes during the run: ${storeWrites} (target ≤ 50)`);
  const reads = timeline.reads.filter((read) => read.at > lastWrite);
  console.log(
    `  verification (${done.verification?.mismatches.length === 0 && !done.verification.unverified ? 'verified' : 'NOT verified'}): ${verifySeconds.toFixed(2)} s after the last write, ${(verifySeconds / writeSeconds).toFixed(3)}× the run before it; ${reads.length} holdings reads of ${reads.reduce((n, read) => n + read.users, 0)} users (the run made ${timeline.reads.length - reads.length} reads and ${timeline.writes.length} writes); plus VERIFY_DELAY_MS (default 5 s) of waiting in production`,
  );
}

/** The provider, with when each write ended and each holdings read started (performance.now()). */
function watched(provider: DemoProvider) {
  const writes: number[] = [];
  const reads: { at: number; users: number }[] = [];
  const wrapped = Object.assign(Object.create(provider) as DemoProvider, {
    applyUserChange: async (customerId: string, userId: string, change: UserChange) => {
      try {
        return await provider.applyUserChange(customerId, userId, change);
      } finally {
        writes.push(performance.now());
      }
    },
    getHoldings: (customerId: string, userIds: readonly string[]) => {
      reads.push({ at: performance.now(), users: userIds.length });
      return provider.getHoldings(customerId, userIds);
    },
  });
  return { provider: wrapped, writes, reads };
}

/** The naive way: one call per user, waiting for each, retrying only when told to. */
async function sequentialCall(provider: DemoProvider, userId: string, change: UserChange): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await provider.applyUserChange(CUSTOMER_ID, userId, change);
      return;
    } catch (error) {
      if (!isLicenseProviderError(error) || !error.transient) return;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1000));
    }
  }
}

function countsOf(request: ChangeRequest) {
  const counts = { success: 0, noop: 0, failed: 0 };
  for (const result of Object.values(request.results)) counts[result.outcome]++;
  return counts;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
