import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import {
  type AppHarness,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { expectValidHome } from '../support/block-kit.js';
import {
  chooseCustomer,
  current,
  finishedRun,
  openLicenses,
  pageUserIds,
  pickUsers,
  submitChange,
  textOf,
  tickPage,
  toLicenses,
} from './flow.js';

const ALLOWED = ['auth.test', 'views.open', 'views.update', 'views.push', 'chat.postMessage', 'chat.update'];

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
    const contoso = h.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id)!;
    const cases = demoCases(contoso);
    const root = await openLicenses(h);
    expect(root.callbackId).toBe(ids.views.customer);

    await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
    const unlicensed = cases.unlicensed;
    let view = await pickUsers(h, root.id, unlicensed.displayName.split(' ')[0]!, [unlicensed.id]);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: view.blocks }])).toContain('Selected: 1 user');

    const usable = new Set(contoso.users.filter((u) => u.usageLocation !== null).map((u) => u.id));
    const onPage = pageUserIds(view).filter(
      (id) => id !== unlicensed.id && usable.has(id) && (contoso.holdings[id] ?? []).length === 0,
    );
    expect(onPage.length).toBeGreaterThan(0);
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
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('jumps straight to the users step when /licenses names exactly one customer', async () => {
    const root = await openLicenses(h, { text: 'fab' });
    expect(root.callbackId).toBe(ids.views.users);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: root.blocks }])).toContain('Fabrikam');
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
  });

  it('offers the customer step, with a note, when /licenses matches several customers', async () => {
    const root = await openLicenses(h, { text: 'f' });
    expect(root.callbackId).toBe(ids.views.customer);
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: root.blocks }])).toContain('Several customers');
    await chooseCustomer(h, root.id, 'Fou', TEST_CUSTOMERS.fourthCoffee.id);
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
  });

  it('shows the request and its outcome on App Home', async () => {
    const contoso = h.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.contoso.id)!;
    const { unlicensed } = demoCases(contoso);
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', contoso.customer.id);
    await pickUsers(h, root.id, unlicensed.displayName.split(' ')[0]!, [unlicensed.id]);
    await toLicenses(h, root.id);
    await submitChange(h, root.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    await finishedRun(h);

    const opened = await h.driver.appHomeOpened(OPERATOR);
    expect(opened.status).toBe(200);
    const home = await h.fake.waitFor(() => h.fake.home(OPERATOR));
    expectValidHome(home.definition);
    const request = (await h.service.recentRequests(OPERATOR, 1))[0]!;
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: home.blocks }])).toContain(request.id);
    expect(h.fake.unexpectedCalls([...ALLOWED, 'views.publish'])).toEqual([]);
  });
});
