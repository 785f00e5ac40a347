/**
 * Ack latency of 20 operators at once while a 1,000-user run goes on (issue 10: target p99 ≤ 100
 * ms on 3 replicas). Each operator repeats /licenses (a slash command) and a search in the
 * customer typeahead (a block_suggestion) over signed HTTP, round-robin over the replicas; one
 * more operator's 1,000-user request runs meanwhile (100 writes/s, pg-boss jobs on 3 replicas).
 * Ours: 3 replicas, STORE=postgres (a fresh schema, dropped after). Baseline in the same run: 1
 * process on lowdb. The replicas are the real main (test/support/child-app.ts); the Slack fake
 * and the drivers run in this process, for both alike. Postgres half skipped without DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ids } from '../blocks/ids.js';
import { createPool } from '../src/db/pool.js';
import type { DemoTenantData } from '../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../src/providers/demo/generator.js';
import { readSharedTenant } from '../src/providers/demo/postgres/demo-tables.js';
import { customerNamed, readTenant } from '../test/crash/evidence.js';
import { apply, CHANNEL, OPERATOR, openManageStep, shownCompleted } from '../test/crash/operator.js';
import { type ChildApp, createChildApp } from '../test/support/child-app.js';
import { alternatingDriver } from '../test/support/replicas.js';
import { summarizeLatencies } from '../test/support/slack-driver.js';
import { type SlackFake, startSlackFake } from '../test/support/slack-fake.js';

const OPERATORS = Array.from({ length: 20 }, (_, i) => `U0OPS${String(i + 1).padStart(2, '0')}`);
const ROUNDS = 25;
const RUN_USERS = 1000;

interface Measured {
  latencies: number[];
  /** Whether the 1,000-user run was still going when the last operator finished. */
  runStillGoing: boolean;
}

async function measure(
  fake: SlackFake,
  replicas: number,
  env: Record<string, string>,
  tenant: (children: ChildApp[]) => Promise<DemoTenantData>,
): Promise<Measured> {
  const children = await Promise.all(
    Array.from({ length: replicas }, () =>
      createChildApp({
        fake,
        env: {
          OPERATOR_USER_IDS: [OPERATOR, ...OPERATORS].join(','),
          APPROVAL_REVOKE_THRESHOLD: '100000',
          TENANT_WRITES_PER_SECOND: '100',
          APP_WRITES_PER_SECOND: '1000',
          LOG_LEVEL: 'warn',
          ...env,
        },
      }),
    ),
  );
  try {
    await Promise.all(children.map((child) => child.start()));
    const output = (chars = 4000) => children.map((child) => child.output(chars)).join('\n');
    const drivers = children.map((child) => child.driver);
    const customer = customerNamed(await tenant(children), 'Blue Yonder Airlines');
    const operator = { fake, driver: alternatingDriver(drivers), output } as unknown as ChildApp;
    const viewId = await openManageStep(
      operator,
      customer,
      customer.users.slice(0, RUN_USERS).map((user) => user.email),
    );
    const told = await apply(operator, viewId, {
      assign: [DEMO_SKUS.FLOW_FREE],
      revoke: [DEMO_SKUS.VISIOCLIENT],
    });
    const latencies: number[] = [];
    await Promise.all(
      OPERATORS.map(async (userId, i) => {
        // Each operator starts at another replica, then goes round-robin.
        const driver = alternatingDriver([...drivers.slice(i % replicas), ...drivers.slice(0, i % replicas)]);
        for (let round = 0; round < ROUNDS; round++) {
          const command = await driver.command({ userId, channelId: CHANNEL });
          latencies.push(command.ackMs);
          const modal = await fake.waitFor(() => fake.openModalOf(userId), 10_000);
          const search = await driver.blockSuggestion({
            userId,
            viewId: modal.id,
            blockId: ids.blocks.customer,
            actionId: ids.actions.customer,
            value: 'Blue',
          });
          latencies.push(search.ackMs);
          fake.clearModal(modal.id);
        }
      }),
    );
    return { latencies, runStillGoing: !shownCompleted(fake, told.requestId) };
  } finally {
    for (const child of children) await child.close();
  }
}

function line(label: string, measured: Measured): string {
  const { count, p50, p99, max } = summarizeLatencies(measured.latencies);
  return `  ${label}: ${count} acks, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms; the 1,000-user run ${measured.runStillGoing ? 'still going at the end' : 'had finished before the end'}`;
}

export async function run(): Promise<void> {
  const fake = await startSlackFake();
  try {
    const baseline = await measure(fake, 1, {}, ([child]) => readTenant(child?.dataDir ?? ''));
    console.log(line('baseline, 1 process on lowdb', baseline));
    const url = process.env.DATABASE_URL?.trim();
    if (!url) return console.log('  3 replicas on PostgreSQL skipped: DATABASE_URL is not set');
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const pool = createPool({ connectionString: url, max: 2, schema });
    try {
      const env = { STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema };
      const ours = await measure(fake, 3, env, () => readSharedTenant(pool));
      console.log(line('ours, 3 replicas on PostgreSQL', ours));
      const ratio =
        summarizeLatencies(ours.latencies).p99 / Math.max(0.1, summarizeLatencies(baseline.latencies).p99);
      console.log(`  p99 on 3 replicas vs 1 lowdb process: ${ratio.toFixed(2)}× (target ≤ 100 ms)`);
    } finally {
      await pool.end();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`).finally(() => admin.end());
    }
  } finally {
    await fake.close();
  }
}
