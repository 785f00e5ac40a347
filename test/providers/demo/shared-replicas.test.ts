/**
 * The shared demo tenant across processes: three replicas, each a child process with its own
 * pool and memory, start together on a fresh schema and all assign 10 free seats to the same 30
 * users in different orders.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readSharedTenant } from '../../../src/providers/demo/postgres/demo-tables.js';
import { describePostgres, freshSchema, type TestSchema } from '../../support/postgres.js';
import { CONTESTED, contested, FLOW, withoutFlow } from './shared-tenant-data.js';
import { present } from './tenant-files.js';

interface Finished {
  code: number | null;
  lines: string[];
  errors: string;
}

interface Replica {
  /** Resolves once the replica has opened the tenant and waits for go(). */
  ready: Promise<void>;
  go(): void;
  finished: Promise<Finished>;
}

function startReplica(db: TestSchema, userIds: readonly string[]): Replica {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const script = fileURLToPath(new URL('./shared-replica-child.ts', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', tsx, script, db.url, db.schema, userIds.join(',')],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let errors = '';
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const finished = new Promise<Finished>((resolve) =>
    child.once('close', (code) => {
      markReady();
      resolve({ code, lines: out.split('\n').filter(Boolean), errors });
    }),
  );
  return { ready, go: () => child.stdin?.end('go\n'), finished };
}

let db: TestSchema;

describePostgres('the shared demo tenant with replicas in three processes', () => {
  beforeAll(async () => {
    db = await freshSchema();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('seeds once, sells each of the 10 seats once, and every replica ends with the same counts', async () => {
    const seed = contested();
    const customer = present(seed.customers[0], 'the customer');
    const users = withoutFlow(customer).slice(0, 30);
    expect(users).toHaveLength(30);
    const rotated = (by: number) => [...users.slice(by), ...users.slice(0, by)];

    const started = [rotated(0), rotated(10), rotated(20)].map((list) => startReplica(db, list));
    await Promise.all(started.map((replica) => replica.ready));
    for (const replica of started) replica.go();
    const replicas = await Promise.all(started.map((replica) => replica.finished));

    for (const replica of replicas) expect(replica.code, replica.errors).toBe(0);
    const stored = present(
      (await readSharedTenant(db.pool)).customers.find((c) => c.customer.id === CONTESTED),
      'the stored customer',
    );
    const holders = users.filter((userId) => stored.holdings[userId]?.some((l) => l.skuId === FLOW));
    expect(holders).toHaveLength(10);
    const told = (word: string) =>
      new Set(replicas.flatMap((replica) => replica.lines.filter((line) => line.startsWith(`${word} `))));
    const succeeded = new Set([...told('ok')].map((line) => line.split(' ')[1]));
    expect([...succeeded].sort()).toEqual([...holders].sort());
    for (const line of told('refused')) {
      const [, userId, reason] = line.split(' ');
      expect(holders).not.toContain(userId);
      expect(reason).toBe('insufficient_licenses');
    }
    const flowHolders = Object.values(stored.holdings).filter((l) => l.some((x) => x.skuId === FLOW)).length;
    const product = present(
      stored.products.find((p) => p.skuId === FLOW),
      'Power Automate Free',
    );
    expect(flowHolders).toBe(product.prepaid.enabled);
    expect(told('seats')).toEqual(new Set([`seats ${flowHolders} 0`]));
    const seeded = await db.pool.query('SELECT count(*)::int AS n FROM demo_customers');
    expect(seeded.rows[0]).toEqual({ n: 1 });
  });
});
