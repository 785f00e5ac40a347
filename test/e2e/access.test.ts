import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import {
  type AppHarness,
  CHANNEL,
  OPERATOR,
  reportAckLatencies,
  SIGNING_SECRET,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { signRequest } from '../support/slack-driver.js';
import { chooseCustomer, openLicenses, present } from './flow.js';

const STRANGER = 'U0STRANGER';

afterAll(() => reportAckLatencies('access.test.ts'));

function commandBody(userId: string): string {
  return new URLSearchParams({
    team_id: 'T0FAKE',
    channel_id: CHANNEL,
    user_id: userId,
    command: '/licenses',
    text: '',
    trigger_id: '1.2.abc',
    response_url: 'http://127.0.0.1:1/unused',
  }).toString();
}

async function requests(harness: AppHarness) {
  const [request] = await harness.store.listRequests({ limit: 1 });
  return { request };
}

describe('who may', () => {
  it('refuses /licenses to someone who is not an operator, with an ephemeral reply and nothing else', async () => {
    const h = closedAfterTest(await startAppHarness({ env: { OPERATOR_USER_IDS: OPERATOR } }));
    const response = await h.driver.command({ userId: STRANGER, channelId: CHANNEL });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String((response.body as { text: string }).text)).toContain('Only LicenseDesk operators');
    expect(h.fake.openModalOf(STRANGER)).toBeUndefined();
    expect(h.fake.unexpectedCalls(['auth.test'])).toEqual([]);
    expect(await requests(h)).toEqual({ request: undefined });
  });

  it('lets members of the operator user group in, asking Slack for the members once a minute', async () => {
    const h = closedAfterTest(await startAppHarness({ env: { OPERATOR_USERGROUP_ID: 'S0OPS' } }));
    h.fake.setUsergroup('S0OPS', ['U0GROUPIE']);
    const root = await openLicenses(h, { user: 'U0GROUPIE' });
    expect(root.callbackId).toBe(ids.views.customer);
    const refused = await h.driver.command({ userId: STRANGER, channelId: CHANNEL });
    expect(refused.body).toMatchObject({ response_type: 'ephemeral' });
    expect(h.fake.callsTo('usergroups.users.list')).toHaveLength(1);
    expect(h.fake.unexpectedCalls(['auth.test', 'usergroups.users.list', 'views.open'])).toEqual([]);
  });

  it('answers in time when Slack rate-limits the operator group lookup', async () => {
    const h = closedAfterTest(await startAppHarness({ env: { OPERATOR_USERGROUP_ID: 'S0OPS' } }));
    h.fake.setUsergroup('S0OPS', ['U0GROUPIE']);
    h.fake.rateLimitNext('usergroups.users.list', 4);
    // The driver fails an ack later than 3 s; without known members the check fails closed.
    const refused = await h.driver.command({ userId: 'U0GROUPIE', channelId: CHANNEL });
    expect(refused.body).toMatchObject({ response_type: 'ephemeral' });
    expect(h.fake.openModalOf('U0GROUPIE')).toBeUndefined();
  }, 15_000);

  it('answers a forged or stale signature with 401 and changes nothing', async () => {
    const h = closedAfterTest(await startAppHarness());
    const body = commandBody(OPERATOR);
    const now = Math.floor(Date.now() / 1000);
    const forged = await h.driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signRequest('not-the-secret', body, now),
    });
    expect(forged.status).toBe(401);
    const stale = await h.driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signRequest(SIGNING_SECRET, body, now - 10 * 60),
    });
    expect(stale.status).toBe(401);
    const unsigned = await h.driver.raw(body, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(unsigned.status).toBe(401);
    expect(h.fake.unexpectedCalls(['auth.test'])).toEqual([]);
    expect(await requests(h)).toEqual({ request: undefined });
  });

  it('lets a modal answer only to the operator who opened it', async () => {
    const h = closedAfterTest(await startAppHarness());
    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
    const before = present(h.fake.view(root.id), 'the root view').updates;
    // Another user replays the owner's view in a correctly signed payload (e.g. a copied view id).
    const payload = JSON.stringify({
      type: 'block_actions',
      team: { id: h.fake.teamId, domain: 'fake' },
      user: { id: STRANGER, username: 'stranger', name: 'stranger', team_id: h.fake.teamId },
      api_app_id: h.fake.appId,
      container: { type: 'view', view_id: root.id },
      trigger_id: h.fake.issueTriggerId(STRANGER, root.id),
      view: h.fake.viewPayload(root.id),
      actions: [
        {
          type: 'button',
          action_id: ids.actions.clearSelection,
          block_id: ids.blocks.browseNav,
          action_ts: '1.2',
        },
      ],
    });
    const body = new URLSearchParams({ payload }).toString();
    const response = await h.driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...h.driver.sign(body),
    });
    expect(response.status).toBe(200);
    const refusal = await h.fake.waitFor(() => h.fake.ephemerals().find((e) => e.user === STRANGER));
    expect(refusal.channel).toBe(CHANNEL);
    expect(refusal.text).toContain('belongs to someone else');
    expect(h.fake.view(root.id)?.updates).toBe(before);
    expect(h.fake.unexpectedCalls(['auth.test', 'views.open', 'views.update', 'chat.postEphemeral'])).toEqual(
      [],
    );
  });
});
