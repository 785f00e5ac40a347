/**
 * The two ways the approval rule used to be dodged, driven over signed HTTP: re-assigning a
 * product with its service plans turned off (it counted as an assignment), and splitting a large
 * revocation into small requests (each was judged alone).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { patterns, plansActionId } from '../../blocks/ids.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import type { Approval } from '../../src/store/store.js';
import { OPERATOR, reportAckLatencies, TEST_CUSTOMERS } from '../support/app-harness.js';
import {
  APPROVER_A,
  type ApprovalHarness,
  clickApproval,
  directHolders,
  REVOKED_SKU,
  startApprovalHarness,
} from '../support/approval-harness.js';
import { expectValidMessageBlocks, expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeMessage, FakeView, SlackObject } from '../support/slack-fake.js';
import { andWaitForUpdate, current, selectUsers, submitChange, textOf } from './flow.js';

/** Another operator (the demo provider lets anyone operate when no operator is configured). */
const OTHER_OPERATOR = 'U0OTHEROPERATOR';

afterAll(() => reportAckLatencies('approval-dodge.test.ts'));

type Person = { id: string; displayName: string };

const viewText = (view: FakeView) =>
  textOf([{ channel: '', ts: '', edits: 0, blocks: view.blocks as never }]);

function customerData(t: ApprovalHarness, customerId: string): DemoCustomerData {
  const found = t.h.data.customers.find((c) => c.customer.id === customerId);
  if (!found) throw new Error(`no customer ${customerId}`);
  return found;
}

/** `user` runs /licenses, picks the customer and the users: the manage step's view id. */
async function manageStep(
  t: ApprovalHarness,
  customer: DemoCustomerData,
  users: readonly Person[],
  user = OPERATOR,
) {
  return (await selectUsers(t.h, customer.customer, users, user)).id;
}

/** Ticks "revoke" on `skuId` and waits for the step to be re-rendered (the approval notice appears). */
function tickRevoke(t: ApprovalHarness, viewId: string, skuId: string, user = OPERATOR) {
  const block = current(t.h, viewId).blocks.find((b) => {
    const options = (b.element as { options?: { value: string }[] } | undefined)?.options ?? [];
    return patterns.revoke.test(String(b.block_id)) && options.some((o) => o.value === skuId);
  });
  if (!block) throw new Error(`no revoke group offers ${skuId}`);
  const blockId = String(block.block_id);
  const option = (block.element as { options: SlackObject[] }).options.find((o) => o.value === skuId);
  return andWaitForUpdate(t.h, viewId, () =>
    t.h.driver.blockActions({
      userId: user,
      viewId,
      actions: [{ actionId: blockId, blockId, select: [option as SlackObject] }],
    }),
  );
}

/** `user` revokes REVOKED_SKU from `users` at `customer` (with `reason` when given); returns the answer. */
async function revokeFrom(
  t: ApprovalHarness,
  users: readonly Person[],
  {
    user = OPERATOR,
    customer = t.contoso,
    reason,
  }: { user?: string; customer?: DemoCustomerData; reason?: string } = {},
) {
  const viewId = await manageStep(t, customer, users, user);
  const answer = await submitChange(
    t.h,
    viewId,
    { revoke: [REVOKED_SKU], ...(reason ? { reason } : {}) },
    user,
  );
  await t.h.idle();
  // A minute between requests, so "most recent first" is well defined.
  t.clock.advanceHours(1 / 60);
  if (answer.responseAction === 'update') {
    // The operator closes the "under way" modal ("Done") before the next /licenses.
    await t.h.driver.viewClosed({ userId: user, viewId, isCleared: true });
  }
  return { answer, viewId };
}

/** The newest request of `user`, with its approval record. */
async function latestRequest(t: ApprovalHarness, user = OPERATOR) {
  const [request] = await t.h.service.recentRequests(user, 1);
  if (!request) throw new Error(`${user} has no request`);
  return { request, approval: await t.h.store.getApproval(request.id) };
}

function holds(customer: DemoCustomerData, t: ApprovalHarness, userId: string, skuId = REVOKED_SKU): boolean {
  return t.h.provider.holdingsOf(customer.customer.id, userId).some((l) => l.skuId === skuId);
}

/** Users holding Office 365 E3 directly (not through a group) with every service plan on. */
function e3Holders(customer: DemoCustomerData, count: number): Person[] {
  const users = customer.users.filter((u) =>
    (customer.holdings[u.id] ?? []).some(
      (l) =>
        l.skuId === DEMO_SKUS.ENTERPRISEPACK &&
        l.direct &&
        l.viaGroups.length === 0 &&
        l.disabledPlans.length === 0,
    ),
  );
  if (users.length < count) throw new Error(`only ${users.length} direct E3 holders with every plan on`);
  return users.slice(0, count);
}

