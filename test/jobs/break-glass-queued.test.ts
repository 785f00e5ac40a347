/**
 * Break-glass on PostgreSQL with runs as pg-boss jobs (STORE=postgres), driven through two Slack
 * apps on one database: the break-glass operator's request is saved approved with its
 * `break_glass` audit row and runs through the jobs (every part applied once); its "Run without
 * approval" notice is posted only once another connection reads the request and that row; two
 * approvers clicking Acknowledge at once on two replicas record one acknowledgement (the lock is
 * the database's); and an operator who forges the break-glass box still waits for approval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import { afterEach, expect, it, vi } from 'vitest';
import { BREAK_GLASS_VALUE } from '../../blocks/break-glass.js';
import { ids, patterns } from '../../blocks/ids.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { countResults } from '../../src/licensing/run-counts.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  andWaitForUpdate,
  contosoOf,
  current,
  present,
  selectUsers,
  submitChange,
  textOf,
  ticks,
} from '../e2e/flow.js';
import type { AppHarness } from '../support/app-harness.js';
import {
  APPROVALS,
  APPROVER_A,
  APPROVER_B,
  buttonsOf,
  directHolders,
  ephemeralTexts,
  REVOKED_SKU,
  THRESHOLD,
} from '../support/approval-harness.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';
import type { FakeMessage, FakeView, SlackObject } from '../support/slack-fake.js';
import { CHANNEL, OPERATOR, type QueueHarness, type Replica, withQueueHarness } from './queue-harness.js';

const schema = useFreshSchema();

/** An operator who is not in BREAK_GLASS_USER_IDS (the demo provider lets everyone operate). */
const OTHER = 'U0OTHEROP';
const REASON = 'Compromised accounts: cut access now';
/** Over THRESHOLD; at 20 writes/s and 0.2 s chunks, two run-chunk jobs. */
const USERS = 6;
/** OPERATOR is an approver too, so their own Acknowledge is refused for being the requester. */
const ENV = {
  APPROVER_USER_IDS: [APPROVER_A, APPROVER_B, OPERATOR].join(','),
  APPROVAL_CHANNEL_ID: APPROVALS,
  APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
  BREAK_GLASS_USER_IDS: OPERATOR,
};
const ACKNOWLEDGE = ids.actions.acknowledgeBreakGlass;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Two replicas on the schema, each serving its Slack app over HTTP. */
async function twoServed(h: QueueHarness): Promise<{ replicas: Replica[]; apps: AppHarness[] }> {
  const replicas = [await h.startReplica(), await h.startReplica()];
  const apps: AppHarness[] = [];
  for (const replica of replicas) apps.push(await h.serve(replica));
  return { replicas, apps };
}

/** `user` opens the manage step on `app` for USERS direct holders and ticks revoke (the approval notice follows). */
async function manageStep(app: AppHarness, contoso: DemoCustomerData, user: string) {
  const holders = directHolders(contoso, REVOKED_SKU, USERS);
  const root = await selectUsers(app, contoso.customer, holders, user);
  const offers = (b: SlackObject) =>
    patterns.revoke.test(String(b.block_id)) &&
    ((b.element as { options?: SlackObject[] } | undefined)?.options ?? []).some(
      (o) => o.value === REVOKED_SKU,
    );
  const blockId = String(present(current(app, root.id).blocks.find(offers), 'a revoke group').block_id);
  const view = await andWaitForUpdate(app, root.id, () =>
    app.driver.blockActions({
      userId: user,
      viewId: root.id,
      actions: [{ actionId: blockId, blockId, select: [REVOKED_SKU] }],
    }),
  );
  return { viewId: root.id, view, holders };
}

const breakGlassTicked = {
  [ids.blocks.breakGlass]: { [ids.actions.breakGlass]: { selected_options: [{ value: BREAK_GLASS_VALUE }] } },
};

/**
 * OPERATOR revokes REVOKED_SKU from USERS holders with the break-glass box and a reason: the
 * manage step on replica 0, the preview and its "Run now" on replica 1. The request and its notice.
 */
