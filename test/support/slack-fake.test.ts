import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KnownBlock, ModalView } from '@slack/types';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blockKitChecks,
  createBlockKitChecks,
  expectValidModal,
  validateHomeView,
  validateMessageBlocks,
  validateMessageText,
  validateModalView,
} from './block-kit.js';
import {
  DEFAULT_SCHEMAS_DIR,
  findSlackSchemas,
  PROJECT_ROOT,
  slackSchemas,
  slackSchemasDir,
} from './schemas.js';
import { botClient } from './slack-client.js';
import { DEFAULT_SCOPES, type SlackFake, startSlackFake } from './slack-fake.js';

/** True when this run checks against the Block Kit schema (see schemas.ts). */
const withSchema = slackSchemas() !== undefined;

const USER = 'U0OPERATOR';

const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  ...(blockId !== undefined ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

const modal = (overrides: Partial<ModalView> = {}): ModalView => ({
  type: 'modal',
  callback_id: 'step',
  title: { type: 'plain_text', text: 'Licenses' },
  blocks: [section('Hello', 'intro')],
  ...overrides,
});

const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });

/** The Slack error name a Web API call failed with (fails the test when it succeeded). */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error && 'data' in error && typeof error.data === 'object' && error.data !== null) {
      if ('error' in error.data && typeof error.data.error === 'string') return error.data.error;
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('where the schemas are looked for', () => {
  it('reads SLACK_SCHEMAS_DIR relative to the project root, by default ../shared/schemas', () => {
    expect(DEFAULT_SCHEMAS_DIR).toBe('../shared/schemas');
    expect(slackSchemasDir({})).toBe(path.resolve(PROJECT_ROOT, '..', 'shared', 'schemas'));
    expect(slackSchemasDir({ SLACK_SCHEMAS_DIR: ' ' })).toBe(slackSchemasDir({}));
    expect(slackSchemasDir({ SLACK_SCHEMAS_DIR: 'vendor/schemas' })).toBe(
      path.join(PROJECT_ROOT, 'vendor', 'schemas'),
    );
    expect(slackSchemasDir({ SLACK_SCHEMAS_DIR: '/opt/schemas' })).toBe(path.resolve('/opt/schemas'));
  });

  it('finds them only when every file is there, and refuses their absence when required', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-schemas-'));
    try {
      await mkdir(path.join(dir, 'tightknit-block-kit'));
      await writeFile(path.join(dir, 'tightknit-block-kit', 'slack-block-kit.schema.json'), '{}');
      const env = { SLACK_SCHEMAS_DIR: dir };
      const lookup = findSlackSchemas(env);
      expect(lookup).toMatchObject({ found: false, dir });
      expect(lookup.found ? [] : lookup.missing.map((file) => path.relative(dir, file))).toEqual([
        path.join('manifest-schema', 'schemas', 'manifest.schema.1.0.0.json'),
        path.join('manifest-schema', 'tests', 'manifests', 'v1', 'manifest.valid.json'),
        path.join('manifest-schema', 'tests', 'manifests', 'v1', 'manifest.invalid.json'),
      ]);
      expect(slackSchemas(env)).toBeUndefined();
      expect(() => slackSchemas({ ...env, REQUIRE_SLACK_SCHEMAS: '1' })).toThrow(
        /REQUIRE_SLACK_SCHEMAS=1 but the Slack schemas are missing/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks against the Block Kit schema exactly when this run found it', () => {
    expect(blockKitChecks().schema).toBe(findSlackSchemas().found);
  });
});

describe('block-kit validation', () => {
  it("keeps the project's checks without the schema", () => {
    const own = createBlockKitChecks(undefined);
    expect(own.schema).toBe(false);
    expect(own.modal(modal())).toEqual([]);
    // Shapes are the schema's business: a misspelt block type passes the project's checks.
    expect(
      own.modal({ ...modal(), blocks: [{ type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } }] }),
    ).toEqual([]);
    expect(own.modal(modal({ title: { type: 'plain_text', text: 'x'.repeat(25) } }))).toEqual([
      '/title/text must NOT have more than 24 characters',
    ]);
    expect(own.modal(modal({ private_metadata: 'x'.repeat(3001) }))).toEqual([
      '/private_metadata must NOT have more than 3000 characters',
    ]);
    const rows = Array.from({ length: 101 }, (_, i) => section(`row ${i}`));
    expect(own.home({ type: 'home', blocks: rows })).toEqual(['/blocks must NOT have more than 100 items']);
    expect(own.messageBlocks(rows.slice(0, 51))).toEqual([
      '/blocks must NOT have more than 50 items (a message)',
    ]);
    expect(own.messageBlocks([section('a', 'same'), section('b', 'same')])).toEqual([
      "/blocks/1/block_id duplicate block_id 'same' (first at /blocks/0)",
    ]);
  });

  it('accepts a valid modal and reports limit errors with their path', () => {
    expect(validateModalView(modal())).toEqual([]);
    expect(() => expectValidModal(modal())).not.toThrow();
    const errors = validateModalView(modal({ title: { type: 'plain_text', text: 'x'.repeat(25) } }));
    expect(errors).toEqual(['/title/text must NOT have more than 24 characters']);
    expect(validateModalView(modal({ private_metadata: 'x'.repeat(3001) }))).toEqual([
      '/private_metadata must NOT have more than 3000 characters',
    ]);
  });

  it.runIf(withSchema)('reports what only the schema knows: unknown types, a submit for inputs', () => {
    expect(
      validateModalView({ ...modal(), blocks: [{ type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } }] }),
    ).toEqual([expect.stringMatching(/^\/blocks\/0\/type must be equal to one of the allowed values/)]);
    const input: KnownBlock = {
      type: 'input',
      block_id: 'reason',
      label: { type: 'plain_text', text: 'Reason' },
      element: { type: 'plain_text_input', action_id: 'text' },
    };
    expect(validateModalView(modal({ blocks: [input] }))).toEqual(["/ must have required property 'submit'"]);
  });

  it('rejects duplicate block ids and duplicate action ids within a block', () => {
    const button = (actionId: string) => ({
      type: 'button' as const,
      action_id: actionId,
      text: { type: 'plain_text' as const, text: 'Go' },
    });
    const blocks: KnownBlock[] = [
      section('a', 'same'),
      section('b', 'same'),
      { type: 'actions', block_id: 'nav', elements: [button('go'), button('go')] },
      { type: 'actions', block_id: 'nav2', elements: [button('go')] },
    ];
    expect(validateMessageBlocks(blocks)).toEqual([
      "/blocks/1/block_id duplicate block_id 'same' (first at /blocks/0)",
      "/blocks/2/elements/1/action_id duplicate action_id 'go' in one block",
    ]);
  });

  it('requires initial options to be entries of the options', () => {
    const blocks: KnownBlock[] = [
      {
        type: 'section',
        block_id: 'pick',
        text: { type: 'mrkdwn', text: 'Pick' },
        accessory: {
          type: 'checkboxes',
          action_id: 'products',
          options: [option('a'), option('b')],
          initial_options: [option('b'), { text: { type: 'plain_text', text: 'A' }, value: 'a' }],
        },
      },
      {
        type: 'actions',
        block_id: 'selects',
        elements: [
          {
            type: 'static_select',
            action_id: 'one',
            option_groups: [{ label: { type: 'plain_text', text: 'G' }, options: [option('x')] }],
            initial_option: option('x'),
          },
          { type: 'radio_buttons', action_id: 'two', options: [option('r')], initial_option: option('s') },
        ],
      },
    ];
    expect(validateMessageBlocks(blocks)).toEqual([
      "/blocks/0/accessory/initial_options/1 must deep-equal one of the element's options",
      "/blocks/1/elements/1/initial_option must deep-equal one of the element's options",
    ]);
  });

  it('limits a message to 50 blocks, a view to 100 and chat.update text to 4,000 characters', () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`row ${i}`));
    expect(validateMessageBlocks(blocks)).toEqual(['/blocks must NOT have more than 50 items (a message)']);
    expect(validateMessageBlocks(blocks.slice(0, 50))).toEqual([]);
    const home = { type: 'home', blocks: Array.from({ length: 101 }, (_, i) => section(`row ${i}`)) };
    expect(validateHomeView(home)).toEqual(['/blocks must NOT have more than 100 items']);
    expect(validateMessageText('x'.repeat(4001), 'chat.update')).toHaveLength(1);
    expect(validateMessageText('x'.repeat(4001), 'chat.postMessage')).toEqual([]);
  });
});