/** Opens the service plans of `skuId` from the manage step and saves them all turned off. */
async function turnEveryPlanOff(t: ApprovalHarness, viewId: string, skuId: string) {
  const { h } = t;
  const button = current(h, viewId)
    .blocks.flatMap((b) => (b.elements as { action_id?: string; value?: string }[] | undefined) ?? [])
    .find((e) => patterns.plans.test(e.action_id ?? '') && e.value === skuId);
  const index = Number(/\d+$/.exec(button?.action_id ?? '')?.[0]);
  await h.driver.blockActions({ userId: OPERATOR, viewId, actions: [{ actionId: plansActionId(index) }] });
  const plans = await h.fake.waitFor(() => {
    const stack = h.fake.stackOf(viewId);
    return stack.length === 2 ? h.fake.view(stack[1] ?? '') : undefined;
  });
  expectValidModal(plans.definition);
  const values: Record<string, Record<string, SlackObject>> = {};
  for (const block of plans.blocks) {
    if (block.type !== 'input' || !patterns.planOff.test(String(block.block_id))) continue;
    const element = block.element as { action_id: string; options: SlackObject[] };
    values[String(block.block_id)] = { [element.action_id]: { selected_options: element.options } };
  }
  expect(Object.keys(values).length).toBeGreaterThan(0);
  const before = current(h, viewId).updates;
  const saved = await h.driver.viewSubmission({ userId: OPERATOR, viewId: plans.id, values });
  expect(saved.responseAction).toBe('close');
  await h.fake.waitFor(() => current(h, viewId).updates > before);
}

/** The approval message posted for `approval`, validated. */
function approvalMessageOf(t: ApprovalHarness, approval: Approval | null): FakeMessage {
  const where = approval?.message;
  const message = where === undefined ? undefined : t.h.fake.message(where.channel, where.ts);
  if (!message) throw new Error(`request ${approval?.requestId} has no approval message`);
  expectValidMessageBlocks(message.blocks);
  return message;
}