async function brokenGlass(h: QueueHarness, apps: AppHarness[]) {
  const [first, second] = apps;
  if (first === undefined || second === undefined) throw new Error('two served replicas expected');
  const step = await manageStep(first, contosoOf(h.data), OPERATOR);
  expect(step.view.blocks.some((b) => b.block_id === ids.blocks.breakGlass)).toBe(true);
  const change = { revoke: [REVOKED_SKU], reason: REASON, values: breakGlassTicked as never };
  const answer = await submitChange(second, step.viewId, change, OPERATOR);
  expect(answer.responseAction).toBe('update');
  // Shown once the request is saved (a late save answers with a loading view first).
  await h.fake.waitFor(() => current(second, step.viewId).callbackId === ids.views.submitted, 5000);
  const [request] = await readerOf(h).listRequests({ requestedBy: OPERATOR, limit: 1 });
  if (request === undefined) throw new Error('no request stored');
  const notice = await h.fake.waitFor(
    () => h.fake.messages(APPROVALS).find((m) => buttonsOf(m).includes(ACKNOWLEDGE)),
    15_000,
  );
  return { request, notice, holders: step.holders };
}

/** Replica 0's store (every replica's store reads the one database). */
function readerOf(h: QueueHarness): PostgresStore {
  return present(h.replicas[0], 'a replica').store;
}

/** The request id an Acknowledge button of `blocks` carries. */
function acknowledgeValue(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const elements = blocks.flatMap(
    (b: { elements?: { action_id?: string; value?: string }[] }) => b.elements ?? [],
  );
  return elements.find((e) => e.action_id === ACKNOWLEDGE)?.value;
}

/** What a connection of its own read of a break-glass request when an app posted its notice. */
interface ReadAtNotice {
  requestId: string;
  status: ChangeRequest['status'] | undefined;
  breakGlassAudited: boolean;
}

/**
 * Reads the request and its audit through `reader` (its own pool: committed rows only) as each
 * app posts a break-glass notice, before the post leaves. Install before the apps are built:
 * their clients bind apiCall when constructed.
 */
function readAtEachNotice(reader: PostgresStore): ReadAtNotice[] {
  const reads: ReadAtNotice[] = [];
  const apiCall = WebClient.prototype.apiCall;
  vi.spyOn(WebClient.prototype, 'apiCall').mockImplementation(async function (
    this: WebClient,
    method: string,
    options?: Record<string, unknown>,
  ) {
    const requestId = method === 'chat.postMessage' ? acknowledgeValue(options?.blocks) : undefined;
    if (requestId !== undefined) {
      const request = await reader.getRequest(requestId);
      const audit = await reader.listAudit({ requestId, limit: 100 });
      reads.push({
        requestId,
        status: request?.status,
        breakGlassAudited: audit.some((entry) => entry.action === 'break_glass'),
      });
    }
    return apiCall.call(this, method, options);
  });
  return reads;
}

/** Jobs of the request's run in pg-boss's table, by job name. */
async function jobsOf(requestId: string): Promise<Record<string, number>> {
  const { rows } = await schema.pool.query<{ name: string; n: number }>(
    `SELECT name, count(*)::int AS n FROM ${schema.schema}_jobs.job WHERE data->>'requestId' = $1 GROUP BY name`,
    [requestId],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.n]));
}

function clickAcknowledge(app: AppHarness, user: string, notice: FakeMessage) {
  return app.driver.blockActions({
    userId: user,
    message: { channel: notice.channel, ts: notice.ts },
    actions: [{ actionId: ACKNOWLEDGE }],
  });
}

