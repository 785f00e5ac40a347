/**
 * Any replica answers any Slack request (issue 10, point 4): two app replicas in one process on
 * one Postgres schema, each with its own pool, store and service. What Slack may deliver twice
 * reaches both at once: a modal submission, an approval click, an event retry. Each has one effect.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  chooseCustomer,
  contosoOf,
  current,
  firstName,
  openLicenses,
  pickUsers,
  showsPreview,
  textOf,
  ticks,
  toLicenses,
} from '../e2e/flow.js';
import { CHANNEL, OPERATOR } from '../support/app-harness.js';
import { APPROVALS, APPROVER_A, directHolders, REVOKED_SKU } from '../support/approval-harness.js';
import { describePostgres, freshSchema, type TestSchema } from '../support/postgres.js';
import { type ReplicaSet, startReplicas } from '../support/replicas.js';

let schema: TestSchema;
let set: ReplicaSet | undefined;
beforeAll(async () => {
  schema = await freshSchema();
});
afterEach(async () => {
  await set?.close();
  set = undefined;
});
afterAll(async () => {
  await schema?.drop();
});

async function start(env: Record<string, string> = {}): Promise<ReplicaSet> {
  // One table set per test: the schema's tables are emptied between tests.
  await schema.pool.query(
    'TRUNCATE drafts, requests, request_results, request_prior_state, approvals, audit',
  );
  set = await startReplicas({
    count: 2,
    schema,
    openStore: (pool, _index, onRunnable) =>
      new PostgresStore({ pool, ...(onRunnable === undefined ? {} : { onRunnable }) }),
    // Runs go through pg-boss as with STORE=postgres: whichever replica's worker takes the job runs it.
    queue: true,
    env: {
      APPROVER_USER_IDS: APPROVER_A,
      APPROVAL_CHANNEL_ID: APPROVALS,
      APPROVAL_REVOKE_THRESHOLD: '3',
      ...env,
    },
  });
  return set;
}

/** The operator's modal up to the manage step, each step on the other replica than the one before. */
async function manageStepAcrossReplicas(
  s: ReplicaSet,
  users: readonly { id: string; displayName: string }[],
) {
  const contoso = contosoOf(s.data);
  const root = await openLicenses(s.flow(0));
  await chooseCustomer(s.flow(1), root.id, 'Con', contoso.customer.id);
  let turn = 0;
  for (const user of users) {
    await pickUsers(s.flow(turn % 2), root.id, firstName(user), [user.id]);
    turn += 1;
  }
  await toLicenses(s.flow(turn % 2), root.id);
  return root.id;
}

/** An app_home_opened event as Slack sends it (its retries repeat it byte for byte). */
function homeOpenedBody(s: ReplicaSet, userId: string): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: s.fake.teamId,
    api_app_id: s.fake.appId,
    type: 'event_callback',
    event_id: 'Ev0REPLICARETRY',
    event_time: Math.floor(now),
    authorizations: [
      {
        enterprise_id: null,
        team_id: s.fake.teamId,
        user_id: s.fake.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    event: {
      type: 'app_home_opened',
      user: userId,
      channel: s.fake.dmChannelOf(userId),
      tab: 'home',
      event_ts: now.toFixed(6),
    },
  });
}

