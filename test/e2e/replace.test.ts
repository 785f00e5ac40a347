/**
 * "Replace A with B" in the manage step, over signed HTTP with the Slack fake, on the demo tenant:
 * B assigned and A revoked in one call for each holder of A (Office 365 E1 and E3 cannot be held
 * together, so only the one call can do it), users without A left alone and listed, a refused
 * call reported with both products, inline refusals of impossible choices, and the approval rule
 * counting A revoked from N users as N revocations.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_CATALOG, DEMO_SKUS } from '../../src/providers/demo/catalog.js';
import type { DemoCustomerData } from '../../src/providers/demo/demo-tenant.js';
import { OPERATOR, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { startApprovalHarness, THRESHOLD } from '../support/approval-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { parseCsv } from '../support/csv.js';
import { findAction } from '../support/slack-driver.js';
import { blocksText, click, contosoOf, current, finishedRun, present, selectUsers, textOf } from './flow.js';
import { previewReplace, recordingChanges, replaceOption, submitReplace } from './replace-flow.js';

const E1 = DEMO_SKUS.STANDARDPACK;
const E3 = DEMO_SKUS.ENTERPRISEPACK;
const nameOf = (skuId: string) =>
  present(
    DEMO_CATALOG.find((p) => p.skuId === skuId),
    skuId,
  ).name;

afterAll(() => reportAckLatencies('replace.test.ts'));

const holdsDirectly = (c: DemoCustomerData, userId: string, skuId: string) =>
  (c.holdings[userId] ?? []).some((l) => l.skuId === skuId && l.direct && l.viaGroups.length === 0);
const holdsAtAll = (c: DemoCustomerData, userId: string, skuId: string) =>
  (c.holdings[userId] ?? []).some((l) => l.skuId === skuId);

/** Contoso users: `holders` direct holders of E1 (without E3), and `others` with neither. */
function cast(c: DemoCustomerData, holders: number, others: number) {
  const withA = c.users.filter((u) => holdsDirectly(c, u.id, E1) && !holdsAtAll(c, u.id, E3));
  const without = c.users.filter((u) => !holdsAtAll(c, u.id, E1) && !holdsAtAll(c, u.id, E3));
  if (withA.length < holders || without.length < others) throw new Error('Contoso lacks the users');
  return { withA: withA.slice(0, holders), without: without.slice(0, others) };
}

