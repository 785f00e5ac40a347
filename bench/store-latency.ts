/**
 * Store latency, lowdb (baseline) vs PostgreSQL (ours), measured in the same run: p50/p99 of
 * getDraft, updateDraft and recordResults (a batch of 8, as a run records them) over 1,000
 * calls each, one after another, after a warm-up. lowdb answers from memory and writes within
 * its delay (the "+ flush" lines wait for the disk); PostgreSQL answers once committed. Needs
 * DATABASE_URL for the Postgres side (a fresh schema, dropped after); skipped without it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { MIGRATIONS } from '../src/db/migrations/index.js';
import { createPool } from '../src/db/pool.js';
import type { ChangeRequest, ItemResult } from '../src/licensing/model.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

const CALLS = 1000;
const WARM_UP = 50;
const BATCH = 8;

interface Timing {
  p50: number;
  p99: number;
}

type Figures = Record<string, Timing>;

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-bench-latency-'));
  try {
    const lowdb = new LowdbStore({ dataDir: dir });
    await lowdb.open();
    const ours = await measure(lowdb, true);
    await lowdb.close();
    print('lowdb', ours);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL?.trim();
  if (!url) return console.log('  PostgreSQL skipped: DATABASE_URL is not set');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const pool = createPool({ connectionString: url, max: 10, schema });
  try {
    await migrate(pool, schema, MIGRATIONS);
    const store = new PostgresStore({ pool });
    await store.open();
    print('PostgreSQL', await measure(store, false));
    await store.close();
  } finally {
    await pool.end();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
  }
}

async function measure(store: Store, withFlush: boolean): Promise<Figures> {
  const draft = await store.createDraft({ ownerId: 'U0BENCH', channelId: 'C0BENCH', customerId: 'cust-1' });
  await store.saveRequest(request());
  let page = 0;
  let user = 0;
  const batch = () => Array.from({ length: BATCH }, () => result(user++));
  const figures: Figures = {
    getDraft: await timings(() => store.getDraft(draft.id)),
    updateDraft: await timings(() => store.updateDraft(draft.id, (d) => ({ ...d, page: page++ }))),
    [`recordResults (${BATCH})`]: await timings(() => store.recordResults('req_bench', batch())),
  };
  if (!withFlush) return figures;
  figures['updateDraft + flush'] = await timings(async () => {
    await store.updateDraft(draft.id, (d) => ({ ...d, page: page++ }));
    await store.flush();
  });
  figures[`recordResults (${BATCH}) + flush`] = await timings(async () => {
    await store.recordResults('req_bench', batch());
    await store.flush();
  });
  return figures;
}

async function timings(call: () => Promise<unknown>): Promise<Timing> {
  const times: number[] = [];
  for (let i = -WARM_UP; i < CALLS; i++) {
    const started = performance.now();
    await call();
    if (i >= 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.max(0, Math.ceil((p / 100) * times.length) - 1)] ?? 0;
  return { p50: at(50), p99: at(99) };
}

function print(name: string, figures: Figures): void {
  console.log(`store latency on ${name}, ${CALLS.toLocaleString('en')} calls each (ms):`);
  for (const [what, { p50, p99 }] of Object.entries(figures)) {
    console.log(`  ${what.padEnd(28)} p50 ${p50.toFixed(3).padStart(8)}   p99 ${p99.toFixed(3).padStart(8)}`);
  }
}

function request(): ChangeRequest {
  return {
    id: 'req_bench',
    customerId: 'cust-1',
    customerName: 'Contoso',
    tenantId: 'tenant-1',
    requestedBy: 'U0BENCH',
    createdAt: new Date().toISOString(),
    status: 'running',
    products: [{ skuId: 'sku-e3', name: 'Office 365 E3' }],
    items: [],
    results: {},
  };
}

function result(user: number): ItemResult {
  return {
    userId: `user-${user}`,
    skuId: 'sku-e3',
    op: 'assign',
    outcome: 'success',
    at: new Date().toISOString(),
  };
}
