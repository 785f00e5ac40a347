/**
 * The preview before submit, over signed HTTP on the demo tenant: what it predicts per product,
 * operation and reason equals what the run then reports; each line's users are pushed (a
 * replacement's too, paged); Back keeps the ticks; a change whose every part would fail cannot be
 * submitted, even by a forged confirm.
 */
import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ids, pagingIds } from '../../blocks/ids.js';
import { reasonWords } from '../../blocks/preview.js';
import type { ChangeRequest, Operation, TenantUser } from '../../src/licensing/model.js';
import { PREVIEW_REASONS } from '../../src/licensing/preview.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { type AppHarness, OPERATOR, startAppHarness } from '../support/app-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import type { FakeView } from '../support/slack-fake.js';
import { expectFits } from '../support/view-checks.js';
import {
  blocksText,
  chooseCustomer,
  click,
  confirm,
  contosoOf,
  current,
  finishedRun,
  humongous,
  openLicenses,
  present,
  selectBy,
  selectUsers,
  showsPreview,
  startWithCaller,
  toLicenses,
  toPreview,
  withSeatsLeft,
} from './flow.js';
import { previewReplace } from './replace-flow.js';

const E3 = DEMO_SKUS.ENTERPRISEPACK;

/** Per line ("assign SKU"): changes, no-ops, and failures by reason. */
type Tally = Record<string, Record<string, number>>;

/** Reads the preview's lines back from what the operator sees ("*Assign X*\n3 will get it · …"). */
function previewTally(view: FakeView, names: Record<string, string>): Tally {
  const tally: Tally = {};
  const bySku = Object.fromEntries(Object.entries(names).map(([skuId, name]) => [name, skuId]));
  for (const block of view.blocks) {
    const text = (block.text as { text?: string } | undefined)?.text ?? '';
    const head = /^\*(Assign|Revoke) (.+)\*\n(.*)$/s.exec(text);
    if (head === null) continue;
    const op: Operation = head[1] === 'Assign' ? 'assign' : 'revoke';
    const counts: Record<string, number> = {};
    const body = head[3] ?? '';
    counts.change = Number(/(\d+) will (get|lose) it/.exec(body)?.[1] ?? 0);
    counts.noop = Number(/(\d+) (have it already|do not have it)/.exec(body)?.[1] ?? 0);
    for (const reason of PREVIEW_REASONS) {
      const n = new RegExp(`(\\d+) ${reasonWords(reason, op)}`).exec(body)?.[1];
      if (n !== undefined) counts[reason] = Number(n);
    }
    tally[`${op} ${bySku[head[2] ?? '']}`] = counts;
  }
  return tally;
}

/** The action id of the "Users" button of the line whose value is `value`. */
function usersButtonOf(view: FakeView, value: string): string {
  const button = view.blocks
    .map((b) => b.accessory as { action_id?: string; value?: string } | undefined)
    .find((a) => a?.value === value);
  return present(button?.action_id, `a Users button for ${value}`);
}

/** The run's results in the same shape. */
function runTally(request: ChangeRequest): Tally {
  const tally: Tally = {};
  for (const result of Object.values(request.results)) {
    const line = tally[`${result.op} ${result.skuId}`] ?? { change: 0, noop: 0 };
    tally[`${result.op} ${result.skuId}`] = line;
    const key =
      result.outcome === 'success' ? 'change' : result.outcome === 'noop' ? 'noop' : (result.reason ?? '?');
    line[key] = (line[key] ?? 0) + 1;
  }
  return tally;
}

/** The scripted users of Contoso, a user who can get a Calling Plan, and five plain unlicensed users. */
async function scenario(seats: number) {
  const { h, callerId } = await startWithCaller((data) => withSeatsLeft(data, E3, seats));
  const contoso = contosoOf(h.data);
  const scripted = Object.values(demoCases(contoso));
  const plain = contoso.users
    .filter((u) => u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0)
    .filter((u) => !scripted.some((s) => s.id === u.id))
    .slice(0, 5);
  const caller = present(
    contoso.users.find((u) => u.id === callerId),
    'the caller',
  );
  const users: TenantUser[] = [...scripted, caller, ...plain].filter(
    (u, i, all) => all.findIndex((v) => v.id === u.id) === i,
  );
  const names = Object.fromEntries(contoso.products.map((p) => [p.skuId, p.name]));
  return { app: h, contoso, users, names };
}