describe('replace A with B (demo tenant)', () => {
  it('replaces E1 with E3 in one call per holder, leaves users without E1 alone and reports a refusal with both products', async () => {
    let recorder: ReturnType<typeof recordingChanges> | undefined;
    const noLocation = { id: '' };
    const h = closedAfterTest(
      await startAppHarness({
        tenant: (data) => {
          const contoso = contosoOf(data);
          const { withA } = cast(contoso, 3, 1);
          const refused = present(withA[2], 'a third holder of E1');
          noLocation.id = refused.id;
          refused.usageLocation = null; // E3 cannot be assigned to them: the pair is refused as a whole
          return data;
        },
        wrapProvider: (demo) => {
          recorder = recordingChanges(demo);
          return recorder.provider;
        },
      }),
    );
    const contoso = contosoOf(h.data);
    const { withA, without } = cast(contoso, 3, 1);
    const [ava, ben, cat] = withA.map((u) => present(u, 'a holder'));
    const dan = present(without[0], 'a user without E1');
    const view = await selectUsers(
      h,
      contoso.customer,
      [ava, ben, cat, dan].map((u) => present(u, 'user')),
    );
    expect(blocksText(view.blocks)).toContain('*Replace* one product with another');

    // The preview says it as one line: the holders change, the user without E1 is a no-op, the
    // holder without a usage location is predicted to fail (and the run agrees, below).
    const previewed = await previewReplace(h, view.id, { from: E1, to: E3 });
    expect(previewed.responseAction).toBe('update');
    const preview = blocksText(current(h, view.id).blocks);
    expect(preview).toContain(
      `*Replace ${nameOf(E1)} with ${nameOf(E3)}*\n2 will change · 1 do not have it: nothing to replace · :x: 1 will fail: 1 no usage location`,
    );
    expect(preview).not.toContain(`*Assign ${nameOf(E3)}*`);
    expect(preview).not.toContain(`*Revoke ${nameOf(E1)}*`);
    // Back keeps the pair chosen.
    await click(h, view.id, ids.actions.previewBack);
    const back = current(h, view.id);
    expect(findAction(back, ids.actions.replaceFrom, ids.blocks.replaceFrom).element.initial_option).toEqual(
      replaceOption(h, view.id, 'from', E1),
    );
    expect(findAction(back, ids.actions.replaceTo, ids.blocks.replaceTo).element.initial_option).toEqual(
      replaceOption(h, view.id, 'to', E3),
    );

    const submitted = await submitReplace(h, view.id, { from: E1, to: E3 });
    expect(submitted.responseAction).toBe('update');
    const sent = blocksText(current(h, view.id).blocks);
    expect(sent).toContain(
      `Replace *${nameOf(E1)}* with *${nameOf(E3)}*: 3 users (1 does not have *${nameOf(E1)}*)`,
    );
    expect(sent).not.toContain('to revoke');
    expect(sent).not.toContain('to assign');

    const { summary, thread } = await finishedRun(h);
    const summaryText = textOf([summary]);
    expect(summaryText).toContain(`Replace *${nameOf(E1)}* with *${nameOf(E3)}*: 3 users`);
    expect(summaryText).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // The refused pair is one failure group of the summary, not one per product.
    const groups = summaryText
      .split('\n')
      .filter((line) => line.includes(' · ') && line.includes(': 1 user'));
    expect(groups).toEqual([expect.stringContaining(`• Replace *${nameOf(E1)}* with *${nameOf(E3)}* · `)]);
    const threadText = textOf(thread);
    expect(threadText).toContain(`Replaced *${nameOf(E1)}* with *${nameOf(E3)}* for 2 users`);
    expect(threadText).toContain(
      `Could not replace *${nameOf(E1)}* with *${nameOf(E3)}* for ${cat?.displayName}`,
    );
    expect(threadText).toContain('usage location');
    expect(threadText).toContain('*Nothing to replace*');
    expect(threadText).toContain(`1 selected user did not have *${nameOf(E1)}*`);
    expect(threadText).not.toContain('Nothing to revoke');

    // One call per holder with both products; none for the user without E1.
    const calls = present(recorder, 'the recorder').calls;
    for (const user of [ava, ben, cat]) {
      expect(calls.filter((c) => c.userId === user?.id).map((c) => c.change)).toEqual([
        { assign: [{ skuId: E3, disabledPlans: [] }], revoke: [E1] },
      ]);
    }
    expect(calls.some((c) => c.userId === dan.id)).toBe(false);
    const skus = (userId: string) => h.provider.holdingsOf(contoso.customer.id, userId).map((l) => l.skuId);
    for (const user of [ava, ben]) {
      expect(skus(present(user, 'user').id)).toContain(E3);
      expect(skus(present(user, 'user').id)).not.toContain(E1);
    }
    // The refused user keeps E1: never without a license.
    expect(skus(noLocation.id)).toContain(E1);
    expect(skus(noLocation.id)).not.toContain(E3);

    const [csv] = h.fake.files();
    const rows = parseCsv(present(csv?.content, 'the CSV').toString('utf8'));
    const header = present(rows[0], 'the header');
    const col = (name: string) => header.indexOf(name);
    const catRows = rows.filter((r) => r[col('user_id')] === noLocation.id);
    expect(catRows.map((r) => [r[col('operation')], r[col('outcome')], r[col('reason')]]).sort()).toEqual([
      ['replace: assign', 'failed', 'usage_location_missing'],
      ['replace: revoke', 'failed', 'usage_location_missing'],
    ]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('refuses inline a half-chosen replacement, a product replaced by itself and one also ticked', async () => {
    const h = closedAfterTest(await startAppHarness());
    const contoso = contosoOf(h.data);
    const { withA } = cast(contoso, 1, 0);
    const view = await selectUsers(h, contoso.customer, [present(withA[0], 'a holder')]);

    const half = await submitReplace(h, view.id, { from: E1 });
    expect(half.responseAction).toBe('errors');
    expect(half.errors?.[ids.blocks.replaceTo]).toContain('Choose the product to give instead');

    const same = await submitReplace(h, view.id, { from: E1, to: E1 });
    expect(same.responseAction).toBe('errors');
    expect(same.errors?.[ids.blocks.replaceTo]).toContain('another product');

    const ticked = await submitReplace(h, view.id, { from: E1, to: E3, revoke: [E1] });
    expect(ticked.responseAction).toBe('errors');
    expect(ticked.errors?.[ids.blocks.replaceFrom]).toContain(`${nameOf(E1)} is also ticked`);
    expect(await h.service.recentRequests(OPERATOR, 5)).toEqual([]);
  });
});

describe('replace A with B and the approval rule', () => {
  it(`counts E1 revoked from N users as N revocations: ${THRESHOLD - 1} run at once, ${THRESHOLD} wait for approval`, async () => {
    const below = closedAfterTest(await startApprovalHarness());
    let h = below.h;
    const few = cast(below.contoso, THRESHOLD - 1, 0).withA.map((u) => present(u, 'holder'));
    const fewView = await selectUsers(h, below.contoso.customer, few);
    expect((await submitReplace(h, fewView.id, { from: E1, to: E3 })).responseAction).toBe('update');
    await h.idle();
    const [ran] = await h.service.recentRequests(OPERATOR, 1);
    expect(ran?.approvalBasis).toMatchObject({ revocations: THRESHOLD - 1, needsApproval: false });
    expect(ran?.status).toBe('completed');
    await h.close();

    const at = closedAfterTest(await startApprovalHarness());
    h = at.h;
    const many = cast(at.contoso, THRESHOLD, 0).withA.map((u) => present(u, 'holder'));
    const manyView = await selectUsers(h, at.contoso.customer, many);
    const refused = await submitReplace(h, manyView.id, { from: E1, to: E3 });
    expect(refused.responseAction).toBe('errors');
    expect(Object.values(refused.errors ?? {}).join(' ')).toContain(`revokes ${THRESHOLD} licenses`);
    const sent = await submitReplace(h, manyView.id, { from: E1, to: E3, reason: 'Upgrade to E3' });
    expect(sent.responseAction).toBe('update');
    await h.idle();
    const [waits] = await h.service.recentRequests(OPERATOR, 1);
    expect(waits?.status).toBe('pending_approval');
    expect(waits?.approvalBasis).toMatchObject({ revocations: THRESHOLD, needsApproval: true });
    const approvalMessage = h.fake.messages('C0APPROVALS').find((m) => m.threadTs === undefined);
    expect(textOf([present(approvalMessage, 'the approval message')])).toContain(
      `Replace *${nameOf(E1)}* with *${nameOf(E3)}*: ${THRESHOLD} users`,
    );
  });
});