/** Polls `probe` (it may read the database) until it holds; fails after `timeoutMs`. */
async function until(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The request's run is completed and its thread names every user (the finisher posts it after). */
async function finished(s: ReplicaSet, requestId: string, users: readonly { displayName: string }[]) {
  const store = s.replicas[0]?.store;
  await until(
    `${requestId} completed`,
    async () => (await store?.getRequest(requestId))?.status === 'completed',
  );
  const request = await store?.getRequest(requestId);
  await until(`the thread of ${requestId} naming every user`, () => {
    const thread = textOf(s.fake.thread(CHANNEL, request?.report?.ts ?? ''));
    return users.every((user) => thread.includes(user.displayName));
  });
  await s.idle();
}

const summariesIn = (s: ReplicaSet, channel: string) =>
  s.fake.messages(channel).filter((message) => message.threadTs === undefined);

describePostgres('two replicas on one database', () => {
  it('the same view_submission delivered to both at once creates one request and one summary', async () => {
    const s = await start();
    const contoso = contosoOf(s.data);
    const users = contoso.users
      .filter((u) => u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0)
      .slice(0, 3);
    expect(users).toHaveLength(3);
    const viewId = await manageStepAcrossReplicas(s, users);
    const values = ticks(current(s.flow(0), viewId), 'assign', [DEMO_SKUS.ENTERPRISEPACK]);
    const [a, b] = s.replicas.map((replica) => replica.driver);
    if (a === undefined || b === undefined) throw new Error('two replicas expected');

    // Next on the manage step shows the preview; its confirm is the submission delivered twice.
    expect((await a.viewSubmission({ userId: OPERATOR, viewId, values })).responseAction).toBe('update');
    await s.fake.waitFor(() => showsPreview(current(s.flow(0), viewId)), 5000);
    const answers = await Promise.all([
      a.viewSubmission({ userId: OPERATOR, viewId }),
      b.viewSubmission({ userId: OPERATOR, viewId }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await s.fake.waitFor(() => current(s.flow(0), viewId).callbackId === ids.views.submitted, 5000);
    const [store] = s.replicas.map((replica) => replica.store);
    const [made] = (await store?.listRequests({ requestedBy: OPERATOR, limit: 10 })) ?? [];
    await finished(s, made?.id ?? 'no request', users);

    const requests = await store?.listRequests({ requestedBy: OPERATOR, limit: 10 });
    expect(requests?.map((request) => request.status)).toEqual(['completed']);
    const summaries = summariesIn(s, CHANNEL);
    expect(summaries).toHaveLength(1);
    const request = requests?.[0];
    expect(summaries[0]?.ts).toBe(request?.report?.ts);
    const audit = await store?.listAudit({ requestId: request?.id, limit: 100 });
    expect(audit?.filter((entry) => entry.action === 'submitted')).toHaveLength(1);
    expect(audit?.filter((entry) => entry.action === 'run_completed')).toHaveLength(1);
    for (const user of users) {
      expect(
        s.provider
          .holdingsOf(contoso.customer.id, user.id)
          .filter((l) => l.skuId === DEMO_SKUS.ENTERPRISEPACK),
      ).toHaveLength(1);
    }
    // Each user is reported once in the thread.
    const thread = textOf(s.fake.thread(CHANNEL, summaries[0]?.ts ?? ''));
    for (const user of users) expect(thread.split(user.displayName).length - 1).toBe(1);
  });

  it('Approve clicked on both replicas at once is decided once and runs once', async () => {
    const s = await start();
    const contoso = contosoOf(s.data);
    const holders = directHolders(contoso, REVOKED_SKU, 3);
    const viewId = await manageStepAcrossReplicas(s, holders);
    const values = {
      ...ticks(current(s.flow(0), viewId), 'revoke', [REVOKED_SKU]),
      [ids.blocks.reason]: { [ids.actions.reason]: { value: 'Leavers of March' } },
    };
    const next = await s.replicas[1]?.driver.viewSubmission({ userId: OPERATOR, viewId, values });
    expect(next?.responseAction).toBe('update');
    await s.fake.waitFor(() => showsPreview(current(s.flow(0), viewId)), 5000);
    // The preview's confirm reaches the other replica: the choice is in the draft, not in memory.
    const submitted = await s.replicas[0]?.driver.viewSubmission({ userId: OPERATOR, viewId });
    expect(submitted?.responseAction).toBe('update');
    await s.idle();
    const store = s.replicas[0]?.store;
    const [request] = (await store?.listRequests({ requestedBy: OPERATOR, limit: 10 })) ?? [];
    expect(request?.status).toBe('pending_approval');
    const approval = request === undefined ? null : ((await store?.getApproval(request.id)) ?? null);
    const message = approval?.message;
    if (request === undefined || message === undefined) throw new Error('no approval message was posted');

    const clicks = await Promise.all(
      s.replicas.map((replica) =>
        replica.driver.blockActions({
          userId: APPROVER_A,
          message: { channel: message.channel, ts: message.ts },
          actions: [{ actionId: ids.actions.approve }],
        }),
      ),
    );
    expect(clicks.map((click) => click.status)).toEqual([200, 200]);
    await finished(s, request.id, holders);

    const audit = (await store?.listAudit({ requestId: request.id, limit: 100 })) ?? [];
    expect(audit.filter((entry) => entry.action === 'approved')).toHaveLength(1);
    // The run went through the queue, enqueued once by the one approving transaction.
    const starts = await schema.pool.query(
      `SELECT 1 FROM ${schema.schema}_jobs.job WHERE name = 'run-start' AND data->>'requestId' = $1`,
      [request.id],
    );
    expect(starts.rowCount).toBe(1);
    expect(audit.filter((entry) => entry.action === 'run_completed')).toHaveLength(1);
    for (const user of holders) {
      expect(s.provider.holdingsOf(contoso.customer.id, user.id).some((l) => l.skuId === REVOKED_SKU)).toBe(
        false,
      );
    }
    const summary = s.fake.message(CHANNEL, request.report?.ts ?? '');
    expect(textOf(summary === undefined ? [] : [summary])).toContain('Completed');
    const thread = textOf(s.fake.thread(CHANNEL, request.report?.ts ?? ''));
    for (const user of holders) expect(thread.split(user.displayName).length - 1).toBe(1);
    // The approval message says approved, once, by the approver.
    const decided = s.fake.message(message.channel, message.ts);
    expect(textOf(decided === undefined ? [] : [decided])).toContain(`Approved* by <@${APPROVER_A}>`);
  });

  it('an event retry (x-slack-retry-num) landing on the other replica has no second effect', async () => {
    const s = await start();
    const [a, b] = s.replicas;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const body = homeOpenedBody(s, OPERATOR);
    const first = await a.driver.raw(body, { 'Content-Type': 'application/json', ...a.driver.sign(body) });
    expect(first.status).toBe(200);
    const home = await s.fake.waitFor(() => s.fake.home(OPERATOR), 5000);
    const shown = JSON.stringify(home.definition.blocks);
    const storedBefore = await a.store.listAudit({ limit: 100 });

    // The same event again, byte for byte, as Slack retries it, to the other replica.
    const event = s.fake.calls.length;
    const retried = await b.driver.raw(body, {
      'Content-Type': 'application/json',
      'X-Slack-Retry-Num': '1',
      'X-Slack-Retry-Reason': 'http_timeout',
      ...b.driver.sign(body),
    });
    expect(retried.status).toBe(200);
    await s.idle();
    // Home is rendered from the shared store: the retry shows the same Home, changes nothing stored.
    expect(JSON.stringify(s.fake.home(OPERATOR)?.definition.blocks)).toBe(shown);
    expect(await b.store.listAudit({ limit: 100 })).toEqual(storedBefore);
    expect(await b.store.listRequests({ limit: 10 })).toEqual([]);
    expect(s.fake.calls.slice(event).filter((call) => call.method !== 'views.publish')).toEqual([]);
  });
});