describePostgres('break-glass with runs as pg-boss jobs', () => {
  it('runs at once through the jobs, saved approved and audited, and is posted "Run without approval" once both are committed', async () => {
    const reader = new PostgresStore({ pool: schema.pool });
    await reader.open();
    const reads = readAtEachNotice(reader);
    await withQueueHarness(
      schema,
      async (h) => {
        const { replicas, apps } = await twoServed(h);
        const { request, notice, holders } = await brokenGlass(h, apps);
        const done = await h.completed(request.id);

        // Saved approved with its break-glass row, no approval to wait for.
        expect(done.approvalRequired).toBe(false);
        expect(await reader.getApproval(request.id)).toBeNull();
        const audit = await reader.listAudit({ requestId: request.id, limit: 100 });
        const submitted = audit.filter((entry) => entry.action === 'submitted');
        expect(submitted.map((entry) => entry.outcome)).toEqual(['approved']);
        const broken = audit.filter((entry) => entry.action === 'break_glass');
        expect(broken).toHaveLength(1);
        expect(broken[0]).toMatchObject({ actor: OPERATOR, outcome: 'approved' });
        expect(broken[0]?.details?.reason).toBe(REASON);

        // Run by the jobs: one start, a chunk per four parts, every part applied once.
        const jobs = await jobsOf(request.id);
        expect(jobs['run-start']).toBe(1);
        expect(jobs['run-chunk']).toBe(2);
        const counts = countResults(done);
        expect(counts).toMatchObject({ total: USERS, done: USERS });
        const userIds = holders.map((user) => user.id);
        const expected = userIds.map((userId) => resultKey(userId, REVOKED_SKU, 'revoke'));
        expect(h.applied.map((part) => part.key).sort()).toEqual(expected.sort());
        for (const userId of userIds) {
          const held = h.demo.holdingsOf(contosoOf(h.data).customer.id, userId);
          expect(held.some((license) => license.skuId === REVOKED_SKU)).toBe(false);
        }
        expect(audit.filter((entry) => entry.action === 'run_completed')).toHaveLength(1);

        // One summary, completed, its thread naming each user once.
        const summaries = h.fake.messages(CHANNEL).filter((m) => m.threadTs === undefined);
        expect(summaries.map((m) => m.ts)).toEqual([done.report?.ts]);
        expect(textOf(summaries)).toContain('Completed');
        const thread = textOf(h.fake.thread(CHANNEL, done.report?.ts ?? ''));
        for (const user of holders) expect(thread.split(user.displayName).length - 1).toBe(1);

        // The notice, once, linking the requester's thread (the run-start job posted the summary).
        expect(h.fake.messages(APPROVALS)).toHaveLength(1);
        const text = textOf([notice]);
        expect(text).toContain('Run without approval');
        expect(text).toContain(`<@${OPERATOR}>`);
        expect(text).toContain(`${USERS} users`);
        expect(text).toContain(REASON);
        expect(text).toContain("The requester's thread");
        expect(buttonsOf(notice)).toEqual([ACKNOWLEDGE]);
        // Posted when another connection already read the request and its break-glass row.
        expect(reads).toHaveLength(1);
        expect(reads[0]?.requestId).toBe(request.id);
        expect(['approved', 'running', 'completed']).toContain(reads[0]?.status);
        expect(reads[0]?.breakGlassAudited).toBe(true);
        for (const replica of replicas) expect(replica.logger.errors()).toEqual([]);
      },
      { env: ENV },
    );
    await reader.close();
  });

  it('two approvers acknowledging at once on two replicas record one acknowledgement; the requester is refused', async () => {
    await withQueueHarness(
      schema,
      async (h) => {
        const { replicas, apps } = await twoServed(h);
        const [first, second] = apps;
        if (first === undefined || second === undefined) throw new Error('two served replicas expected');
        const { request, notice } = await brokenGlass(h, apps);
        await h.completed(request.id);
        const acknowledgements = async () =>
          (await readerOf(h).listAudit({ requestId: request.id, limit: 100 })).filter(
            (entry) => entry.action === 'break_glass_acknowledged',
          );

        await clickAcknowledge(first, OPERATOR, notice);
        await first.idle();
        expect(ephemeralTexts(first, OPERATOR).join(' ')).toContain('You ran this request');
        const refusals = (await readerOf(h).listAudit({ requestId: request.id, limit: 100 })).filter(
          (entry) => entry.action === 'acknowledge_refused',
        );
        expect(refusals.map((entry) => [entry.actor, entry.outcome])).toEqual([
          [OPERATOR, 'self_acknowledge'],
        ]);
        expect(await acknowledgements()).toEqual([]);
        expect(buttonsOf(present(h.fake.message(APPROVALS, notice.ts), 'the notice'))).toEqual([ACKNOWLEDGE]);

        // The acknowledgement's write is slow on both replicas: without the database's lock, both
        // clicks would find no acknowledgement before either wrote one, and both would write.
        for (const replica of replicas) {
          const append = replica.store.appendAudit.bind(replica.store);
          vi.spyOn(replica.store, 'appendAudit').mockImplementation(async (entry) => {
            if (entry.action === 'break_glass_acknowledged') await sleep(300);
            return append(entry);
          });
        }
        const clicks = await Promise.all([
          clickAcknowledge(first, APPROVER_A, notice),
          clickAcknowledge(second, APPROVER_B, notice),
        ]);
        expect(clicks.map((click) => click.status)).toEqual([200, 200]);
        await first.idle();

        const recorded = await acknowledgements();
        expect(recorded).toHaveLength(1);
        const by = present(recorded[0], 'the acknowledgement').actor;
        const updates = h.fake
          .callsTo('chat.update')
          .filter((call) => call.ok && call.args.channel === APPROVALS && call.args.ts === notice.ts);
        expect(updates).toHaveLength(1);
        const after = present(h.fake.message(APPROVALS, notice.ts), 'the notice');
        expect(buttonsOf(after)).toEqual([]);
        expect(textOf([after])).toContain(`Acknowledged by <@${by}>`);
        const loser = by === APPROVER_A ? APPROVER_B : APPROVER_A;
        expect(ephemeralTexts(first, loser).join(' ')).toContain(`<@${by}> already acknowledged`);
        expect(ephemeralTexts(first, by)).toEqual([]);
      },
      { env: ENV },
    );
  });

  it('an operator not allowed to break glass who forges the box in a signed submission still waits for approval', async () => {
    await withQueueHarness(
      schema,
      async (h) => {
        const { apps } = await twoServed(h);
        const [first, second] = apps;
        if (first === undefined || second === undefined) throw new Error('two served replicas expected');
        const step = await manageStep(first, contosoOf(h.data), OTHER);
        expect(step.view.blocks.some((b) => b.block_id === ids.blocks.approvalWarning)).toBe(true);
        expect(JSON.stringify(step.view.blocks)).not.toContain(ids.blocks.breakGlass);

        // Forged: the break-glass value injected into the state of a signed submission to replica 1.
        const answer = await forgedSubmission(second, step.viewId, step.view);
        expect(answer.preview.submit?.text).toBe('Request approval');
        expect((await answer.confirm()).status).toBe(200);
        // Its approval request is posted (in the background when the confirm was answered late).
        const posted = async () => {
          const [request] = await readerOf(h).listRequests({ requestedBy: OTHER, limit: 1 });
          if (request === undefined) return null;
          const approval = await readerOf(h).getApproval(request.id);
          return approval?.message === undefined ? null : { request, approval };
        };
        const { request, approval } = await until(posted, 'the approval request of the forged submission');
        await first.idle();

        expect(request.status).toBe('pending_approval');
        expect(approval.status).toBe('pending');
        expect(approval.message?.channel).toBe(APPROVALS);
        const audit = await readerOf(h).listAudit({ requestId: request.id, limit: 100 });
        expect(audit.map((entry) => entry.action)).not.toContain('break_glass');
        expect(await jobsOf(request.id)).toEqual({});
        expect(h.applied).toEqual([]);
        for (const user of step.holders) {
          const held = h.demo.holdingsOf(contosoOf(h.data).customer.id, user.id);
          expect(held.some((license) => license.skuId === REVOKED_SKU)).toBe(true);
        }
        expect(textOf(h.fake.messages(APPROVALS))).not.toContain('Run without approval');
      },
      { env: ENV },
    );
  });
});

