/**
 * The store at two ages, measured in the same run: a data directory holding 1 finished
 * 1,000-user request (baseline) and one holding 200 (ours), each with its items, its 2,000
 * results and the audit rows a run leaves. On each: the time of a durable write (saveRequest of a
 * 1,000-user request, transitionRequest), of a coalesced draft write (updateDraft + flush), and
 * the p95 of `/licenses` acks over signed HTTP (one every 20 ms) while a 1,000-user run applies
 * its changes in the same app; then the main file's size.
 *
 * Targets: 200 within 2× of 1 for every figure, ack p95 ≤ 100 ms.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { ChangeItem, ChangeRequest, ItemResult } from '../src/licensing/model.js';
import { silentReporter } from '../src/licensing/reporter.js';
import { resultKey } from '../src/licensing/result-key.js';
import { DEMO_SKUS, generateCustomer } from '../src/providers/demo/generator.js';
import { LowdbStore, STORE_FILE_NAME } from '../src/store/lowdb-store.js';
import { CHANNEL, OPERATOR, startAppHarness } from '../test/support/app-harness.js';

const USERS = 1000;
const AGES = [1, 200] as const;
const WRITES = 30;
const DRAFT_WRITES = 60;
const WARM_UP = 3;
const PROVIDER_LATENCY_MS = 20;
const ACK_INTERVAL_MS = 20;
const SKUS = [DEMO_SKUS.ENTERPRISEPACK, DEMO_SKUS.VISIOCLIENT];

interface Figures {
  saveRequest: Timing;
  transition: Timing;
  draft: Timing;
  ack: { p50: number; p95: number; count: number };
  mainFileBytes: number;
  requestFilesBytes: number;
  auditBytes: number;
}

interface Timing {
  p50: number;
  p95: number;
}

export async function run(): Promise<void> {
  const started = performance.now();
  const dirs = await Promise.all(AGES.map(() => mkdtemp(path.join(tmpdir(), 'licensedesk-bench-store-'))));
  try {
    // Both stores are built first and measured in turns, so that neither is measured in a
    // process busier (garbage, caches) than the other.
    const built: {
      dir: string;
      sizes: Pick<Figures, 'mainFileBytes' | 'requestFilesBytes' | 'auditBytes'>;
    }[] = [];
    for (const [dir, age] of zip(dirs, AGES)) {
      await populate(dir, age);
      built.push({ dir, sizes: await sizesOf(dir) });
    }
    const acks: Figures['ack'][] = [];
    for (const dir of dirs) acks.push(await ackDuringRun(dir));
    const writes = await writeTimes(dirs);
    print(zip(zip(built, acks), writes).map(([[{ sizes }, ack], write]) => ({ ...write, ack, ...sizes })));
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
  console.log(`  (benchmark took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

function print([young, old]: Figures[]): void {
  if (!young || !old) return;
  const ratio = (a: number, b: number) => (a > 0 ? b / a : Number.NaN);
  const line = (what: string, a: Timing, b: Timing) =>
    console.log(
      `  ${what.padEnd(44)} p50 ${ms(a.p50)} → ${ms(b.p50)}  (${ratio(a.p50, b.p50).toFixed(2)}×)   p95 ${ms(a.p95)} → ${ms(b.p95)}`,
    );
  console.log(
    `store with ${AGES[0]} vs ${AGES[1]} finished ${USERS.toLocaleString('en')}-user requests (items, ${USERS * SKUS.length} results and audit rows each); baseline → ours`,
  );
  line(`durable saveRequest (${USERS.toLocaleString('en')} users)`, young.saveRequest, old.saveRequest);
  line('durable transitionRequest', young.transition, old.transition);
  line('coalesced draft write (updateDraft + flush)', young.draft, old.draft);
  console.log(
    `  ${'/licenses ack during a 1,000-user run'.padEnd(44)} p95 ${ms(young.ack.p95)} → ${ms(old.ack.p95)}  (${ratio(young.ack.p95, old.ack.p95).toFixed(2)}×; target ≤ 2× and ≤ 100 ms)   p50 ${ms(young.ack.p50)} → ${ms(old.ack.p50)}; ${young.ack.count} and ${old.ack.count} acks`,
  );
  console.log(
    `  main file: ${kb(young.mainFileBytes)} → ${kb(old.mainFileBytes)} after ${AGES[1]} requests; appended, never rewritten by a write: ${mb(old.requestFilesBytes)} of items and results in requests/, ${kb(old.auditBytes)} in audit.jsonl`,
  );
}

/** `count` finished requests as a run leaves them: header, items, results and two audit rows. */
async function populate(dataDir: string, count: number): Promise<void> {
  const store = new LowdbStore({ dataDir });
  await store.open();
  const finishedAt = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const request = largeRequest(`req_bench${String(i).padStart(4, '0')}`, 'completed', true);
    await store.saveRequest({ ...request, startedAt: request.createdAt, finishedAt });
    await store.appendAudit({
      actor: 'U0OPERATOR',
      action: 'submitted',
      requestId: request.id,
      outcome: 'approved',
      details: { customerId: request.customerId, users: USERS, assignments: USERS * SKUS.length },
    });
    await store.appendAudit({
      actor: 'system',
      action: 'run_completed',
      requestId: request.id,
      outcome: 'ok',
      details: { total: USERS * SKUS.length, done: USERS * SKUS.length, success: USERS * SKUS.length },
    });
  }
  await store.close();
}

