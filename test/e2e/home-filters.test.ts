/**
 * App Home's filters over signed HTTP: operators and approvers choose mine / waiting for approval /
 * all and a customer; the list follows, the choice survives reopening the Home, and someone who
 * is neither gets no filters and is refused when they send one anyway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { STAFF_ONLY } from '../../src/slack/listeners/staff.js';
import { OPERATOR, reportAckLatencies, TEST_CUSTOMERS } from '../support/app-harness.js';
import { APPROVER_A, ephemeralTexts, STRANGER } from '../support/approval-harness.js';
import { type AuditHistory, listedRequestIds, startWithHistory } from '../support/audit-setup.js';
import { validateHomeView } from '../support/block-kit.js';
import type { ActionInput } from '../support/slack-driver.js';
import type { FakeView } from '../support/slack-fake.js';
import { blocksText, present } from './flow.js';

let history: AuditHistory;

beforeAll(async () => {
  history = await startWithHistory();
}, 60_000);

afterAll(async () => {
  await history?.t.h.close();
  await reportAckLatencies('home-filters.test.ts');
});

/** `user` opens the Home tab; returns the published Home, checked against Slack's limits. */
async function openHome(user: string): Promise<FakeView> {
  const { h } = history.t;
  const before = h.fake.home(user)?.updates ?? -1;
  await h.driver.appHomeOpened(user);
  const home = await h.fake.waitFor(() => {
    const now = h.fake.home(user);
    return now !== undefined && now.updates > before ? now : undefined;
  }, 5000);
  expect(validateHomeView(home.definition)).toEqual([]);
  return home;
}

/** `user` changes a filter on their Home; returns it once the app published it again. */
async function filter(user: string, action: ActionInput): Promise<FakeView> {
  const { h } = history.t;
  const home = present(h.fake.home(user), `${user}'s Home`);
  const before = home.updates;
  const answer = await h.driver.blockActions({ userId: user, viewId: home.id, actions: [action] });
  expect(answer.status).toBe(200);
  await h.idle();
  const after = present(h.fake.home(user), `${user}'s Home`);
  expect(after.updates).toBeGreaterThan(before);
  expect(validateHomeView(after.definition)).toEqual([]);
  return after;
}

/** The Contoso option of the Home's customer typeahead, as Slack would load it. */
async function contosoOption(user: string) {
  const { h } = history.t;
  const home = present(h.fake.home(user), 'the Home');
  const { options } = await h.driver.blockSuggestion({
    userId: user,
    viewId: home.id,
    blockId: ids.blocks.homeFilter,
    actionId: ids.actions.homeCustomer,
    value: 'Con',
  });
  return present(
    options.find((o) => o.value === TEST_CUSTOMERS.contoso.id),
    'Contoso offered',
  );
}

describe('App Home filters', () => {
  it('mine, waiting for approval, all, and one customer change what is listed', async () => {
    const { rejected, pending, fabrikam } = history;
    const all = [rejected, pending, fabrikam];
    // Default: APPROVER_A's own requests (the Fabrikam one they ran).
    let home = await openHome(APPROVER_A);
    expect(blocksText(home.blocks)).toContain('Your recent requests');
    expect(listedRequestIds(home, all)).toEqual([fabrikam.id]);

    home = await filter(APPROVER_A, { actionId: ids.actions.homeScope, select: ['pending'] });
    expect(blocksText(home.blocks)).toContain('Waiting for approval');
    // The pending request shows up in the list (and once more among those waiting for them).
    expect(listedRequestIds(home, all)).toEqual([pending.id]);

    home = await filter(APPROVER_A, { actionId: ids.actions.homeScope, select: ['all'] });
    expect(listedRequestIds(home, all)).toEqual([fabrikam.id, pending.id, rejected.id]);
    const text = blocksText(home.blocks);
    expect(text).toContain(`Requested by <@${OPERATOR}>`);
    expect(text).toContain(`Rejected by <@${APPROVER_A}>`);

    home = await filter(APPROVER_A, {
      actionId: ids.actions.homeCustomer,
      select: [await contosoOption(APPROVER_A)],
    });
    expect(blocksText(home.blocks)).toContain('All requests · Contoso');
    expect(listedRequestIds(home, all)).toEqual([pending.id, rejected.id]);

    home = await filter(APPROVER_A, { actionId: ids.actions.homeScope, select: ['mine'] });
    expect(listedRequestIds(home, all)).toEqual([]);
    expect(blocksText(home.blocks)).toContain('No requests match these filters.');

    home = await filter(APPROVER_A, { actionId: ids.actions.homeCustomerClear });
    expect(listedRequestIds(home, all)).toEqual([fabrikam.id]);
  });

  it('keeps each user’s choice when they open the Home again', async () => {
    const { rejected, pending, fabrikam } = history;
    await openHome(OPERATOR);
    await filter(OPERATOR, { actionId: ids.actions.homeCustomer, select: [await contosoOption(OPERATOR)] });
    await filter(OPERATOR, { actionId: ids.actions.homeScope, select: ['pending'] });
    const reopened = await openHome(OPERATOR);
    expect(blocksText(reopened.blocks)).toContain('Waiting for approval · Contoso');
    expect(listedRequestIds(reopened, [rejected, pending, fabrikam])).toEqual([pending.id]);
    // Another user's choice is their own: APPROVER_A still sees their own requests.
    await filter(APPROVER_A, { actionId: ids.actions.homeScope, select: ['mine'] });
    const theirs = await openHome(APPROVER_A);
    expect(listedRequestIds(theirs, [rejected, pending, fabrikam])).toEqual([fabrikam.id]);
  });

  it('shows no filters to someone who is neither operator nor approver, and refuses a forged one', async () => {
    const { h } = history.t;
    const home = await openHome(STRANGER);
    expect(home.blocks.some((b) => b.block_id === ids.blocks.homeFilter)).toBe(false);
    expect(listedRequestIds(home, [history.rejected, history.pending, history.fabrikam])).toEqual([]);
    // A hand-made payload from a Home that once had filters: refused, nothing published.
    const before = home.updates;
    const response = await h.driver.raw(...forgedScopeClick(STRANGER, home.id));
    expect(response.status).toBe(200);
    // The refusal goes to their DM (a Home has no channel); nothing was published.
    const dm = await h.fake.waitFor(() => h.fake.messages(h.fake.dmChannelOf(STRANGER))[0], 5000);
    expect(dm.text).toBe(STAFF_ONLY);
    await h.idle();
    expect(present(h.fake.home(STRANGER), 'the Home').updates).toBe(before);
    expect(ephemeralTexts(h, STRANGER)).toEqual([]);
  });
});

/** A signed block_actions body choosing "all" on `viewId`, as a stale or forged client would send it. */
function forgedScopeClick(user: string, viewId: string): [string, Record<string, string>] {
  const { h } = history.t;
  const payload = {
    type: 'block_actions',
    team: { id: h.fake.teamId, domain: 'fake' },
    user: { id: user, username: 'stranger', name: 'stranger', team_id: h.fake.teamId },
    api_app_id: h.fake.appId,
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: viewId },
    trigger_id: h.fake.issueTriggerId(user),
    view: h.fake.viewPayload(viewId),
    actions: [
      {
        type: 'static_select',
        action_id: ids.actions.homeScope,
        block_id: ids.blocks.homeFilter,
        selected_option: { text: { type: 'plain_text', text: 'All requests' }, value: 'all' },
        action_ts: '1700000000.000100',
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return [body, { 'Content-Type': 'application/x-www-form-urlencoded', ...h.driver.sign(body) }];
}
