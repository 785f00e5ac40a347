/**
 * Three replicas as in production (the real main, STORE=postgres, one fresh schema), the Slack
 * fake in this process, the operator's requests spread over the three (round-robin). A 1,000-user
 * request (assign Power Automate Free, revoke Visio Plan 2) runs as pg-boss jobs; the replica
 * applying it is killed with SIGKILL at a random point (seed printed; CRASH_SEED replays it). Then:
 * every user × product applied exactly once against the demo tenant's final state in Postgres,
 * the thread and the CSV complete, the reported results equal to the tenant; and how long until
 * another replica continued the killed one's part is logged (pg-boss 10 recovers by job expiry).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { readSharedTenant } from '../../src/providers/demo/postgres/demo-tables.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { auditResults, customerById, customerNamed, listed, tally } from '../crash/evidence.js';
import {
  CHANNEL,
  crashSeed,
  Dice,
  OPERATOR,
  sleep,
  submitChange,
  waitUntilShownCompleted,
} from '../crash/operator.js';
import { type ChildApp, createChildApp } from '../support/child-app.js';
import { describePostgres, freshSchema, type TestSchema } from '../support/postgres.js';
import { alternatingDriver } from '../support/replicas.js';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';
import { committedMoreThanOnce, observedApplies, slackProblems } from './replica-evidence.js';

const REPLICAS = 3;
const USERS = 1000;
const ASSIGNED = DEMO_SKUS.FLOW_FREE;
const REVOKED = DEMO_SKUS.VISIOCLIENT;
/** The tenant's pace: the run takes about 10 s, cut in chunks of about 3 s. */
const WRITES_PER_SECOND = 100;
/** The kill comes this long (at most) after the first change of the run. */
const MAX_KILL_DELAY_MS = 6000;
const observer = path.join(import.meta.dirname, 'apply-observer.ts');

let fake: SlackFake | undefined;
let schema: TestSchema | undefined;
let children: ChildApp[] = [];
let logDir: string | undefined;
afterAll(async () => {
  for (const child of children) await child.close();
  await fake?.close();
  await schema?.drop();
  if (logDir !== undefined) await rm(logDir, { recursive: true, force: true });
});

/** The run-chunk jobs of the request, from pg-boss's table (positions [from, to) of its items). */
async function runChunks(test: TestSchema, requestId: string): Promise<{ from: number; to: number }[]> {
  const { rows } = await test.pool.query<{ data: { requestId: string; from: number; to: number } }>(
    `SELECT data FROM ${test.schema}_jobs.job WHERE name = 'run-chunk' AND data->>'requestId' = $1`,
    [requestId],
  );
  return rows.map((row) => ({ from: row.data.from, to: row.data.to }));
}

