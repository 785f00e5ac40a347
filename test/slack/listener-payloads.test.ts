/**
 * Listeners read every payload field through zod: the cases that used to throw (and answer 500)
 * or to act on the wrong thing, sent signed through the whole app, and sent straight to Bolt's
 * processEvent (as Socket Mode does, without the HTTP edge's envelope check).
 */
import type { ReceiverEvent } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { refusals } from '../../src/slack/access.js';
import { chooseCustomer, click, current, openLicenses, textOf, toLicenses } from '../e2e/flow.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import type { SlackObject } from '../support/slack-fake.js';

let h: AppHarness;
afterEach(async () => {
  await h?.close();
});

const FORM = 'application/x-www-form-urlencoded';

function send(payload: unknown) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return h.driver.raw(body, { 'Content-Type': FORM, ...h.driver.sign(body) });
}

const viewText = (viewId: string) =>
  textOf([{ channel: '', ts: '', edits: 0, blocks: current(h, viewId).blocks }]);

/** A block_actions payload as Slack sends it for a button of `view` (the view as given, maybe stale). */
function buttonClick(view: SlackObject, actionId: string, value: string): SlackObject {
  return {
    type: 'block_actions',
    team: { id: h.fake.teamId, domain: 'fake' },
    user: { id: OPERATOR, name: 'ops', team_id: h.fake.teamId },
    api_app_id: h.fake.appId,
    container: { type: 'view', view_id: view.id },
    trigger_id: h.fake.issueTriggerId(OPERATOR, String(view.id)),
    view,
    actions: [{ type: 'button', action_id: actionId, block_id: ids.blocks.browseNav, value }],
  };
}

/** Runs one body through Bolt as a receiver would, and says how it was acked. */
async function processDirectly(body: Record<string, unknown>) {
  const acks: unknown[] = [];
  const event: ReceiverEvent = {
    body,
    ack: async (response?: unknown) => {
      acks.push(response ?? null);
    },
  };
  await h.slack.app.processEvent(event);
  await h.idle();
  return acks;
}

describe('paging buttons', () => {
  it('go to the page their button names, even from a stale view or a double click', async () => {
    h = await startAppHarness();
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
    const onFirstPage = h.fake.viewPayload(root.id);
    await click(h, root.id, ids.actions.pageNext);
    await click(h, root.id, ids.actions.pageNext);
    expect(viewText(root.id)).toContain('Page 3 of 4');

    // "Next ›" of the first page, clicked in a client still showing it, names page 2.
    const before = current(h, root.id).updates;
    expect((await send(buttonClick(onFirstPage, ids.actions.pageNext, '1'))).status).toBe(200);
    await h.fake.waitFor(() => current(h, root.id).updates > before);
    expect(viewText(root.id)).toContain('Page 2 of 4');

    // A page past the end is brought back to the last one; a value that is no page changes nothing.
    await send(buttonClick(h.fake.viewPayload(root.id), ids.actions.pageLast, '99'));
    await h.fake.waitFor(() => viewText(root.id).includes('Page 4 of 4'));
    const updates = current(h, root.id).updates;
    for (const value of ['-1', '1e3', 'next', '']) {
      expect((await send(buttonClick(h.fake.viewPayload(root.id), ids.actions.pageNext, value))).status).toBe(
        200,
      );
    }
    await h.idle();
    expect(current(h, root.id).updates).toBe(updates);
    expect(h.logger.errors()).toEqual([]);
  });
});

describe('/licenses', () => {
  it('without a text field works like /licenses with an empty text', async () => {
    h = await startAppHarness();
    const fields = {
      team_id: h.fake.teamId,
      channel_id: CHANNEL,
      user_id: OPERATOR,
      command: '/licenses',
      trigger_id: h.fake.issueTriggerId(OPERATOR),
      response_url: h.fake.issueResponseUrl().url,
    };
    const body = new URLSearchParams(fields).toString();
    const answer = await h.driver.raw(body, { 'Content-Type': FORM, ...h.driver.sign(body) });
    expect(answer.status).toBe(200);
    const modal = await h.fake.waitFor(() => h.fake.openModalOf(OPERATOR), 5000);
    expect(modal.callbackId).toBe(ids.views.customer);
    expect(h.logger.errors()).toEqual([]);
  });
});

