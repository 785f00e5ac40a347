/**
 * Undo (issue 11, point 5), end to end over signed HTTP with the Slack fake on the demo tenant: a
 * finished request's summary offers "Undo"; the undo puts every user × product it changed back as
 * it was before its run (disabled plans compared as sets), leaves alone what was changed since and
 * says so in its thread, goes through approval when it revokes at or above the threshold, and is
 * refused to a non-operator and past UNDO_DAYS.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import type { DemoCustomerData, DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
} from '../support/app-harness.js';
import {
  APPROVALS,
  APPROVER_A,
  clickApproval,
  STRANGER,
  TestClock,
  THRESHOLD,
} from '../support/approval-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeMessage } from '../support/slack-fake.js';
import {
  blocksText,
  chooseCustomer,
  contosoOf,
  countByMethod,
  finishedRun,
  humongous,
  openLicenses,
  pasteEmails,
  present,
  selectUsers,
  submitChange,
  textOf,
  toLicenses,
  turnFirstPlanOff,
} from './flow.js';

const E3 = DEMO_SKUS.ENTERPRISEPACK;
const VISIO = DEMO_SKUS.VISIOCLIENT;

afterAll(() => reportAckLatencies('undo.test.ts'));

async function start(
  options: {
    env?: Record<string, string>;
    clock?: TestClock;
    tenant?: (d: DemoTenantData) => DemoTenantData;
  } = {},
): Promise<AppHarness> {
  return closedAfterTest(
    await startAppHarness({
      env: { OPERATOR_USER_IDS: OPERATOR, ...options.env },
      ...(options.clock ? { service: { now: options.clock.now } } : {}),
      ...(options.tenant ? { tenant: options.tenant } : {}),
    }),
  );
}

/** The top-level messages (summaries) in the channel, oldest first. */
function summaries(app: AppHarness): FakeMessage[] {
  return app.fake.messages(CHANNEL).filter((m) => m.threadTs === undefined);
}

/** The follow-up buttons' action ids of a summary. */
function followUpButtons(message: FakeMessage): string[] {
  const block = (message.blocks ?? []).find(
    (b) => (b as { block_id?: string }).block_id === ids.blocks.followUpActions,
  ) as { elements?: { action_id?: string; value?: string }[] } | undefined;
  return (block?.elements ?? []).map((e) => e.action_id ?? '');
}

/** `user` clicks "Undo" on `summary`; returns the modal it opened (the undo, or a notice). */
async function clickUndo(app: AppHarness, summary: FakeMessage, user = OPERATOR) {
  const opened = app.fake.openModalOf(user);
  const response = await app.driver.blockActions({
    userId: user,
    message: { channel: summary.channel, ts: summary.ts },
    actions: [{ actionId: ids.actions.undo }],
  });
  expect(response.status).toBe(200);
  const view = await app.fake.waitFor(() => {
    const now = app.fake.openModalOf(user);
    return now !== undefined && now !== opened && !blocksText(now.blocks).includes('Planning the undo')
      ? now
      : undefined;
  }, 10_000);
  expectValidModal(view.definition);
  return view;
}

/** A user's direct licenses of `skus`, each with its plans off as a sorted set. */
function stateOf(app: AppHarness, customerId: string, userId: string, skus: readonly string[]) {
  return Object.fromEntries(
    app.provider
      .holdingsOf(customerId, userId)
      .filter((l) => l.direct && skus.includes(l.skuId))
      .map((l) => [l.skuId, [...new Set(l.disabledPlans)].sort()]),
  );
}

/**
 * Contoso: two direct E3 holders get E3 with its last plan off and Visio with its first plan off;
 * the returned ids are those two, then three users holding nothing.
 */
function withPlansOff(data: DemoTenantData): DemoTenantData {
  const contoso = contosoOf(data);
  const planOf = (skuId: string, at: number) =>
    present(contoso.products.find((p) => p.skuId === skuId)?.servicePlans.at(at)?.id, `a plan of ${skuId}`);
  for (const user of holders(contoso)) {
    const held = (contoso.holdings[user.id] ?? []).filter((l) => l.skuId !== E3 && l.skuId !== VISIO);
    contoso.holdings[user.id] = [
      ...held,
      { skuId: E3, disabledPlans: [planOf(E3, -1)], direct: true, viaGroups: [] },
      { skuId: VISIO, disabledPlans: [planOf(VISIO, 0)], direct: true, viaGroups: [] },
    ];
  }
  return data;
}

function holders(contoso: DemoCustomerData) {
  return contoso.users
    .filter((u) => {
      const e3 = (contoso.holdings[u.id] ?? []).find((l) => l.skuId === E3);
      return u.usageLocation !== null && e3?.direct === true && e3.viaGroups.length === 0;
    })
    .slice(0, 2);
}