describe('Slack fake through a real WebClient', () => {
  let fake: SlackFake;
  let client: WebClient;

  beforeEach(async () => {
    // The fake's own methods, beyond what the app's manifest grants (conversations.open, users.info).
    fake = await startSlackFake({ scopes: [...DEFAULT_SCOPES, 'im:write', 'users:read'] });
    fake.addUser({ id: USER, name: 'ops', email: 'ops@example.com' });
    client = botClient(fake);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('requires a bearer token and answers auth.test', async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    expect(await slackError(anonymous.auth.test())).toBe('not_authed');
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    expect(await slackError(wrong.auth.test())).toBe('invalid_auth');
    const me = await client.auth.test();
    expect(me).toMatchObject({ ok: true, user_id: fake.botUserId, bot_id: fake.botId, team_id: fake.teamId });
    expect(fake.calls.map((call) => [call.method, call.error])).toEqual([
      ['auth.test', 'not_authed'],
      ['auth.test', 'invalid_auth'],
      ['auth.test', undefined],
    ]);
    expect(fake.unexpectedCalls(['auth.test'])).toHaveLength(2);
  });

  it('posts messages with increasing ts, threads and DMs', async () => {
    const first = await client.chat.postMessage({
      channel: 'C0LIC',
      text: 'Summary',
      blocks: [section('Summary')],
    });
    const reply = await client.chat.postMessage({ channel: 'C0LIC', thread_ts: first.ts, text: 'Details' });
    expect(first).toMatchObject({
      ok: true,
      channel: 'C0LIC',
      message: { text: 'Summary', bot_id: fake.botId },
    });
    expect(Number(reply.ts)).toBeGreaterThan(Number(first.ts));
    expect(reply.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.thread('C0LIC', first.ts ?? '').map((m) => m.text)).toEqual(['Details']);
    expect(fake.calls[0]?.args.blocks).toEqual([section('Summary')]);

    const dm = await client.conversations.open({ users: USER });
    expect(dm.channel?.id).toBe(fake.dmChannelOf(USER));
    const direct = await client.chat.postMessage({ channel: USER, text: 'Hi' });
    expect(direct.channel).toBe(fake.dmChannelOf(USER));
    expect(fake.messages(fake.dmChannelOf(USER))).toHaveLength(1);
  });

  it("rejects messages Slack rejects, with Slack's error names", async () => {
    expect(await slackError(client.chat.postMessage({ channel: '', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'C0LIC', text: '' }))).toBe('no_text');
    const tooMany = Array.from({ length: 51 }, (_, i) => section(`row ${i}`));
    expect(await slackError(client.chat.postMessage({ channel: 'C0LIC', text: 'x', blocks: tooMany }))).toBe(
      'invalid_blocks',
    );
    const duplicate = client.chat.postMessage({
      channel: 'C0LIC',
      text: 'x',
      blocks: [section('a', 'same'), section('b', 'same')],
    });
    expect(await slackError(duplicate)).toBe('invalid_blocks');
    expect(fake.calls.at(-1)?.response.response_metadata).toEqual({
      messages: ["[ERROR] duplicate block_id 'same' (first at /blocks/0) [json-pointer:/blocks/1/block_id]"],
    });
    fake.setChannelError('C0PRIVATE', 'not_in_channel');
    expect(await slackError(client.chat.postMessage({ channel: 'C0PRIVATE', text: 'x' }))).toBe(
      'not_in_channel',
    );
    expect(fake.messages()).toEqual([]);
  });

  it.runIf(withSchema)('rejects blocks the Block Kit schema refuses, naming the field', async () => {
    const bad = client.chat.postMessage({
      channel: 'C0LIC',
      text: 'x',
      blocks: [section('x'.repeat(3001))],
    });
    expect(await slackError(bad)).toBe('invalid_blocks');
    expect(fake.calls.at(-1)?.response.response_metadata).toEqual({
      messages: ['[ERROR] must NOT have more than 3000 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(fake.messages()).toEqual([]);
  });

  it('updates messages in place and enforces chat.update rules', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0LIC', text: 'Running' });
    const ts = posted.ts ?? '';
    expect(await slackError(client.chat.update({ channel: 'C0LIC', ts: '1.000001', text: 'x' }))).toBe(
      'message_not_found',
    );
    expect(await slackError(client.chat.update({ channel: 'C0LIC', ts, text: 'x'.repeat(4001) }))).toBe(
      'msg_too_long',
    );
    await client.chat.update({ channel: 'C0LIC', ts, text: 'Done', blocks: [section('Done')] });
    expect(fake.message('C0LIC', ts)).toMatchObject({ text: 'Done', edits: 1, blocks: [section('Done')] });
    await client.chat.update({ channel: 'C0LIC', ts, text: 'Plain', blocks: [] });
    expect(fake.message('C0LIC', ts)).toMatchObject({ text: 'Plain', edits: 2, blocks: [] });
    await client.chat.postEphemeral({ channel: 'C0LIC', user: USER, text: 'Only you' });
    expect(fake.ephemerals()).toMatchObject([{ channel: 'C0LIC', user: USER, text: 'Only you' }]);
  });

  it('links a message with chat.getPermalink, its thread for a reply, as Slack answers', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0LIC', text: 'Summary' });
    const ts = posted.ts ?? '';
    const reply = await client.chat.postMessage({ channel: 'C0LIC', thread_ts: ts, text: 'Line' });
    const linked = await client.chat.getPermalink({ channel: 'C0LIC', message_ts: ts });
    expect(linked).toMatchObject({ ok: true, channel: 'C0LIC' });
    expect(linked.permalink).toBe(`https://fake.slack.com/archives/C0LIC/p${ts.replace('.', '')}`);
    const replyLink = await client.chat.getPermalink({ channel: 'C0LIC', message_ts: reply.ts ?? '' });
    expect(replyLink.permalink).toContain(`?thread_ts=${encodeURIComponent(ts)}&cid=C0LIC`);
    expect(await slackError(client.chat.getPermalink({ channel: 'C0LIC', message_ts: '1.000001' }))).toBe(
      'message_not_found',
    );
    expect(
      await slackError(
        client.chat.getPermalink({ channel: 'C0LIC' } as { channel: string; message_ts: string }),
      ),
    ).toBe('message_not_found');
    expect(
      await slackError(
        client.chat.getPermalink({ message_ts: ts } as { channel: string; message_ts: string }),
      ),
    ).toBe('channel_not_found');
  });

  it('opens modals only with a fresh trigger id', async () => {
    let now = 1_000_000;
    const clocked = await startSlackFake({ now: () => now });
    const clockedClient = new WebClient(clocked.botToken, {
      slackApiUrl: clocked.url,
      retryConfig: { retries: 0 },
    });
    try {
      expect(await slackError(clockedClient.views.open({ trigger_id: '1.2.abc', view: modal() }))).toBe(
        'invalid_trigger_id',
      );
      const trigger = clocked.issueTriggerId(USER);
      const opened = await clockedClient.views.open({ trigger_id: trigger, view: modal() });
      expect(opened.view).toMatchObject({
        id: expect.stringMatching(/^V/),
        callback_id: 'step',
        state: { values: {} },
      });
      expect(await slackError(clockedClient.views.open({ trigger_id: trigger, view: modal() }))).toBe(
        'exchanged_trigger_id',
      );
      const late = clocked.issueTriggerId(USER);
      now += 3001;
      expect(await slackError(clockedClient.views.open({ trigger_id: late, view: modal() }))).toBe(
        'expired_trigger_id',
      );
      expect(clocked.openModalOf(USER)?.id).toBe(opened.view?.id);
    } finally {
      await clocked.close();
    }
  });

  it('rejects invalid and oversized views', async () => {
    const badTitle = modal({ title: { type: 'plain_text', text: 'A title far too long for Slack' } });
    expect(
      await slackError(client.views.open({ trigger_id: fake.issueTriggerId(USER), view: badTitle })),
    ).toBe('invalid_arguments');
    expect(fake.calls.at(-1)?.response.response_metadata).toEqual({
      messages: ['[ERROR] must NOT have more than 24 characters [json-pointer:/view/title/text]'],
    });
    const huge = modal({ blocks: Array.from({ length: 90 }, (_, i) => section('x'.repeat(2990), `b${i}`)) });
    expect(await slackError(client.views.open({ trigger_id: fake.issueTriggerId(USER), view: huge }))).toBe(
      'view_too_large',
    );
    const mismatch = modal({
      blocks: [
        {
          type: 'section',
          block_id: 'p',
          text: { type: 'mrkdwn', text: 'Pick' },
          accessory: {
            type: 'checkboxes',
            action_id: 'c',
            options: [option('a')],
            initial_options: [option('b')],
          },
        },
      ],
    });
    expect(
      await slackError(client.views.open({ trigger_id: fake.issueTriggerId(USER), view: mismatch })),
    ).toBe('invalid_arguments');
  });

  it('keeps a stack of at most 3 views', async () => {
    const root = await client.views.open({ trigger_id: fake.issueTriggerId(USER), view: modal() });
    const rootId = root.view?.id ?? '';
    const second = await client.views.push({ trigger_id: fake.issueTriggerId(USER, rootId), view: modal() });
    await client.views.push({ trigger_id: fake.issueTriggerId(USER, rootId), view: modal() });
    expect(second.view).toMatchObject({ root_view_id: rootId, previous_view_id: rootId });
    expect(
      await slackError(client.views.push({ trigger_id: fake.issueTriggerId(USER, rootId), view: modal() })),
    ).toBe('push_limit_reached');
    expect(fake.stackOf(rootId)).toHaveLength(3);
  });

  it('updates views by id or external_id and refuses stale hashes', async () => {
    const opened = await client.views.open({
      trigger_id: fake.issueTriggerId(USER),
      view: modal({ external_id: 'draft-1' }),
    });
    const id = opened.view?.id ?? '';
    const hash = opened.view?.hash ?? '';
    const updated = await client.views.update({ view_id: id, hash, view: modal({ callback_id: 'next' }) });
    expect(updated.view?.hash).not.toBe(hash);
    expect(await slackError(client.views.update({ view_id: id, hash, view: modal() }))).toBe('hash_conflict');
    expect(await slackError(client.views.update({ view_id: 'V0NOPE', view: modal() }))).toBe('not_found');
    await client.views.update({
      external_id: 'draft-1',
      view: modal({ external_id: 'draft-1', callback_id: 'third' }),
    });
    expect(fake.view(id)).toMatchObject({ callbackId: 'third', updates: 2 });
    const other = client.views.open({
      trigger_id: fake.issueTriggerId(USER),
      view: modal({ external_id: 'draft-1' }),
    });
    expect(await slackError(other)).toBe('duplicate_external_id');
    fake.closeView(id);
    expect(await slackError(client.views.update({ view_id: id, view: modal() }))).toBe('not_found');
  });

  it('publishes Home views per user', async () => {
    const home = { type: 'home' as const, blocks: [section('Recent requests')] };
    const first = await client.views.publish({ user_id: USER, view: home });
    const second = await client.views.publish({ user_id: USER, view: home, hash: first.view?.hash ?? '' });
    expect(second.view?.id).toBe(first.view?.id);
    expect(
      await slackError(client.views.publish({ user_id: USER, view: home, hash: first.view?.hash ?? '' })),
    ).toBe('hash_conflict');
    expect(fake.home(USER)?.blocks).toEqual([
      { ...section('Recent requests'), block_id: expect.any(String) },
    ]);
  });

  it('knows users and user groups', async () => {
    const info = await client.users.info({ user: USER });
    expect(info.user).toMatchObject({ id: USER, name: 'ops' });
    // Without users:read.email Slack leaves the e-mail out.
    expect(info.user?.profile?.email).toBeUndefined();
    expect(await slackError(client.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S0OPS' }))).toBe('no_such_subteam');
    fake.setUsergroup('S0OPS', [USER]);
    expect((await client.usergroups.users.list({ usergroup: 'S0OPS' })).users).toEqual([USER]);
  });

  it('answers missing_scope for a method the grant lacks', async () => {
    const narrow = await startSlackFake({ scopes: ['commands', 'chat:write'] });
    try {
      const narrowClient = new WebClient(narrow.botToken, {
        slackApiUrl: narrow.url,
        retryConfig: { retries: 0 },
      });
      expect(await slackError(narrowClient.usergroups.users.list({ usergroup: 'S1' }))).toBe('missing_scope');
    } finally {
      await narrow.close();
    }
  });

  it('receives files.uploadV2 with its bytes and destination', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0LIC', text: 'Summary' });
    const result = await client.files.uploadV2({
      channel_id: 'C0LIC',
      thread_ts: parent.ts ?? '',
      filename: 'results.csv',
      title: 'Results',
      content: 'user,product,result\nalice,E3,assigned\n',
      initial_comment: 'All results',
    });
    expect(result.ok).toBe(true);
    const [file] = fake.files();
    expect(file).toMatchObject({
      filename: 'results.csv',
      title: 'Results',
      channel: 'C0LIC',
      threadTs: parent.ts,
      initialComment: 'All results',
      completed: true,
    });
    expect(file?.content?.toString('utf8')).toBe('user,product,result\nalice,E3,assigned\n');
    expect(fake.calls.map((call) => call.method)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    expect(await slackError(client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }] }))).toBe(
      'file_not_found',
    );
  });

  it('fails or rate-limits the next call on demand', async () => {
    fake.failNext('chat.postMessage', 'is_archived');
    expect(await slackError(client.chat.postMessage({ channel: 'C0LIC', text: 'x' }))).toBe('is_archived');
    await client.chat.postMessage({ channel: 'C0LIC', text: 'x' });

    fake.rateLimitNext('chat.postMessage', 7);
    const strict = new WebClient(fake.botToken, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    await expect(strict.chat.postMessage({ channel: 'C0LIC', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
  });

  it('accepts JSON bodies and ignores a token inside them', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ token: fake.botToken, channel: 'C0LIC', text: 'x' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: false, error: 'not_authed' });
    const authed = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.botToken}` },
      body: JSON.stringify({ channel: 'C0LIC', text: 'x', blocks: [section('x')] }),
    });
    expect(await authed.json()).toMatchObject({ ok: true, channel: 'C0LIC' });
  });

  it('records response_url posts up to Slack’s five uses', async () => {
    const { id, url } = fake.issueResponseUrl();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ text: `n${i}` }) });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.responses(id)).toHaveLength(5);
  });
});