describe('drafts and products named in payloads', () => {
  it('refuses a users-step action naming a draft still at the customer step, instead of failing', async () => {
    h = await startAppHarness();
    const atCustomer = await openLicenses(h);
    // The operator's own draft, but one that has no customer yet.
    const view = { ...h.fake.viewPayload(atCustomer.id), callback_id: ids.views.users };
    const answer = await send(buttonClick(view, ids.actions.pageNext, '1'));
    expect(answer.status).toBe(200);
    await h.fake.waitForCall('chat.postMessage');
    expect(h.fake.callsTo('chat.postMessage').map((call) => call.args.text)).toEqual([refusals.expired]);
    expect(h.fake.callsTo('views.update')).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });

  it('shows "no longer offered" for a product button naming a product the customer does not have', async () => {
    h = await startAppHarness();
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
    await click(h, root.id, ids.actions.selectPage);
    await toLicenses(h, root.id);
    for (const [index, sku] of ['constructor', '__proto__', 'not-a-product'].entries()) {
      const payload = buttonClick(h.fake.viewPayload(root.id), `${ids.actions.holdersPrefix}0`, sku);
      expect((await send(payload)).status).toBe(200);
      await h.fake.waitForCall('views.push', index + 1);
      const top = h.fake.stackOf(root.id).at(-1);
      expect(top).not.toBe(root.id);
      expect(textOf([{ channel: '', ts: '', edits: 0, blocks: h.fake.view(String(top))?.blocks }])).toContain(
        'no longer offered',
      );
      h.fake.closeView(String(top));
    }
    expect(h.logger.errors()).toEqual([]);
  });
});

describe('without the HTTP edge (as in Socket Mode)', () => {
  it('answers malformed views, blocks, block ids, state and metadata without throwing', async () => {
    h = await startAppHarness();
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
    const view = h.fake.viewPayload(root.id);
    const next = (changes: SlackObject) => ({ ...buttonClick(view, ids.actions.pageNext, '1'), ...changes });
    const bodies: Record<string, unknown>[] = [
      next({ view: { ...view, blocks: null } }),
      next({ view: { ...view, blocks: [null, { type: 'input', block_id: 7 }] } }),
      next({ view: { ...view, state: undefined } }),
      next({ view: { ...view, private_metadata: JSON.stringify({ draftId: 'constructor' }) } }),
      next({ view: { ...view, private_metadata: JSON.stringify({ draftId: '__proto__' }) } }),
      next({ view: { ...view, private_metadata: 5 } }),
      next({
        actions: [
          { type: 'button', action_id: ids.actions.pageNext, block_id: ids.blocks.browseNav, value: 3 },
        ],
      }),
      {
        type: 'view_submission',
        user: { id: OPERATOR },
        team: { id: h.fake.teamId },
        view: { ...view, blocks: null, state: 'x' },
      },
      {
        type: 'view_submission',
        user: { id: OPERATOR },
        team: { id: h.fake.teamId },
        view: { ...view, blocks: null, private_metadata: '{"draftId":"toString"}' },
      },
      {
        type: 'block_suggestion',
        user: { id: OPERATOR },
        team: { id: h.fake.teamId },
        action_id: ids.actions.userSearch,
        block_id: 'user_search_v0',
        value: { text: 'x' },
        view: { ...view, blocks: 'none' },
      },
    ];
    for (const body of bodies) {
      const acks = await processDirectly(body);
      expect(acks.length, JSON.stringify(body).slice(0, 200)).toBe(1);
    }
    expect(h.logger.errors()).toEqual([]);
  });
});