describe('service plans turned off for users who hold the product', () => {
  it('count as revocations: 8 holders of E3 re-assigned with every plan off need a manager (threshold 3)', async () => {
    const t = closedAfterTest(await startApprovalHarness());
    const holders = e3Holders(t.contoso, 8);
    const viewId = await manageStep(t, t.contoso, holders);
    await turnEveryPlanOff(t, viewId, DEMO_SKUS.ENTERPRISEPACK);

    // Without a reason the submission is refused, and says why.
    const refused = await submitChange(t.h, viewId, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(refused.responseAction).toBe('errors');
    expect(Object.values(refused.errors ?? {}).join(' ')).toContain(
      "turns service plans off on 8 licenses users keep: 8 revocations, and 3 or more need a manager's approval",
    );
    expect(await t.h.store.listRequests({ limit: 10 })).toEqual([]);

    const sent = await submitChange(t.h, viewId, { assign: [DEMO_SKUS.ENTERPRISEPACK], reason: 'Trim E3' });
    expect(sent.responseAction).toBe('update');
    expect(viewText(current(t.h, viewId))).toContain(
      'Why: it turns service plans off on 8 licenses users keep',
    );
    await t.h.idle();

    const { request, approval } = await latestRequest(t);
    expect(request).toMatchObject({
      status: 'pending_approval',
      approvalRequired: true,
      revocations: 8,
      approvalBasis: { revocations: 0, planRemovals: 8, own: 8 },
    });
    const message = textOf([approvalMessageOf(t, approval)]);
    expect(message).toContain(`<@${OPERATOR}> asks to turn service plans off on 8 licenses users keep`);
    expect(message).toContain('8 licenses users keep with service plans turned off = 8');
    // Nothing ran: every holder keeps every plan.
    for (const user of holders) {
      const e3 = t.h.provider
        .holdingsOf(t.contoso.customer.id, user.id)
        .find((l) => l.skuId === DEMO_SKUS.ENTERPRISEPACK);
      expect(e3?.disabledPlans).toEqual([]);
    }
  });
});

describe('the approval threshold over a window', () => {
  it('sends the third of three 2-user revocations to a manager and tells the operator why, at each step', async () => {
    const t = closedAfterTest(await startApprovalHarness({ APPROVAL_REVOKE_THRESHOLD: '5' }));
    const holders = directHolders(t.contoso, REVOKED_SKU, 6);
    for (const pair of [holders.slice(0, 2), holders.slice(2, 4)]) {
      const { answer } = await revokeFrom(t, pair);
      expect(answer.responseAction).toBe('update');
    }

    // The manage step: ticking "revoke" brings the notice, with the earlier requests counted.
    const third = holders.slice(4, 6);
    const viewId = await manageStep(t, t.contoso, third);
    const ticked = await tickRevoke(t, viewId, REVOKED_SKU);
    expect(viewText(ticked)).toContain(
      "needs a manager's approval:* it revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6 revocations, and 5 or more need approval.",
    );

    // The submitted view repeats it; nothing is revoked before a manager approves.
    const sent = await submitChange(t.h, viewId, { revoke: [REVOKED_SKU], reason: 'Last leavers' });
    expect(sent.responseAction).toBe('update');
    expect(viewText(current(t.h, viewId))).toContain(
      'Why: it revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6 revocations',
    );
    await t.h.idle();
    for (const user of third) expect(holds(t.contoso, t, user.id)).toBe(true);

    const requests = await t.h.service.recentRequests(OPERATOR, 10);
    expect(requests.map((r) => r.status).sort()).toEqual(['completed', 'completed', 'pending_approval']);
    const request = requests.find((r) => r.status === 'pending_approval');
    if (!request) throw new Error('no pending request');
    expect(request).toMatchObject({ approvalRequired: true, revocations: 2 });
    const message = textOf([approvalMessageOf(t, await t.h.store.getApproval(request.id))]);
    expect(message).toContain(
      'Counted toward the threshold of 5:* 2 revocations + 4 revocations in 2 earlier requests of the last 24 h = 6.',
    );
  });

  it("leaves another operator's and another customer's requests alone, and still refuses the third", async () => {
    const t = closedAfterTest(await startApprovalHarness({ APPROVAL_REVOKE_THRESHOLD: '5' }));
    const holders = directHolders(t.contoso, REVOKED_SKU, 8);
    const fabrikam = customerData(t, TEST_CUSTOMERS.fabrikam.id);
    const fabrikamHolders = directHolders(fabrikam, REVOKED_SKU, 2);
    for (const pair of [holders.slice(0, 2), holders.slice(2, 4)]) {
      expect((await revokeFrom(t, pair)).answer.responseAction).toBe('update');
    }

    // Another operator on the same customer, and the same operator on another customer, run at once.
    const other = await revokeFrom(t, holders.slice(6, 8), { user: OTHER_OPERATOR });
    expect(other.answer.responseAction).toBe('update');
    expect((await latestRequest(t, OTHER_OPERATOR)).request).toMatchObject({
      status: 'completed',
      approvalRequired: false,
    });
    const elsewhere = await revokeFrom(t, fabrikamHolders, { customer: fabrikam });
    expect(elsewhere.answer.responseAction).toBe('update');
    expect((await latestRequest(t)).request).toMatchObject({
      customerId: fabrikam.customer.id,
      status: 'completed',
      approvalRequired: false,
    });
    for (const user of fabrikamHolders) expect(holds(fabrikam, t, user.id)).toBe(false);

    // Neither counted on the operator's Contoso window: the third still needs a manager, and says so.
    const third = await revokeFrom(t, holders.slice(4, 6));
    expect(third.answer.responseAction).toBe('errors');
    expect(Object.values(third.answer.errors ?? {}).join(' ')).toContain(
      'with your 2 earlier requests on this customer in the last 24 h: 6 revocations',
    );
    for (const user of holders.slice(4, 6)) expect(holds(t.contoso, t, user.id)).toBe(true);
  });

  it('does not count a request a manager approved', async () => {
    const t = closedAfterTest(await startApprovalHarness({ APPROVAL_REVOKE_THRESHOLD: '5' }));
    const holders = directHolders(t.contoso, REVOKED_SKU, 10);

    const big = await revokeFrom(t, holders.slice(0, 6), { reason: 'Leavers of March' });
    expect(big.answer.responseAction).toBe('update');
    const { request, approval } = await latestRequest(t);
    expect(request.status).toBe('pending_approval');
    await clickApproval(t.h, APPROVER_A, approvalMessageOf(t, approval), 'approve');
    await t.h.idle();
    expect((await t.h.store.getRequest(request.id))?.status).toBe('completed');

    // 6 reviewed revocations, then 2 + 2 of the operator's own: 4, below 5.
    for (const pair of [holders.slice(6, 8), holders.slice(8, 10)]) {
      expect((await revokeFrom(t, pair)).answer.responseAction).toBe('update');
      expect((await latestRequest(t)).request).toMatchObject({
        status: 'completed',
        approvalRequired: false,
      });
    }
    for (const user of holders) expect(holds(t.contoso, t, user.id)).toBe(false);
  });
});
