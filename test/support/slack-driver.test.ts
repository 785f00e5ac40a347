import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { botClient } from './slack-client.js';
import {
  createSlackDriver,
  findAction,
  type SlackDriver,
  stateFor,
  summarizeLatencies,
} from './slack-driver.js';
import { type SlackFake, startSlackFake } from './slack-fake.js';

const SIGNING_SECRET = 'test-signing-secret';
const OPERATOR = 'U0OPERATOR';

const option = (value: string) => ({
  text: { type: 'plain_text' as const, text: `Product ${value}` },
  value,
});

function pickView(): ModalView {
  return {
    type: 'modal',
    callback_id: 'pick',
    title: { type: 'plain_text', text: 'Pick' },
    submit: { type: 'plain_text', text: 'Next' },
    notify_on_close: true,
    private_metadata: 'draft-1',
    blocks: [
      {
        type: 'input',
        block_id: 'customer',
        label: { type: 'plain_text', text: 'Customer' },
        element: { type: 'external_select', action_id: 'customer_search', min_query_length: 1 },
      },
      {
        type: 'section',
        block_id: 'products',
        text: { type: 'mrkdwn', text: 'Products' },
        accessory: { type: 'checkboxes', action_id: 'tick', options: [option('a'), option('b')] },
      },
      {
        type: 'actions',
        block_id: 'nav',
        elements: [
          { type: 'button', action_id: 'more', text: { type: 'plain_text', text: 'More' }, value: 'p2' },
        ],
      },
    ],
  };
}

const detailView = (step: number): ModalView => ({
  type: 'modal',
  callback_id: 'detail',
  title: { type: 'plain_text', text: `Detail ${step}` },
  close: { type: 'plain_text', text: 'Back' },
  submit: { type: 'plain_text', text: 'Done' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `step ${step}` } }],
});