/**
 * OTHER's manage step submitted with the revocation, a reason and the break-glass value they were
 * never shown, signed as Slack would; its preview, and the confirm of it (sent by `confirm()`).
 */
async function forgedSubmission(app: AppHarness, viewId: string, view: FakeView) {
  const { fake, driver } = app;
  fake.enterValues(viewId, {
    ...ticks(view, 'revoke', [REVOKED_SKU]),
    [ids.blocks.reason]: { [ids.actions.reason]: { value: REASON } },
  } as never);
  const payloadView = fake.viewPayload(viewId) as { state: { values: Record<string, unknown> } };
  payloadView.state.values[ids.blocks.breakGlass] = {
    [ids.actions.breakGlass]: { type: 'checkboxes', selected_options: [{ value: BREAK_GLASS_VALUE }] },
  };
  const payload = {
    type: 'view_submission',
    team: { id: fake.teamId, domain: 'fake' },
    user: { id: OTHER, username: 'other', name: 'other', team_id: fake.teamId },
    api_app_id: fake.appId,
    token: 'legacy-verification-token',
    trigger_id: fake.issueTriggerId(OTHER),
    view: payloadView,
    response_urls: [],
  };
  const signed = (sent: unknown) => {
    const body = new URLSearchParams({ payload: JSON.stringify(sent) }).toString();
    return driver.raw(body, { 'Content-Type': 'application/x-www-form-urlencoded', ...driver.sign(body) });
  };
  const answer = await signed(payload);
  expect(answer.status).toBe(200);
  const preview = (answer.body as { view: { submit?: { text: string } } }).view;
  return {
    preview,
    confirm: () => signed({ ...payload, view: { ...payloadView, ...preview, state: { values: {} } } }),
  };
}

/** Polls `probe` until it answers; fails after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
