import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { expectValidHome } from '../support/block-kit.js';
import {
  chooseCustomer,
  click,
  confirm,
  contosoOf,
  current,
  FLOW_CALLS,
  finishedRun,
  firstName,
  openLicenses,
  pageUserIds,
  pickUsers,
  present,
  selectUsers,
  submitChange,
  textOf,
  tickPage,
  toLicenses,
  toPreview,
} from './flow.js';

let h: AppHarness;
beforeEach(async () => {
  h = await startAppHarness();
});
afterEach(async () => {
  await h.close();
});
afterAll(() => reportAckLatencies('assign-flow.test.ts'));

describe('assign flow', () => {
  it('assigns a product to users picked by typeahead and browser, and reports in the thread', async () => {
    const contoso = contosoOf(h.data);
    const cases = demoCases(contoso);
    const root = await openLicenses(h);
    expect(root.callbackId).toBe(ids.views.customer);

    await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
    const unlicensed = cases.unlicensed;
    let view = await pickUsers(h, root.id, firstName(unlicensed), [unlicensed.id]);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: view.blocks }])).toContain('Selected: 1 user');

    // Page on until the browser shows an unlicensed user with a usage location.
    const eligible = new Set(
      contoso.users
        .filter(
          (u) =>
            u.id !== unlicensed.id && u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0,
        )
        .map((u) => u.id),
    );
    let onPage = pageUserIds(view).filter((id) => eligible.has(id));
    while (onPage.length === 0) {
      view = await click(h, root.id, ids.actions.pageNext);
      onPage = pageUserIds(view).filter((id) => eligible.has(id));
    }
    view = await tickPage(h, root.id, onPage.slice(0, 1));
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: view.blocks }])).toContain('Selected: 2 users');
    const manage = await toLicenses(h, root.id);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: manage.blocks }])).toContain('2 users selected');

    const submitted = await submitChange(h, root.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(submitted.responseAction).toBe('update');
    expect(current(h, root.id).callbackId).toBe(ids.views.submitted);

    const { summary, thread } = await finishedRun(h);
    expect(textOf([summary])).toContain('Completed');
    expect(thread.length).toBeGreaterThan(0);
    expect(textOf(thread)).toContain('Office 365 E3');
    for (const userId of [unlicensed.id, ...onPage.slice(0, 1)]) {
      expect(h.provider.holdingsOf(contoso.customer.id, userId).map((l) => l.skuId)).toContain(
        DEMO_SKUS.ENTERPRISEPACK,
      );
    }
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('jumps straight to the users step when /licenses names exactly one customer', async () => {
    const root = await openLicenses(h, { text: 'fab' });
    expect(root.callbackId).toBe(ids.views.users);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: root.blocks }])).toContain('Fabrikam');
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
  });

  it('offers the customer step, with a note, when /licenses matches several customers', async () => {
    const root = await openLicenses(h, { text: 'f' });
    expect(root.callbackId).toBe(ids.views.customer);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: root.blocks }])).toContain('Several customers');
    await chooseCustomer(h, root.id, 'Fou', TEST_CUSTOMERS.fourthCoffee.id);
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
  });

  it('shows the request and its outcome on App Home', async () => {
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed]);
    await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    await finishedRun(h);

    const opened = await h.driver.appHomeOpened(OPERATOR);
    expect(opened.status).toBe(200);
    const home = await h.fake.waitFor(() => h.fake.home(OPERATOR));
    expectValidHome(home.definition);
    const request = present((await h.service.recentRequests(OPERATOR, 1))[0], 'the request');
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: home.blocks }])).toContain(request.id);
    expect(h.fake.unexpectedCalls([...FLOW_CALLS, 'views.publish'])).toEqual([]);
  });

  it('sends the summary and results as a DM when the bot cannot post in the channel', async () => {
    h.fake.setChannelError(CHANNEL, 'not_in_channel');
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed]);
    await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    const dm = h.fake.dmChannelOf(OPERATOR);
    const { summary, thread } = await finishedRun(h, dm);
    expect(textOf([summary])).toContain('Completed');
    expect(thread.length).toBeGreaterThan(0);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: current(h, manage.id).blocks }])).toContain(
      'direct message',
    );
    const failed = h.fake.calls.filter((call) => !call.ok);
    expect(failed.map((call) => `${call.method} ${call.error}`)).toEqual(['chat.postMessage not_in_channel']);
    expect(h.fake.unexpectedCalls([...FLOW_CALLS, 'conversations.open'], { failedAllowed: true })).toEqual(
      [],
    );
  });

  it('creates one request and answers both when Slack delivers the same submission twice at once', async () => {
    await h.close();
    // Provider latency keeps both deliveries checking the change while the first claims the draft.
    h = await startAppHarness({ provider: { latencyMs: 20 } });
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed]);

    expect((await toPreview(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] })).responseAction).toBe(
      'update',
    );
    const answers = await Promise.all([confirm(h, manage.id), confirm(h, manage.id)]);
    // The second delivery answers as the first did: the same "under way" view, nothing run twice.
    expect(answers.map((a) => a.responseAction)).toEqual(['update', 'update']);
    expect(answers[0]?.body).toEqual(answers[1]?.body);

    const { summary } = await finishedRun(h);
    expect(textOf([summary])).toContain('Completed');
    expect(h.fake.messages(CHANNEL).filter((m) => m.threadTs === undefined)).toHaveLength(1);
    expect(await h.store.listRequests({ limit: 10 })).toHaveLength(1);
    expect(current(h, manage.id).callbackId).toBe(ids.views.submitted);
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('keeps the form when a submission is refused or fails, so the operator can submit again', async () => {
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed]);

    const empty = await submitChange(h, manage.id, {});
    expect(empty.responseAction).toBe('errors');
    expect(Object.values(empty.errors ?? {}).join(' ')).toContain('Tick at least one product');

    vi.spyOn(h.store, 'saveRequest').mockRejectedValueOnce(new Error('disk full'));
    const failed = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(failed.status).toBe(500);
    expect(h.logger.errors().join('\n')).toContain('disk full');

    const again = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(again.responseAction).toBe('update');
    await finishedRun(h);
    expect(await h.store.listRequests({ limit: 10 })).toHaveLength(1);
    expect(h.provider.holdingsOf(contoso.customer.id, unlicensed.id).map((l) => l.skuId)).toContain(
      DEMO_SKUS.ENTERPRISEPACK,
    );
  });

  it('tells the operator when something unexpected fails, and logs it with context', async () => {
    await h.close();
    h = await startAppHarness({
      wrapProvider: (demo) =>
        Object.assign(Object.create(demo) as typeof demo, {
          listProducts: async () => {
            throw new Error('directory exploded');
          },
        }),
    });
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
    await pickUsers(h, root.id, firstName(unlicensed), [unlicensed.id]);
    const next = await h.driver.viewSubmission({ userId: OPERATOR, viewId: root.id });
    expect(next.status).toBe(500);
    const told = await h.fake.waitFor(() => h.fake.messages(h.fake.dmChannelOf(OPERATOR))[0]);
    expect(told.text).toContain('something went wrong');
    expect(h.logger.errors().join('\n')).toContain('directory exploded');
    expect(h.fake.unexpectedCalls([...FLOW_CALLS])).toEqual([]);
  });
});
