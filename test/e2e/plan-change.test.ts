/**
 * Issue 13 item 5 over signed HTTP on the demo tenant: ticking Office 365 E3 with one service plan
 * turned off for users of whom some hold it and some do not. The holders keep the product and
 * only change plans; the manage step and "Request sent" count them apart from who gets it.
 */
import { afterAll, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../blocks/limits.js';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { failureMessages } from '../../src/licensing/model.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import { LicenseProviderError } from '../../src/providers/license-provider.js';
import { type AppHarness, OPERATOR, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { APPROVER_A, clickApproval, startApprovalHarness } from '../support/approval-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  blocksText,
  confirm,
  contosoOf,
  current,
  finishedRun,
  present,
  selectUsers,
  submitChange,
  textOf,
  toPreview,
  turnFirstPlanOff,
} from './flow.js';

afterAll(() => reportAckLatencies('plan-change.test.ts'));

const E3 = DEMO_SKUS.ENTERPRISEPACK;

/** Two direct holders of E3 with every plan on and three users holding nothing, on Contoso. */
function holdersAndNewcomers(h: AppHarness) {
  const contoso = contosoOf(h.data);
  const e3 = (id: string) => (contoso.holdings[id] ?? []).find((l) => l.skuId === E3);
  const holders = contoso.users
    .filter((u) => {
      const license = e3(u.id);
      return license?.direct === true && license.viaGroups.length === 0 && license.disabledPlans.length === 0;
    })
    .slice(0, 2);
  const newcomers = contoso.users
    .filter((u) => (contoso.holdings[u.id] ?? []).length === 0 && u.usageLocation !== null)
    .slice(0, 3);
  expect(holders).toHaveLength(2);
  expect(newcomers).toHaveLength(3);
  return { contoso, holders, newcomers };
}

it('counts the E3 holders whose plans change apart from who gets E3, on the manage step and "Request sent"', async () => {
  // Provider latency keeps a second delivery of the submission checking while the first claims it.
  const h = closedAfterTest(await startAppHarness({ provider: { latencyMs: 20 } }));
  const { contoso, holders, newcomers } = holdersAndNewcomers(h);
  const root = await selectUsers(h, contoso.customer, [...holders, ...newcomers]);
  const plan = (await turnFirstPlanOff(h, root.id, E3)).name;

  const step = current(h, root.id);
  expectValidModal(step.definition);
  const option = step.blocks
    .flatMap(
      (b) => (b.element as { options?: { value: string; description?: { text: string } }[] })?.options ?? [],
    )
    .find((o) => o.value === E3);
  // Named by the plan turned off (was "… · 2 who have it change plans").
  expect(plan).toBe('Exchange Online (Plan 2)');
  expect(option?.description?.text).toBe(`3 would get it · turn off ${plan} for 2 who have it`);

  // Slack delivers the submission twice: the retried one answers from the stored request, alike.
  expect((await toPreview(h, root.id, { assign: [E3] })).responseAction).toBe('update');
  const [sent, again] = await Promise.all([confirm(h, root.id), confirm(h, root.id)]);
  expect(sent.responseAction).toBe('update');
  expect(again?.body).toEqual(sent.body);
  const modal = current(h, root.id);
  expectValidModal(modal.definition);
  const text = blocksText(modal.blocks);
  expect(text).toContain('3 licenses to assign');
  // Named by plan (was "plans to change for 2 users who have the product"), on both deliveries.
  expect(text).toContain(`turn off ${plan} for 2 users who have Office 365 E3`);
  expect(text).not.toContain('plans to change');
  await h.idle();
});

it('reads the same counts on the approval message, the summary, the thread and the CSV, each name once', async () => {
  // Two plan removals reach a threshold of 2: the request goes through a manager first.
  const { h } = closedAfterTest(await startApprovalHarness({ APPROVAL_REVOKE_THRESHOLD: '2' }));
  const { contoso, holders, newcomers } = holdersAndNewcomers(h);
  const root = await selectUsers(h, contoso.customer, [...holders, ...newcomers]);
  const plan = (await turnFirstPlanOff(h, root.id, E3)).name;
  const sent = await submitChange(h, root.id, { assign: [E3], reason: 'Apps off for the holders' });
  expect(sent.responseAction).toBe('update');
  await h.idle();
  const [request] = await h.service.recentRequests(OPERATOR, 1);
  const approval = request && (await h.store.getApproval(request.id));
  const where = present(approval?.message, 'the approval message');
  // The approval message and the summary name the plan alike (was "change plans for 2 who have it"
  // on the summary): the names stored on the request when it was planned.
  const said = `Assign *Office 365 E3* to 3 users · turn off ${escapeMrkdwn(plan)} for 2 who have it`;
  expect(textOf([present(h.fake.message(where.channel, where.ts), 'the approval message')])).toContain(said);
  // The approver's App Home lists it as the approval message words it.
  await h.driver.appHomeOpened(APPROVER_A);
  const home = await h.fake.waitFor(() => h.fake.home(APPROVER_A), 5000);
  expect(blocksText(home.blocks)).toContain(`turn off ${escapeMrkdwn(plan)} for 2 who have it`);
  await clickApproval(h, APPROVER_A, where, 'approve');

  const { summary, thread } = await finishedRun(h);
  expect(textOf([summary])).toContain(said);
  expect(textOf([summary])).toContain('5 succeeded · 0 no change');
  const name = (u: { displayName: string }) => escapeMrkdwn(u.displayName);
  const sorted = (users: { displayName: string }[]) =>
    users.map(name).sort((a, b) => a.toLocaleLowerCase().localeCompare(b.toLocaleLowerCase()));
  const replies = textOf(thread);
  expect(replies).toContain(`*Office 365 E3* assigned to 3 users: ${sorted(newcomers).join(', ')}`);
  // Named by plan in the same words, said as done (was "*Office 365 E3* plans changed for 2 users …").
  expect(replies).toContain(
    `${escapeMrkdwn(plan)} turned off for 2 users who have *Office 365 E3*: ${sorted(holders).join(', ')}`,
  );
  // No plan or SKU id reaches a person: not in the summary, not in the thread.
  const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
  expect(textOf([summary, ...thread])).not.toMatch(GUID);
  for (const user of [...holders, ...newcomers]) {
    expect(replies.split(name(user)).length - 1).toBe(1);
  }

  // Below 50 results the thread carries no CSV (issue 13 item 8 is not done yet): this is the
  // file the reporter attaches, rendered from the request as stored after the run.
  const stored = present(await h.store.getRequest(present(request, 'the request').id), 'the stored request');
  const csv = renderResultsCsv(stored, failureMessages);
  const rows = csv.trim().split('\r\n').slice(1);
  // The operation column follows the product's sku id (the name before it may be quoted).
  const operation = (u: { id: string }) =>
    rows.find((row) => row.includes(`,${u.id},`))?.match(new RegExp(`,${E3},([^,]*),`))?.[1];
  expect(holders.map(operation)).toEqual([`turn off ${plan}`, `turn off ${plan}`]);
  expect(newcomers.map(operation)).toEqual(['assign', 'assign', 'assign']);
});

it('words a failed plan change as a failed plan change, apart from a failed assignment, in the thread and the summary', async () => {
  // The licensing service refuses one holder's re-assignment and one newcomer's assignment alike.
  let refused: ReadonlySet<string> = new Set();
  const h = closedAfterTest(
    await startAppHarness({
      wrapProvider: (demo) =>
        Object.assign(Object.create(demo) as typeof demo, {
          applyUserChange: async (
            customerId: string,
            userId: string,
            change: Parameters<typeof demo.applyUserChange>[2],
          ) => {
            if (refused.has(userId)) {
              throw new LicenseProviderError('mutually_exclusive', 'the plans cannot be combined', {
                skuId: E3,
              });
            }
            return demo.applyUserChange(customerId, userId, change);
          },
        }),
    }),
  );
  const { contoso, holders, newcomers } = holdersAndNewcomers(h);
  const [holder, other] = holders;
  const [newcomer] = newcomers;
  refused = new Set([present(holder, 'a holder').id, present(newcomer, 'a newcomer').id]);
  const root = await selectUsers(h, contoso.customer, [...holders, ...newcomers]);
  const plan = escapeMrkdwn((await turnFirstPlanOff(h, root.id, E3)).name);
  const sent = await submitChange(h, root.id, { assign: [E3] });
  expect(sent.responseAction).toBe('update');
  const { summary, thread } = await finishedRun(h);

  const replies = textOf(thread);
  const name = (u: { displayName: string; email: string }) => `${escapeMrkdwn(u.displayName)} (${u.email})`;
  // Before: both read "*Office 365 E3* could not be assigned to …"; then "The plans of *Office 365
  // E3* could not be changed for …"; now named by plan in plan-change-words.ts's words.
  expect(replies).toContain(
    `:x: Could not turn off ${plan} for ${name(present(holder, 'holder'))}, who has *Office 365 E3*.`,
  );
  expect(replies).toContain(
    `:x: *Office 365 E3* could not be assigned to ${name(present(newcomer, 'newcomer'))}.`,
  );
  expect(replies).toContain(
    `turned off for 1 user who has *Office 365 E3*: ${escapeMrkdwn(present(other, 'other').displayName)}`,
  );
  const lines = textOf([summary]);
  expect(lines).toMatch(
    /• \*Office 365 E3\* · [^\n]*: 1 user\n• \*Office 365 E3\* \(plan change\) · [^\n]*: 1 user/,
  );
});
