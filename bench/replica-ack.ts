/**
 * Ack latency of 20 operators at once while a 1,000-user run goes on (issue 10: target p99 ≤ 100
 * ms on 3 replicas). Each operator repeats /licenses (a slash command) and a search in the
 * customer typeahead (a block_suggestion) over signed HTTP, round-robin over the replicas, with a
 * short pause between actions; one more operator's 1,000-user request runs meanwhile (pg-boss
 * jobs on 3 replicas).
 * Ours: 3 replicas, STORE=postgres (a fresh schema, dropped after). Baseline in the same run: 1
 * process on lowdb. The replicas are the real main (test/support/child-app.ts); the Slack fake
 * and the drivers run in this process, for both alike. Postgres half skipped without DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { type SlackDriver, summarizeLatencies } from '../test/support/slack-driver.js';
import { type SlackFake, startSlackFake } from '../test/support/slack-fake.js';

const OPERATORS = Array.from({ length: 20 }, (_, i) => `U0OPS${String(i + 1).padStart(2, '0')}`);
const ROUNDS = 20;
/** Rounds before the run is submitted (the same operators on idle replicas). */
const IDLE_ROUNDS = 5;
const RUN_USERS = 1000;
/**
 * Between two actions an operator waits 250–750 ms (people read before they click; this is still
 * some 40 requests a second from 20 of them). Without it, 20 drivers firing back to back measure
 * queueing behind one another, not the app.
 */
const THINK_MS = [250, 750] as const;
/** The run's pace (Graph's own, about 20 a tenant): 1,000 users outlast the operators' 20 rounds. */
const WRITES_PER_SECOND = 20;

interface Acks {
  /** /licenses acks and typeahead answers, ms. */
  commands: number[];
  searches: number[];
  /** CPU this process (the Slack fake and the 20 drivers) used, as a share of one core. */
  benchCpu: number;
}

interface Measured {
  /** Before the run was submitted. */
  idle: Acks;
  /** While it runs. */
  during: Acks;
  /** Whether the 1,000-user run was still going when the last operator finished. */
  runStillGoing: boolean;
}

/** The 20 operators, `rounds` times each: /licenses, then a search in the customer typeahead. */
async function operate(fake: SlackFake, drivers: readonly SlackDriver[], rounds: number): Promise<Acks> {
  const commands: number[] = [];
  const searches: number[] = [];
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await Promise.all(
    OPERATORS.map(async (userId, i) => {
      // Each operator starts at another replica, then goes round-robin.
      const start = i % drivers.length;
      const driver = alternatingDriver([...drivers.slice(start), ...drivers.slice(0, start)]);
      let step = 0;
      const think = () => {
        step += 1;
        return sleep(THINK_MS[0] + ((i * 7919 + step * 104_729) % (THINK_MS[1] - THINK_MS[0])));
      };
      for (let round = 0; round < rounds; round++) {
        await think();
        commands.push((await driver.command({ userId, channelId: CHANNEL })).ackMs);
        await think();
        const modal = await fake.waitFor(() => fake.openModalOf(userId), 10_000);
        const search = await driver.blockSuggestion({
          userId,
          viewId: modal.id,
          blockId: ids.blocks.customer,
          actionId: ids.actions.customer,
          value: 'Blue',
        });
        searches.push(search.ackMs);
        fake.clearModal(modal.id);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { commands, searches, benchCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore) };
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
          TENANT_WRITES_PER_SECOND: String(WRITES_PER_SECOND),
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
    const idle = await operate(fake, drivers, IDLE_ROUNDS);
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
    const during = await operate(fake, drivers, ROUNDS);
    return { idle, during, runStillGoing: !shownCompleted(fake, told.requestId) };
  } finally {
    for (const child of children) await child.close();
  }
}

const all = (acks: Acks) => [...acks.commands, ...acks.searches];

function phase(name: string, acks: Acks): string {
  const { count, p50, p99, max } = summarizeLatencies(all(acks));
  const p99Of = (values: number[]) => summarizeLatencies(values).p99;
  return `${name} ${count} acks p50 ${p50} ms, p99 ${p99} ms (/licenses ${p99Of(acks.commands)}, typeahead ${p99Of(acks.searches)}), max ${max} ms, this process ${Math.round(acks.benchCpu * 100)} % of a core`;
}

function line(label: string, measured: Measured): string {
  return [
    `  ${label}, during the run${measured.runStillGoing ? '' : ' (it finished before the operators did)'}: ${phase('', measured.during)}`,
    `  ${label}, no run: ${phase('', measured.idle)}`,
  ].join('\n');
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
      const p99 = summarizeLatencies(all(ours.during)).p99;
      const ratio = p99 / Math.max(0.1, summarizeLatencies(all(baseline.during)).p99);
      console.log(
        `  p99 during the run on 3 replicas: ${p99} ms (target ≤ 100 ms), ${ratio.toFixed(2)}× the 1 lowdb process's`,
      );
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
