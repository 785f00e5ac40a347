/**
 * A slow provider must not make the app miss Slack's 3-second ack deadline (the driver fails any
 * ack later than that): step changes ack with a placeholder, options loads answer with what is
 * ready in time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import { reportAckLatencies, startAppHarness, TEST_CUSTOMERS } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { current, openLicenses } from './flow.js';

afterAll(() => reportAckLatencies('slow-provider.test.ts'));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The demo provider with searches that take `searchMs` once `slow.on` is set. */
function slowSearches(searchMs: number) {
  const slow = { on: false };
  const wrap = (demo: LicenseProvider): LicenseProvider =>
    new Proxy(demo, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const method = value.bind(target) as (...args: unknown[]) => Promise<unknown>;
        if (property !== 'searchCustomers' && property !== 'searchUsers') return method;
        return async (...args: unknown[]) => {
          if (slow.on) await sleep(searchMs);
          return method(...args);
        };
      },
    });
  return { slow, wrap };
}

function customerValues(customerId: string, name: string) {
  return {
    [ids.blocks.customer]: {
      [ids.actions.customer]: {
        selected_option: { text: { type: 'plain_text', text: name }, value: customerId },
      },
    },
  };
}

describe('a slow provider', () => {
  it('acks the customer step in time and shows the users step (or the refusal) once it is ready', async () => {
    const h = closedAfterTest(await startAppHarness({ provider: { latencyMs: 2500 } }));
    const root = await openLicenses(h);

    const unknown = await h.driver.viewSubmission({
      userId: 'U0OPERATOR',
      viewId: root.id,
      values: customerValues('cust-gone', 'Gone Ltd'),
    });
    expect(unknown.responseAction).toBe('update');
    await h.fake.waitFor(() => current(h, root.id).callbackId === ids.views.customer || undefined, 8000);
    expect(JSON.stringify(current(h, root.id).blocks)).toContain('Choose a customer.');

    const submitted = await h.driver.viewSubmission({
      userId: 'U0OPERATOR',
      viewId: root.id,
      values: customerValues(TEST_CUSTOMERS.contoso.id, 'Contoso'),
    });
    expect(submitted.responseAction).toBe('update');
    await h.fake.waitFor(
      () =>
        current(h, root.id).blocks.some((b) => patterns.browseBlock.test(String(b.block_id))) || undefined,
      10_000,
    );
    expect(current(h, root.id).callbackId).toBe(ids.views.users);
    expect(h.logger.errors()).toEqual([]);
  }, 30_000);

  it('answers the customer and user typeaheads in time, with no options when the search is too slow', async () => {
    const { slow, wrap } = slowSearches(3200);
    const h = closedAfterTest(await startAppHarness({ wrapProvider: wrap }));
    const root = await openLicenses(h);
    const submitted = await h.driver.viewSubmission({
      userId: 'U0OPERATOR',
      viewId: root.id,
      values: customerValues(TEST_CUSTOMERS.contoso.id, 'Contoso'),
    });
    expect(submitted.responseAction).toBe('update');
    const searchBlock = current(h, root.id).blocks.find((b) =>
      patterns.userSearchBlock.test(String(b.block_id)),
    );

    slow.on = true;
    const users = await h.driver.blockSuggestion({
      userId: 'U0OPERATOR',
      viewId: root.id,
      blockId: String(searchBlock?.block_id),
      actionId: ids.actions.userSearch,
      value: 'a',
    });
    expect(users.status).toBe(200);
    expect(users.options).toEqual([]);
    slow.on = false;
    const fast = await h.driver.blockSuggestion({
      userId: 'U0OPERATOR',
      viewId: root.id,
      blockId: String(searchBlock?.block_id),
      actionId: ids.actions.userSearch,
      value: 'a',
    });
    expect(fast.options.length).toBeGreaterThan(0);

    // The customer typeahead, on a fresh modal.
    const other = await openLicenses(h, { user: 'U0OTHER' });
    slow.on = true;
    const slowCustomers = await h.driver.blockSuggestion({
      userId: 'U0OTHER',
      viewId: other.id,
      blockId: ids.blocks.customer,
      actionId: ids.actions.customer,
      value: 'Con',
    });
    expect(slowCustomers.status).toBe(200);
    expect(slowCustomers.options).toEqual([]);
    await h.idle();
    expect(h.logger.errors()).toEqual([]);
  }, 30_000);
});