/** A tiny Bolt app listening like LicenseDesk will: one command, options, actions, views, an event. */
async function startTinyApp(fake: SlackFake, record: string[]) {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR });
  const app = new App({
    token: fake.botToken,
    receiver,
    botId: fake.botId,
    botUserId: fake.botUserId,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  app.command('/licenses', async ({ ack, command, client }) => {
    await ack();
    record.push(`command:${command.text}`);
    await client.views.open({ trigger_id: command.trigger_id, view: pickView() });
  });
  app.options('customer_search', async ({ ack, body }) => {
    record.push(`options:${body.value}`);
    await ack({ options: [{ text: { type: 'plain_text', text: `Contoso ${body.value}` }, value: 'c1' }] });
  });
  app.action('tick', async ({ ack, body }) => {
    await ack();
    if (body.type === 'block_actions' && body.view) {
      record.push(
        `tick:${JSON.stringify(body.view.state.values.products?.tick?.selected_options?.map((o) => o.value))}`,
      );
    }
  });
  app.action('more', async ({ ack, body, client }) => {
    await ack();
    if (body.type === 'block_actions' && body.view) {
      await client.views.push({ trigger_id: body.trigger_id, view: detailView(1) });
    }
  });
  app.action('approve', async ({ ack, body, respond }) => {
    await ack();
    if (body.type === 'block_actions') record.push(`approve:${body.message?.ts}`);
    await respond({ text: 'Approved', replace_original: true });
  });
  app.view('pick', async ({ ack, view }) => {
    const customer = view.state.values.customer?.customer_search?.selected_option?.value;
    record.push(`submit:${customer}:${view.private_metadata}`);
    if (customer === 'bad') {
      await ack({ response_action: 'errors', errors: { customer: 'Unknown customer' } });
      return;
    }
    await ack({
      response_action: 'update',
      view: { ...pickView(), callback_id: 'pick2', private_metadata: 'draft-2' },
    });
  });
  app.view('pick2', async ({ ack }) => {
    await ack({ response_action: 'push', view: detailView(2) });
  });
  app.view('detail', async ({ ack }) => {
    await ack();
  });
  app.view({ callback_id: 'pick2', type: 'view_closed' }, async ({ ack, body }) => {
    await ack();
    if (body.type === 'view_closed') record.push(`closed:${body.is_cleared}`);
  });
  app.event('app_home_opened', async ({ event, client }) => {
    record.push(`home:${event.tab}`);
    await client.views.publish({
      user_id: event.user,
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }] },
    });
  });
  const server = await app.start(0);
  const { port } = server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/slack/events` };
}

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatencies(latencies)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(summarizeLatencies([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });
});

describe('Slack driver against a Bolt app', () => {
  let fake: SlackFake;
  let driver: SlackDriver;
  let app: App;
  let record: string[];

  beforeEach(async () => {
    fake = await startSlackFake();
    record = [];
    const started = await startTinyApp(fake, record);
    app = started.app;
    driver = createSlackDriver({ appUrl: started.url, signingSecret: SIGNING_SECRET, fake });
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('sends a signed slash command whose trigger opens a modal', async () => {
    const response = await driver.command({ userId: OPERATOR, channelId: 'C0LICENSES', text: 'Contoso' });
    expect(response.status).toBe(200);
    await fake.waitForCall('views.open');
    expect(record).toEqual(['command:Contoso']);
    const modal = fake.openModalOf(OPERATOR);
    expect(modal?.callbackId).toBe('pick');
    expect(fake.unexpectedCalls(['views.open'])).toEqual([]);
    expect(driver.ackLatencies()).toHaveLength(1);
    expect(driver.latencySummary().count).toBe(1);
  });

  it('rejects a forged signature with 401 and nothing happens', async () => {
    const body = new URLSearchParams({ command: '/licenses', user_id: OPERATOR, trigger_id: 'x' }).toString();
    const forged = { ...driver.sign(body), 'X-Slack-Signature': `v0=${'0'.repeat(64)}` };
    const response = await driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...forged,
    });
    expect(response.status).toBe(401);
    const stale = driver.sign(body, Math.floor(Date.now() / 1000) - 600);
    const old = await driver.raw(body, { 'Content-Type': 'application/x-www-form-urlencoded', ...stale });
    expect(old.status).toBe(401);
    expect(record).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('answers a well-signed raw request, proving the signature scheme', async () => {
    const body = new URLSearchParams({
      command: '/licenses',
      text: 'raw',
      user_id: OPERATOR,
      channel_id: 'C1',
      team_id: fake.teamId,
      trigger_id: fake.issueTriggerId(OPERATOR),
    }).toString();
    const response = await driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...driver.sign(body),
    });
    expect(response.status).toBe(200);
    expect(record).toEqual(['command:raw']);
    expect((await fake.waitForCall('views.open')).ok).toBe(true);
  });

  it('loads options, sends block actions with state, and applies response actions', async () => {
    await driver.command({ userId: OPERATOR, channelId: 'C0LICENSES' });
    const modal = await fake.waitFor(() => fake.openModalOf(OPERATOR));

    const options = await driver.blockSuggestion({
      userId: OPERATOR,
      viewId: modal.id,
      actionId: 'customer_search',
      value: 'Co',
    });
    expect(options.options).toEqual([{ text: { type: 'plain_text', text: 'Contoso Co' }, value: 'c1' }]);

    await driver.blockActions({
      userId: OPERATOR,
      viewId: modal.id,
      actions: [{ actionId: 'tick', select: ['b'] }],
    });
    expect(record).toContain('tick:["b"]');

    const rejected = await driver.viewSubmission({
      userId: OPERATOR,
      viewId: modal.id,
      values: { customer: { customer_search: { selected_option: option('bad') } } },
    });
    expect(rejected.responseAction).toBe('errors');
    expect(rejected.errors).toEqual({ customer: 'Unknown customer' });

    const updated = await driver.viewSubmission({
      userId: OPERATOR,
      viewId: modal.id,
      values: { customer: { customer_search: { selected_option: option('c1') } } },
    });
    expect(record).toContain('submit:c1:draft-1');
    expect(updated.responseAction).toBe('update');
    expect(updated.view?.id).toBe(modal.id);
    expect(updated.view?.callbackId).toBe('pick2');
    // Same block_id and action_id: what the user entered survives the update, as in Slack.
    expect(stateFor(modal, modal.entered).products?.tick?.selected_options).toEqual([option('b')]);

    const pushed = await driver.viewSubmission({ userId: OPERATOR, viewId: modal.id });
    expect(pushed.responseAction).toBe('push');
    expect(fake.stackOf(modal.id)).toHaveLength(2);
    expect(fake.openModalOf(OPERATOR)?.callbackId).toBe('detail');

    await expect(driver.viewSubmission({ userId: OPERATOR, viewId: modal.id })).rejects.toThrow(/not on top/);
  });

  it('closes the top view on an empty ack and sends view_closed with notify_on_close', async () => {
    await driver.command({ userId: OPERATOR, channelId: 'C0LICENSES' });
    const modal = await fake.waitFor(() => fake.openModalOf(OPERATOR));
    await driver.blockActions({ userId: OPERATOR, viewId: modal.id, actions: [{ actionId: 'more' }] });
    const detail = await fake.waitFor(() => {
      const top = fake.openModalOf(OPERATOR);
      return top?.callbackId === 'detail' ? top : undefined;
    });
    const closed = await driver.viewSubmission({ userId: OPERATOR, viewId: detail.id });
    expect(closed.responseAction).toBe('close');
    expect(closed.view?.id).toBe(modal.id);
    expect(fake.openModalOf(OPERATOR)?.id).toBe(modal.id);

    fake.replaceView(modal.id, { ...pickView(), callback_id: 'pick2' });
    const sent = await driver.viewClosed({ userId: OPERATOR, viewId: modal.id, isCleared: true });
    expect(sent?.status).toBe(200);
    expect(record).toContain('closed:true');
    expect(fake.openModalOf(OPERATOR)).toBeUndefined();
  });

  it('refuses what Slack would not send', async () => {
    await driver.command({ userId: OPERATOR, channelId: 'C0LICENSES' });
    const modal = await fake.waitFor(() => fake.openModalOf(OPERATOR));
    await expect(
      driver.blockSuggestion({ userId: OPERATOR, viewId: modal.id, actionId: 'customer_search', value: '' }),
    ).rejects.toThrow(/min_query_length/);
    await expect(driver.viewSubmission({ userId: OPERATOR, viewId: modal.id })).rejects.toThrow(
      /required input/,
    );
    await expect(
      driver.blockActions({ userId: OPERATOR, viewId: modal.id, actions: [{ actionId: 'customer_search' }] }),
    ).rejects.toThrow(/dispatch_action/);
    await expect(
      driver.blockActions({ userId: 'U0OTHER', viewId: modal.id, actions: [{ actionId: 'more' }] }),
    ).rejects.toThrow(/belongs to/);
    expect(() => findAction(modal, 'nope')).toThrow(/no element 'nope'/);
  });

  it('clicks a button in a message and records the response_url post', async () => {
    const client = botClient(fake);
    const posted = await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'Approval needed',
      blocks: [
        {
          type: 'actions',
          block_id: 'decide',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              text: { type: 'plain_text', text: 'Approve' },
              value: 'r1',
            },
          ],
        },
      ],
    });
    if (posted.ts === undefined) throw new Error('no ts');
    const response = await driver.blockActions({
      userId: 'U0APPROVER',
      message: { channel: 'C0APPROVALS', ts: posted.ts },
      actions: [{ actionId: 'approve' }],
    });
    expect(response.status).toBe(200);
    expect(record).toEqual([`approve:${posted.ts}`]);
    const posts = await fake.waitFor(() => {
      const found = fake.responses(response.responseUrlId);
      return found.length > 0 ? found : undefined;
    });
    expect(posts[0]?.body).toMatchObject({ text: 'Approved', replace_original: true });
  });

  it('delivers app_home_opened as a signed JSON event', async () => {
    const response = await driver.appHomeOpened(OPERATOR);
    expect(response.status).toBe(200);
    const home = await fake.waitFor(() => fake.home(OPERATOR));
    expect(home.blocks).toHaveLength(1);
    expect(record).toEqual(['home:home']);
  });
});
