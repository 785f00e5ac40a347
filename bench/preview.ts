/**
 * How well the preview before submit matches the run: a 1,000-user request on a generated demo
 * customer (seed 1300) assigning two products and revoking one, previewed by
 * LicensingService.preview (src/licensing/preview.ts), then submitted and run. Prints, per line
 * (product × operation), predicted vs actual changes, no-ops and failures per reason.
 *
 * Target: predicted = actual on every line and reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LicensingService } from '../src/licensing/licensing-service.js';
import type { ChangeRequest } from '../src/licensing/model.js';
import { failuresByReason, type PreviewLine } from '../src/licensing/preview.js';
import { silentReporter } from '../src/licensing/reporter.js';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { DEMO_CATALOG, DEMO_SKUS, generateCustomer } from '../src/providers/demo/generator.js';
import { LowdbStore } from '../src/store/lowdb-store.js';

const USERS = 1000;
const CUSTOMER_ID = 'bench-preview';
const CHANGE = {
  assign: [
    { skuId: DEMO_SKUS.MCOPSTN1, disabledPlans: null },
    { skuId: DEMO_SKUS.VISIOCLIENT, disabledPlans: null },
  ],
  revoke: [DEMO_SKUS.EMS],
};

type Tally = Map<string, number>;

function predictedTally(line: PreviewLine): Tally {
  return new Map([['change', line.changes.length], ['noop', line.noops.length], ...failuresByReason(line)]);
}

function actualTally(request: ChangeRequest, line: PreviewLine): Tally {
  const tally: Tally = new Map([
    ['change', 0],
    ['noop', 0],
  ]);
  for (const result of Object.values(request.results)) {
    if (result.skuId !== line.skuId || result.op !== line.op) continue;
    const key =
      result.outcome === 'success' ? 'change' : result.outcome === 'noop' ? 'noop' : (result.reason ?? '?');
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return tally;
}

export async function run(): Promise<void> {
  // Few spare seats, so that the users beyond them fail "no seats" too.
  const customer = generateCustomer({ seed: 1300, users: USERS, id: CUSTOMER_ID, spareSeats: 40 });
  const userIds = customer.users.map((user) => user.id);
  const provider = new DemoProvider({ data: { version: 1, customers: [customer] } });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-bench-preview-'));
  const store = new LowdbStore({ dataDir });
  try {
    await store.open();
    const service = new LicensingService({
      provider,
      store,
      approvalRevokeThreshold: 100_000,
      approvalTtlHours: 24,
      concurrency: 16,
      tenantWritesPerSecond: 1_000_000,
    });
    const input = { customerId: CUSTOMER_ID, userIds, ...CHANGE, requestedBy: 'U0BENCH' };
    const started = performance.now();
    const previewed = await service.preview(input);
    const previewMs = performance.now() - started;
    if (!previewed.ok) throw new Error(`refused: ${JSON.stringify(previewed.problems)}`);
    const submitted = await service.submit(input);
    if (!submitted.ok) throw new Error(`refused: ${JSON.stringify(submitted.problems)}`);
    const done = await service.run(submitted.request.id, silentReporter);
    console.log(
      `preview vs run, ${USERS} users, 2 products assigned + 1 revoked, demo tenant (seed 1300); preview in ${previewMs.toFixed(0)} ms`,
    );
    let equal = 0;
    for (const line of previewed.preview.lines) {
      const predicted = predictedTally(line);
      const actual = actualTally(done, line);
      const keys = [...new Set([...predicted.keys(), ...actual.keys()])];
      const same = keys.every((key) => (predicted.get(key) ?? 0) === (actual.get(key) ?? 0));
      if (same) equal++;
      const name = DEMO_CATALOG.find((p) => p.skuId === line.skuId)?.name ?? line.skuId;
      console.log(`  ${line.op} ${name}: ${same ? 'equal' : 'DIFFERENT'}`);
      for (const key of keys) {
        console.log(
          `    ${key.padEnd(28)} predicted ${String(predicted.get(key) ?? 0).padStart(4)}   actual ${String(actual.get(key) ?? 0).padStart(4)}`,
        );
      }
    }
    console.log(`  ${equal} of ${previewed.preview.lines.length} lines predicted exactly (target: all)`);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