/** /licenses over signed HTTP, one after another, for as long as a 1,000-user run takes. */
async function ackDuringRun(dataDir: string): Promise<{ p50: number; p95: number; count: number }> {
  const big = generateCustomer({
    seed: 7001,
    users: USERS,
    name: 'Bench Insurance',
    id: 'cust-bench',
    spareSeats: USERS + 100,
  });
  const h = await startAppHarness({
    dataDir,
    tenant: (data) => ({ ...data, customers: [...data.customers, big] }),
    provider: { latencyMs: PROVIDER_LATENCY_MS },
  });
  try {
    const submitted = await h.service.submit({
      customerId: big.customer.id,
      userIds: big.users.map((user) => user.id),
      assign: SKUS.map((skuId) => ({ skuId, disabledPlans: null })),
      revoke: [],
      requestedBy: OPERATOR,
    });
    if (!submitted.ok) throw new Error(`the run was refused: ${JSON.stringify(submitted.problems)}`);
    let running = true;
    const run = h.service.run(submitted.request.id, silentReporter).finally(() => {
      running = false;
    });
    // While the run applies changes, a /licenses every ACK_INTERVAL_MS: a busy team, not a flood
    // (each opens a modal and creates a draft, which every flush of the run then writes too).
    const acks: number[] = [];
    while (running && h.provider.stats.applyCalls < USERS) {
      const answer = await h.driver.command({ userId: OPERATOR, channelId: CHANNEL });
      if (answer.status !== 200) throw new Error(`/licenses answered ${answer.status}`);
      acks.push(answer.ackMs);
      await sleep(Math.max(0, ACK_INTERVAL_MS - answer.ackMs));
    }
    const done = await run;
    if (done.status !== 'completed') throw new Error(`the run ended ${done.status}`);
    return { p50: percentile(acks, 50), p95: percentile(acks, 95), count: acks.length };
  } finally {
    await h.close();
  }
}

/** Write times on each store, taking turns write by write. */
async function writeTimes(
  dirs: readonly string[],
): Promise<Pick<Figures, 'saveRequest' | 'transition' | 'draft'>[]> {
  const subjects: { store: LowdbStore; saves: number[]; transitions: number[]; drafts: number[] }[] = [];
  for (const dataDir of dirs) {
    const store = new LowdbStore({ dataDir });
    await store.open();
    subjects.push({ store, saves: [], transitions: [], drafts: [] });
  }
  try {
    // The first rounds warm up (JIT, page cache) and are not counted.
    for (let i = -WARM_UP; i < WRITES; i++) {
      for (const { store, saves, transitions } of subjects) {
        const request = largeRequest(`req_write${i + WARM_UP}`, 'approved', false);
        const save = await timed(() => store.saveRequest(request));
        const transition = await timed(() => store.transitionRequest(request.id, ['approved'], 'running'));
        if (i < 0) continue;
        saves.push(save);
        transitions.push(transition);
      }
    }
    const draftIds = await Promise.all(
      subjects.map(
        async ({ store }) => (await store.createDraft({ ownerId: OPERATOR, channelId: CHANNEL })).id,
      ),
    );
    for (let i = -WARM_UP; i < DRAFT_WRITES; i++) {
      for (const [{ store, drafts }, draftId] of zip(subjects, draftIds)) {
        const write = await timed(async () => {
          await store.updateDraft(draftId, (d) => ({ ...d, page: i + WARM_UP }));
          await store.flush();
        });
        if (i >= 0) drafts.push(write);
      }
    }
    return subjects.map(({ saves, transitions, drafts }) => ({
      saveRequest: timing(saves),
      transition: timing(transitions),
      draft: timing(drafts),
    }));
  } finally {
    for (const { store } of subjects) await store.close();
  }
}

let template: { items: ChangeItem[]; results: Record<string, ItemResult> } | null = null;

function largeRequest(id: string, status: ChangeRequest['status'], withResults: boolean): ChangeRequest {
  template ??= buildTemplate();
  return {
    id,
    customerId: 'cust-bench-old',
    customerName: 'Bench Insurance',
    tenantId: 'tenant-bench',
    requestedBy: 'U0OPERATOR',
    createdAt: new Date().toISOString(),
    status,
    products: SKUS.map((skuId) => ({ skuId, name: skuId })),
    items: template.items,
    results: withResults ? template.results : {},
    revocations: 0,
    approvalRequired: false,
  };
}

function buildTemplate() {
  const at = new Date().toISOString();
  const items: ChangeItem[] = [];
  const results: Record<string, ItemResult> = {};
  for (let i = 0; i < USERS; i++) {
    const userId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    items.push({
      userId,
      displayName: `Person ${String(i).padStart(5, '0')}`,
      email: `person${i}@bench-insurance.example`,
      change: { assign: SKUS.map((skuId) => ({ skuId, disabledPlans: [] })), revoke: [] },
      noops: [],
    });
    for (const skuId of SKUS) {
      results[resultKey(userId, skuId, 'assign')] = { userId, skuId, op: 'assign', outcome: 'success', at };
    }
  }
  return { items, results };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function timing(values: readonly number[]): Timing {
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Pairs the values of two lists of one length, in order. */
function zip<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  const pairs: [A, B][] = [];
  for (const [i, a] of as.entries()) {
    const b = bs[i];
    if (b !== undefined) pairs.push([a, b]);
  }
  return pairs;
}

async function sizesOf(
  dataDir: string,
): Promise<Pick<Figures, 'mainFileBytes' | 'requestFilesBytes' | 'auditBytes'>> {
  return {
    mainFileBytes: (await stat(path.join(dataDir, STORE_FILE_NAME))).size,
    requestFilesBytes: await sizeOfDir(path.join(dataDir, 'requests')),
    auditBytes: (await stat(path.join(dataDir, 'audit.jsonl'))).size,
  };
}

async function sizeOfDir(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