describe('preview before submit', () => {
  it('predicts per product, operation and reason exactly what the run reports, every predicted reason present', async () => {
    const { app, contoso, users, names } = await scenario(3);
    const manage = await selectUsers(app, contoso.customer, users);
    const change = { assign: [DEMO_SKUS.MCOPSTN1, E3], revoke: [DEMO_SKUS.EMS] };
    expect((await toPreview(app, manage.id, change)).responseAction).toBe('update');
    const preview = current(app, manage.id);
    expect(showsPreview(preview)).toBe(true);
    expectValidModal(preview.definition);
    expect(preview.definition.submit).toMatchObject({ text: 'Apply' });
    const predicted = previewTally(preview, names);

    expect((await confirm(app, manage.id)).responseAction).toBe('update');
    expect(current(app, manage.id).callbackId).toBe(ids.views.submitted);
    await finishedRun(app);
    const [header] = await app.store.listRequestHeaders({ limit: 1 });
    const request = present(await app.store.getRequest(header?.id ?? ''), 'the request');
    const actual = runTally(request);

    console.log('preview accuracy (predicted vs actual):');
    for (const line of Object.keys({ ...predicted, ...actual })) {
      console.log(
        `  ${line}: predicted ${JSON.stringify(predicted[line])} actual ${JSON.stringify(actual[line])}`,
      );
    }
    expect(predicted).toEqual(actual);
    const reasons = new Set(Object.values(predicted).flatMap((counts) => Object.keys(counts)));
    for (const reason of PREVIEW_REASONS) expect(reasons, reason).toContain(reason);
  });

  it('pushes the users of a line, who fails and why; Back brings the manage step with its ticks and reason', async () => {
    const { app, contoso, users } = await scenario(50);
    const manage = await selectUsers(app, contoso.customer, users);
    const change = {
      assign: [DEMO_SKUS.MCOPSTN1],
      revoke: [DEMO_SKUS.EMS],
      reason: 'Phones for the sales team',
    };
    await toPreview(app, manage.id, change);
    const first = current(app, manage.id);
    expect(blocksText(first.blocks)).toContain('Phones for the sales team');

    await app.driver.blockActions({
      userId: OPERATOR,
      viewId: manage.id,
      actions: [{ actionId: usersButtonOf(first, `assign:${DEMO_SKUS.MCOPSTN1}`) }],
    });
    const pushed = await app.fake.waitFor(() => {
      const top = app.fake.stackOf(manage.id)[1];
      const view = top === undefined ? undefined : app.fake.view(top);
      return view?.callbackId === ids.views.previewUsers ? view : undefined;
    });
    expectValidModal(pushed.definition);
    const listed = blocksText(pushed.blocks);
    const cases = demoCases(contoso);
    expect(listed).toContain(`*Will fail: ${reasonWords('usage_location_not_allowed', 'assign')} (2)*`);
    expect(listed).toContain(`*Will fail: ${reasonWords('missing_prerequisite', 'assign')} (7)*`);
    expect(listed).toContain(cases.outsideCallingPlanCountries.displayName);
    expect(listed).toContain('*Will get it (1)*');
    expect(listed).toContain(`*Have it already (1)*: no change`);
    expect(listed).toContain(cases.callingPlanHolder.displayName);

    await app.driver.viewClosed({ userId: OPERATOR, viewId: pushed.id });
    const back = await click(app, manage.id, ids.actions.previewBack);
    expect(back.callbackId).toBe(ids.views.manage);
    const initial = (
      back.blocks as { element?: { initial_options?: { value: string }[]; initial_value?: string } }[]
    )
      .map((b) => b.element)
      .flatMap((e) => [
        ...(e?.initial_options?.map((o) => o.value) ?? []),
        ...(e?.initial_value ? [e.initial_value] : []),
      ]);
    expect(initial.sort()).toEqual([DEMO_SKUS.EMS, DEMO_SKUS.MCOPSTN1, 'Phones for the sales team'].sort());
    // Submitted as it is (Slack sends the initial options as the state), the same preview comes back.
    await app.driver.viewSubmission({ userId: OPERATOR, viewId: manage.id });
    await app.fake.waitFor(() => showsPreview(current(app, manage.id)));
    expect(blocksText(current(app, manage.id).blocks)).toEqual(blocksText(first.blocks));
  });

  it('a change whose every part would fail has no submit, and a forged confirm submits nothing', async () => {
    const { app, contoso } = await scenario(50);
    const { noUsageLocation } = demoCases(contoso);
    const manage = await selectUsers(app, contoso.customer, [noUsageLocation]);
    await toPreview(app, manage.id, { assign: [E3] });
    const preview = current(app, manage.id);
    expect(preview.definition.submit).toBeUndefined();
    expect(blocksText(preview.blocks)).toContain('every change (1) is expected to fail');
    expect(blocksText(preview.blocks)).toContain(`1 ${reasonWords('usage_location_missing', 'assign')}`);

    // Forged: the preview's view submitted although it has no submit button.
    const payload = {
      type: 'view_submission',
      team: { id: app.fake.teamId, domain: 'fake' },
      user: { id: OPERATOR, username: 'op', name: 'op', team_id: app.fake.teamId },
      api_app_id: app.fake.appId,
      token: 'legacy-verification-token',
      trigger_id: app.fake.issueTriggerId(OPERATOR),
      view: app.fake.viewPayload(manage.id),
      response_urls: [],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const answer = await app.driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...app.driver.sign(body),
    });
    expect(answer.status).toBe(200);
    const shown = (answer.body as { view: { submit?: unknown; blocks: unknown[] } }).view;
    expect(shown.submit).toBeUndefined();
    expect(blocksText(shown.blocks)).toContain('nothing was submitted');
    await app.idle();
    expect(await app.store.listRequests({ limit: 10 })).toEqual([]);
    expect(
      await app.store.getDraft(JSON.parse(String(preview.definition.private_metadata)).draftId),
    ).not.toBeNull();
  });
});