function newcomers(contoso: DemoCustomerData, count: number) {
  return contoso.users
    .filter((u) => (contoso.holdings[u.id] ?? []).length === 0 && u.usageLocation !== null)
    .slice(0, count);
}

describe('undo', () => {
  it('puts every user × product back exactly as before, and leaves alone a user changed behind its back', async () => {
    const app = await start({ tenant: withPlansOff });
    const contoso = contosoOf(app.data);
    const id = contoso.customer.id;
    const kept = holders(contoso);
    const fresh = newcomers(contoso, 3);
    const users = [...kept, ...fresh];
    const before = new Map(users.map((u) => [u.id, stateOf(app, id, u.id, [E3, VISIO])]));
    expect(Object.values(before.get(kept[0]?.id ?? '') ?? {})).toHaveLength(2);

    // E3 with its first plan off to holders (who had another off) and newcomers; Visio revoked.
    const manage = await selectUsers(app, contoso.customer, users);
    const off = await turnFirstPlanOff(app, manage.id, E3);
    expect(before.get(kept[0]?.id ?? '')?.[E3]).not.toContain(off.id);
    expect((await submitChange(app, manage.id, { assign: [E3], revoke: [VISIO] })).responseAction).toBe(
      'update',
    );
    const { summary: first } = await finishedRun(app);
    expect(textOf([first])).toContain('7 succeeded');
    expect(followUpButtons(first)).toContain(ids.actions.undo);
    for (const u of users) expect(stateOf(app, id, u.id, [E3])[E3], u.displayName).toEqual([off.id]);

    // Behind the bot's back: one newcomer's E3 gets every plan on.
    const changed = present(fresh[0], 'a newcomer');
    await app.provider.applyUserChange(id, changed.id, {
      assign: [{ skuId: E3, disabledPlans: [] }],
      revoke: [],
    });

    const modal = await clickUndo(app, first);
    expect(modal.callbackId).toBe(ids.views.followUp);
    const shown = blocksText(modal.blocks);
    expect(shown).toContain('5 users to put back as before');
    expect(shown).toContain(
      'back to 2 users with the plans they had off · taken back from 3 users who did not have it',
    );
    expect(shown).toContain('*Visio');
    expect(shown).toContain('1 changed since or as before already');
    expect(modal.definition.submit).toMatchObject({ text: 'Undo' });
    expect(modal.blocks.find((b) => b.block_id === ids.blocks.reason)).toMatchObject({ optional: true });

    const sent = await app.driver.viewSubmission({ userId: OPERATOR, viewId: modal.id });
    expect(sent.responseAction).toBe('update');
    await app.idle();
    expect(present(app.fake.view(modal.id), 'the modal').definition.title).toMatchObject({
      text: 'Request sent',
    });
    const requests = await app.store.listRequests({ limit: 10 });
    const original = present(
      requests.find((r) => r.followUpOf === undefined),
      'the original',
    );
    const undo = present(
      requests.find((r) => r.followUpOf?.kind === 'undo'),
      'the undo',
    );
    expect(undo.followUpOf?.requestId).toBe(original.id);
    expect(undo.status).toBe('completed');

    // Its summary where the original reported, named after it, and a thread saying what was left alone.
    const undone = present(summaries(app)[1], 'the undo summary');
    expect(textOf([undone])).toContain(`*Undo* of`);
    expect(textOf([undone])).toContain(original.id);
    const thread = textOf(app.fake.thread(CHANNEL, undone.ts));
    expect(thread).toContain('6 succeeded, 1 no change, 0 failed');
    expect(thread).toContain('*Office 365 E3*: 1 user changed since the undone request (left as they are)');
    expect(thread).not.toContain('did not have it');

    for (const u of users) {
      const now = stateOf(app, id, u.id, [E3, VISIO]);
      if (u.id === changed.id) expect(now, 'left as changed').toEqual({ [E3]: [] });
      else expect(now, u.displayName).toEqual(before.get(u.id));
    }

    // Undone once: the original's Undo says there is nothing left, and opens no form.
    const again = await clickUndo(app, first);
    expect(blocksText(again.blocks)).toContain('Nothing is left to undo');
    expect(again.definition.submit).toBeUndefined();
  });

  it('puts an undo that revokes as many as the threshold through approval, with a reason', async () => {
    const app = await start({
      env: {
        APPROVER_USER_IDS: APPROVER_A,
        APPROVAL_CHANNEL_ID: APPROVALS,
        APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
      },
    });
    const contoso = contosoOf(app.data);
    const users = newcomers(contoso, THRESHOLD);
    const manage = await selectUsers(app, contoso.customer, users);
    await submitChange(app, manage.id, { assign: [VISIO] });
    const { summary } = await finishedRun(app);

    const modal = await clickUndo(app, summary);
    expect(blocksText(modal.blocks)).toContain("This undo needs a manager's approval");
    expect(modal.definition.submit).toMatchObject({ text: 'Request approval' });
    expect(modal.blocks.find((b) => b.block_id === ids.blocks.reason)).toMatchObject({ optional: false });
    const sent = await app.driver.viewSubmission({
      userId: OPERATOR,
      viewId: modal.id,
      values: { [ids.blocks.reason]: { [ids.actions.reason]: { value: 'Assigned by mistake' } } },
    });
    expect(sent.responseAction).toBe('update');
    await app.idle();
    const undo = present(
      (await app.store.listRequests({ limit: 10 })).find((r) => r.followUpOf?.kind === 'undo'),
      'the undo',
    );
    expect(undo.status).toBe('pending_approval');
    for (const u of users) expect(stateOf(app, contoso.customer.id, u.id, [VISIO])).toHaveProperty(VISIO);
    const where = present((await app.store.getApproval(undo.id))?.message, 'the approval message');
    const asked = textOf([present(app.fake.message(where.channel, where.ts), 'the approval message')]);
    expect(asked).toContain('*Undo* of');
    expect(asked).toContain('Assigned by mistake');
    await clickApproval(app, APPROVER_A, where, 'approve');
    await app.idle();
    expect((await app.store.getRequest(undo.id))?.status).toBe('completed');
    for (const u of users) expect(stateOf(app, contoso.customer.id, u.id, [VISIO])).toEqual({});
  });

  it('refuses a non-operator, and says so past UNDO_DAYS', async () => {
    const clock = new TestClock();
    const app = await start({ clock });
    const contoso = contosoOf(app.data);
    const manage = await selectUsers(app, contoso.customer, newcomers(contoso, 1));
    await submitChange(app, manage.id, { assign: [VISIO] });
    const { summary } = await finishedRun(app);

    const opened = app.fake.callsTo('views.open').length;
    await app.driver.blockActions({
      userId: STRANGER,
      message: { channel: summary.channel, ts: summary.ts },
      actions: [{ actionId: ids.actions.undo }],
    });
    await app.fake.waitForCall('chat.postEphemeral');
    expect(app.fake.callsTo('views.open').length).toBe(opened);
    expect(
      app.fake
        .ephemerals()
        .filter((e) => e.user === STRANGER)
        .map((e) => e.text)
        .join('\n'),
    ).toContain('Only LicenseDesk operators');

    clock.advanceHours(30 * 24 + 1);
    const late = await clickUndo(app, summary);
    expect(blocksText(late.blocks)).toContain('can no longer be undone');
    expect(late.definition.submit).toBeUndefined();
    expect(await app.store.listRequests({ limit: 10 })).toHaveLength(1);
  });

  it('undoes a 1,000-user request with a bounded number of Slack calls', async () => {
    const big = humongous(1000, 1100);
    const app = closedAfterTest(
      await startAppHarness({
        // One operator request of 1,000 revocations: no approval in this measure.
        env: { APPROVAL_REVOKE_THRESHOLD: '5000' },
        tenant: (data) => ({ ...data, customers: [...data.customers, big] }),
        progressIntervalMs: 2000,
        messageIntervalMs: 1000,
      }),
    );
    const id = big.customer.id;
    const before = new Map(big.users.map((u) => [u.id, stateOf(app, id, u.id, [E3])]));
    const root = await openLicenses(app);
    await chooseCustomer(app, root.id, 'Hum', id);
    await pasteEmails(
      app,
      root.id,
      big.users.map((u) => u.email),
    );
    await toLicenses(app, root.id);
    await submitChange(app, root.id, { assign: [E3] });
    const { summary } = await finishedRun(app);

    app.fake.resetCalls();
    const started = Date.now();
    const modal = await clickUndo(app, summary);
    expect(modal.definition.submit).toMatchObject({ text: 'Undo' });
    expect((await app.driver.viewSubmission({ userId: OPERATOR, viewId: modal.id })).responseAction).toBe(
      'update',
    );
    await app.idle();
    const undone = present(summaries(app)[1], 'the undo summary');
    const thread = app.fake.thread(CHANNEL, undone.ts);
    const calls = countByMethod(app.fake.calls);
    console.log(
      `1,000-user undo, Undo click to finished thread (${Date.now() - started} ms): ${JSON.stringify(calls)}`,
    );

    expect(textOf([undone])).toContain('Completed');
    for (const u of big.users) expect(stateOf(app, id, u.id, [E3]), u.email).toEqual(before.get(u.id));
    expect(calls['views.open']).toBe(1);
    expect(calls['chat.postMessage']).toBe(1 + thread.length);
    expect(thread.length).toBeLessThanOrEqual(5);
    expect(calls['files.completeUploadExternal']).toBe(1);
    expect(Object.values(calls).reduce((n, c) => n + c, 0)).toBeLessThanOrEqual(30);
  }, 180_000);
});