describePostgres('three replicas on one database', () => {
  it('a replica killed while it runs a 1,000-user request: another continues it, every part applied once', async () => {
    const seed = crashSeed();
    console.log(`replica kill test: seed ${seed} (replay with CRASH_SEED=${seed})`);
    const dice = new Dice(seed);
    fake = await startSlackFake();
    schema = await freshSchema();
    logDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-replicas-'));
    const applied = path.join(logDir, 'applied.jsonl');
    const env = {
      STORE: 'postgres',
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      OPERATOR_USER_IDS: OPERATOR,
      APPROVAL_REVOKE_THRESHOLD: '100000',
      TENANT_WRITES_PER_SECOND: String(WRITES_PER_SECOND),
      APP_WRITES_PER_SECOND: '1000',
      REPLICA_APPLY_LOG: applied,
    };
    const slackFake = fake;
    children = await Promise.all(
      Array.from({ length: REPLICAS }, () => createChildApp({ fake: slackFake, env, preload: [observer] })),
    );
    // Started together, as a deployment does: migrations and the demo seed happen once.
    await Promise.all(children.map((child) => child.start()));
    const output = (chars = 8000) =>
      children.map((child) => child.output(Math.floor(chars / REPLICAS))).join('\n');
    const baseline = await readSharedTenant(schema.pool);
    const customer = customerNamed(baseline, 'Blue Yonder Airlines');
    const users = dice.shuffle(customer.users).slice(0, USERS);

    // The operator's requests go round-robin over the replicas (operator.ts reads driver, fake, output).
    const driver = alternatingDriver(children.map((child) => child.driver));
    const operator = { fake, driver, output } as unknown as ChildApp;
    const told = await submitChange(operator, customer, users, { assign: [ASSIGNED], revoke: [REVOKED] });
    expect(new Set(driver.targets).size).toBe(REPLICAS);

    // A random point of the run: the replica that applied the last change is the one killed.
    const started = Date.now();
    while ((await observedApplies(applied)).length === 0) {
      if (Date.now() - started > 30_000) throw new Error(`the run applied nothing within 30 s:\n${output()}`);
      await sleep(20);
    }
    await sleep(dice.between(0, MAX_KILL_DELAY_MS + 1));
    const before = await observedApplies(applied);
    const last = before.at(-1);
    const victim = children.find((child) => child.pid === last?.pid);
    if (last === undefined || victim === undefined) throw new Error('no replica applied the run');
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const survivors = children.filter((child) => child !== victim);

    // Resumed: another replica applies a user of the killed one's chunk it had not reached.
    const store = new PostgresStore({ pool: schema.pool });
    await store.open();
    const notDone = await waitUntilShownCompleted(fake, [told.requestId], {
      quietMs: 90_000,
      timeoutMs: 150_000,
    });
    // The thread and the CSV follow the summary (Slack's pace: a message a second).
    await fake
      .waitFor(() => fake?.files().some((file) => file.filename === `licenses-${told.requestId}.csv`), 30_000)
      .catch(() => {});
    const request = await store.getRequest(told.requestId);
    const order = new Map((request?.items ?? []).map((item, index) => [item.userId, index]));
    const lastIndex = order.get(last.userId) ?? -1;
    const chunk = (await runChunks(schema, told.requestId)).find(
      (range) => range.from <= lastIndex && lastIndex < range.to,
    );
    const doneBefore = new Set(before.map((line) => line.userId));
    const resumedAt = (await observedApplies(applied))
      .filter((line) => {
        const index = order.get(line.userId) ?? -1;
        return (
          line.at > killedAt &&
          line.pid !== last.pid &&
          chunk !== undefined &&
          index > lastIndex &&
          index < chunk.to &&
          !doneBefore.has(line.userId)
        );
      })
      .reduce<number | undefined>((first, line) => Math.min(first ?? line.at, line.at), undefined);
    const completedAfterMs = Date.now() - killedAt;

    // Judged against the tenant's final state in Postgres, read as every replica reads it.
    const final = await store.getRequest(told.requestId);
    const tenant = await readSharedTenant(schema.pool);
    const lost: string[] = [];
    const misreported: string[] = [];
    if (final === null) lost.push(`${told.requestId} is not in the store`);
    else {
      if (final.status !== 'completed') lost.push(`${told.requestId} is ${final.status}, not completed`);
      const audit = auditResults(
        final,
        customerById(baseline, final.customerId),
        customerById(tenant, final.customerId),
      );
      lost.push(...audit.lost.map((key) => `${key}: no result`));
      misreported.push(...audit.misreported, ...slackProblems(fake, final, audit.counts, audit.planned));
    }
    const doubled = await committedMoreThanOnce(schema.pool, customer.customer.id);
    const thread = final?.report?.ts === undefined ? [] : fake.thread(CHANNEL, final.report.ts);
    const report = [
      `replica kill test: seed ${seed} (CRASH_SEED=${seed}); ${USERS} users of ${customer.customer.name} over ${REPLICAS} replicas`,
      `killed pid ${last.pid} after ${before.length} applied changes; another replica continued its chunk [${chunk?.from}, ${chunk?.to}) ${
        resumedAt === undefined
          ? 'never (its chunk may have ended just before the kill)'
          : `after ${resumedAt - killedAt} ms`
      }; the run was shown completed ${completedAfterMs} ms after the kill`,
      `lost: ${lost.length}`,
      listed(lost),
      `doubled: ${doubled.length}`,
      listed(doubled),
      `misreported: ${misreported.length}${misreported.length > 0 ? ` (${tally(misreported)})` : ''}`,
      listed(misreported),
      `thread: ${thread.length} message(s); not shown completed: ${notDone.join(', ') || 'none'}`,
    ].join('\n');
    console.log(report);
    await store.close();
    expect(lost, `${report}\n${output()}`).toEqual([]);
    expect(doubled, report).toEqual([]);
    expect(misreported, `${report}\n${output()}`).toEqual([]);
    expect(thread.length, report).toBeGreaterThan(0);
    expect(
      survivors.every((child) => child.running),
      `${report}\n${output(16_000)}`,
    ).toBe(true);
  }, 300_000);
});