/** Slack's limit on a view's JSON, well under which a pushed list must stay. */
const VIEW_BYTES = 250 * 1024;

/** Clicks a preview line's "Users" and waits for the view pushed on top of the preview. */
async function pushUsersOf(app: AppHarness, previewId: string, value: string): Promise<FakeView> {
  await app.driver.blockActions({
    userId: OPERATOR,
    viewId: previewId,
    actions: [{ actionId: usersButtonOf(current(app, previewId), value) }],
  });
  return app.fake.waitFor(() => {
    const top = app.fake.stackOf(previewId)[1];
    const view = top === undefined ? undefined : app.fake.view(top);
    return view?.callbackId === ids.views.previewUsers ? view : undefined;
  });
}

/** The e-mails listed under each heading ("*Will change (n)*" → its users' e-mails), over pages. */
function listedByHeading(pages: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let heading = '';
  for (const line of pages.join('\n').split('\n')) {
    if (line.startsWith('• ')) groups.get(heading)?.push(present(/\(([^()]+)\)$/.exec(line)?.[1], line));
    else if (/^\*.+ \(\d+\)\*/.test(line)) {
      heading = line;
      groups.set(heading, []);
    }
  }
  return groups;
}

describe('the users of a "Replace A with B" preview line', () => {
  it('pushes the holders of E1 who change, those who fail and the users without it, paged within Slack limits', async () => {
    const E1 = DEMO_SKUS.STANDARDPACK;
    const big = humongous(2500);
    // Long names (as some directories have them) fill a page with fewer users.
    for (const user of big.users) user.displayName = `${user.displayName}, Claims Adjuster`.padEnd(100, '.');
    const app = closedAfterTest(
      await startAppHarness({ tenant: (data) => ({ ...data, customers: [...data.customers, big] }) }),
    );
    const root = await openLicenses(app);
    await chooseCustomer(app, root.id, 'Hum', big.customer.id);
    for (const filter of [{ holds: E1 }, { holds: E3 }, { holdsNothing: true as const }]) {
      await selectBy(app, root.id, filter);
    }
    await toLicenses(app, root.id);
    const holds = (id: string, skuId: string) => (big.holdings[id] ?? []).some((l) => l.skuId === skuId);
    const selected = big.users.filter(
      (u) => holds(u.id, E1) || holds(u.id, E3) || (big.holdings[u.id] ?? []).length === 0,
    );
    const holders = selected.filter((u) => holds(u.id, E1));
    const change = holders.filter((u) => u.usageLocation !== null).map((u) => u.email);
    const unlocated = holders.filter((u) => u.usageLocation === null).map((u) => u.email);
    const without = selected.filter((u) => !holds(u.id, E1)).map((u) => u.email);
    expect(unlocated.length).toBeGreaterThan(0);

    // So many revocations need approval, and so a reason.
    const previewed = await previewReplace(app, root.id, { from: E1, to: E3, reason: 'Upgrade to E3' });
    expect(previewed.errors).toBeUndefined();
    expect(previewed.responseAction).toBe('update');
    expect(blocksText(current(app, root.id).blocks)).toContain(
      `*Replace Office 365 E1 with Office 365 E3*\n${change.length} will change · ` +
        `${without.length} do not have it: nothing to replace · ` +
        `:x: ${unlocated.length} will fail: ${unlocated.length} ${reasonWords('usage_location_missing', 'replace')}`,
    );

    const first = await pushUsersOf(app, root.id, `replace:${E1}`);
    const pages: string[] = [];
    for (let view = first; ; ) {
      expectValidModal(view.definition);
      expectFits(view.definition as unknown as ModalView);
      expect(Buffer.byteLength(JSON.stringify(view.definition))).toBeLessThan(VIEW_BYTES);
      expect(JSON.parse(view.privateMetadata)).toMatchObject({ skuId: E1, op: 'replace' });
      const text = blocksText(view.blocks);
      pages.push(text);
      expect(text).toContain(`Page ${pages.length} of `);
      if (!text.includes('Next ›')) break;
      view = await click(app, view.id, pagingIds(ids.actions.previewUsersPage).next);
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]).toContain(`*Replace Office 365 E1 with Office 365 E3*: ${selected.length} users`);
    const sorted = (emails: readonly string[]) => [...emails].sort();
    const listed = listedByHeading(pages);
    expect([...listed.keys()]).toEqual([
      `*Will fail: ${reasonWords('usage_location_missing', 'replace')} (${unlocated.length})*`,
      `*Will change (${change.length})*`,
      `*Do not have it (${without.length})*: no change`,
    ]);
    const [failing, changing, noops] = [...listed.values()].map((emails) => sorted(emails));
    expect(failing).toEqual(sorted(unlocated));
    expect(changing).toEqual(sorted(change));
    expect(noops).toEqual(sorted(without));
    expect(app.logger.errors()).toEqual([]);
  });
});
