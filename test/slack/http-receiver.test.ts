/**
 * The HTTP edge on its own: a SlackHttpReceiver in front of a stand-in for Bolt's App that
 * records what reaches it, so each test says exactly what may pass and how it is answered.
 */
import { request } from 'node:http';
import { type App, type ReceiverEvent, ReceiverMultipleAckError } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { LicensingService } from '../../src/licensing/licensing-service.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { retryOf } from '../../src/slack/envelope.js';
import {
  MAX_BODIES_IN_FLIGHT,
  MAX_BODY_BYTES,
  type Readiness,
  SlackHttpReceiver,
  type SlackHttpReceiverOptions,
} from '../../src/slack/http-receiver.js';
import { requestLabel } from '../../src/slack/request-log.js';
import type { Store, StoreHealth } from '../../src/store/store.js';
import { RecordingLogger, testTenant } from '../support/app-harness.js';
import { signRequest } from '../support/slack-driver.js';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';

const SECRET = 'receiver-test-secret';
const FORM = 'application/x-www-form-urlencoded';

type Processor = (event: ReceiverEvent) => Promise<void>;

interface Edge {
  receiver: SlackHttpReceiver;
  logger: RecordingLogger;
  url: string;
  origin: string;
  /** Every event that reached the app. */
  events: ReceiverEvent[];
}

const started: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const one of started.splice(0)) await one.stop();
});

async function startEdge(
  process: Processor = async (event) => {
    await event.ack();
  },
  options: Partial<SlackHttpReceiverOptions> = {},
): Promise<Edge> {
  const logger = new RecordingLogger();
  const receiver = new SlackHttpReceiver({ signingSecret: SECRET, logger, ...options });
  const events: ReceiverEvent[] = [];
  const app = {
    logger,
    processEvent: async (event: ReceiverEvent) => {
      events.push(event);
      await process(event);
    },
  };
  receiver.init(app as unknown as App);
  await receiver.start(0);
  started.push(receiver);
  const origin = `http://127.0.0.1:${receiver.port()}`;
  return { receiver, logger, url: `${origin}/slack/events`, origin, events };
}

const now = () => Math.floor(Date.now() / 1000);

function signedPost(url: string, body: string, contentType = FORM, timestamp = now(), extra = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signRequest(SECRET, body, timestamp), ...extra },
    body,
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payloadBody = (payload: unknown) => form({ payload: JSON.stringify(payload) });

const command = {
  command: '/licenses',
  user_id: 'U0OPS',
  team_id: 'T0TEAM',
  channel_id: 'C0LIC',
  trigger_id: '1.2.abc',
  text: 'Contoso',
};
const view = {
  id: 'V0VIEW',
  type: 'modal',
  callback_id: 'licenses_users',
  blocks: [{ type: 'section', block_id: 'b1' }],
  private_metadata: '{"draftId":"drf_abcdefgh23"}',
  state: { values: {} },
};
const click = {
  type: 'block_actions',
  user: { id: 'U0OPS' },
  team: { id: 'T0TEAM' },
  trigger_id: '1.2.abc',
  container: { type: 'view', view_id: 'V0VIEW' },
  view,
  actions: [{ type: 'button', action_id: 'page_next', block_id: 'browse_nav', value: '1' }],
};

/**
 * A POST whose headers go out at once and whose body is written by `write`; resolves with the
 * status as soon as the response arrives (whether or not the body was all sent).
 */
function postByHand(
  url: string,
  headers: Record<string, string>,
  write: (req: ReturnType<typeof request>) => void,
): Promise<{ status: number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers });
    let closedResolve: () => void = () => {};
    const closed = new Promise<void>((done) => {
      closedResolve = done;
    });
    req.on('close', () => closedResolve());
    req.on('error', () => closedResolve());
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, closed });
    });
    req.on('error', reject);
    req.flushHeaders();
    write(req);
  });
}

describe('body size', () => {
  it('refuses a declared Content-Length over the cap with 413 before reading the body', async () => {
    const edge = await startEdge();
    const body = 'payload=x';
    const answer = await postByHand(
      edge.url,
      {
        'content-type': FORM,
        'content-length': String(MAX_BODY_BYTES + 1),
        ...signRequest(SECRET, body, now()),
      },
      (req) => req.write(body),
    );
    expect(answer.status).toBe(413);
    await answer.closed;
    expect(edge.events).toEqual([]);
  });

  it('stops reading a streamed body as soon as it passes the cap: 413 and the connection is closed', async () => {
    const edge = await startEdge();
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let written = 0;
    const answer = await postByHand(
      edge.url,
      { 'content-type': FORM, 'transfer-encoding': 'chunked', ...signRequest(SECRET, 'x', now()) },
      (req) => {
        // Writes until the answer comes (or 8 MiB), never ending the request.
        const pump = () => {
          while (written < 8 * MAX_BODY_BYTES && !req.destroyed) {
            written += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
        };
        pump();
      },
    );
    expect(answer.status).toBe(413);
    await answer.closed;
    expect(written).toBeLessThan(8 * MAX_BODY_BYTES);
    expect(edge.events).toEqual([]);
  });

  it('lets unsigned requests send only a few KB (an ssl_check is all Slack sends unsigned)', async () => {
    const edge = await startEdge();
    const big = `ssl_check=1&token=${'x'.repeat(8 * 1024)}`;
    const refused = await fetch(edge.url, { method: 'POST', headers: { 'content-type': FORM }, body: big });
    expect(refused.status).toBe(413);
    const check = await fetch(edge.url, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'ssl_check=1&token=legacy',
    });
    expect(check.status).toBe(200);
    const unsigned = await fetch(edge.url, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: form(command),
    });
    expect(unsigned.status).toBe(401);
    expect(edge.events).toEqual([]);
  });
});

describe('bodies in flight', () => {
  it(`answers 503 at once above the bound (${MAX_BODIES_IN_FLIGHT} by default) and serves again once bodies are in`, async () => {
    const edge = await startEdge(undefined, { maxBodiesInFlight: 2 });
    const body = form(command);
    const headers = {
      'content-type': FORM,
      'content-length': String(body.length),
      ...signRequest(SECRET, body, now()),
    };
    // Two slow clients: headers sent, half of the body, then nothing.
    const slow = [0, 1].map(() => {
      let finish: () => void = () => {};
      const answered = postByHand(edge.url, headers, (req) => {
        req.write(body.slice(0, 10));
        finish = () => req.end(body.slice(10));
      });
      return { answered, finish: () => finish() };
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const third = await signedPost(edge.url, body);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(performance.now() - started).toBeLessThan(500);

    for (const client of slow) client.finish();
    expect((await Promise.all(slow.map((client) => client.answered))).map((a) => a.status)).toEqual([
      200, 200,
    ]);
    expect((await signedPost(edge.url, body)).status).toBe(200);
    expect(edge.events).toHaveLength(3);
  });

  it('gives a slow body a time limit: 408', async () => {
    const edge = await startEdge(undefined, { bodyTimeoutMs: 200 });
    const body = form(command);
    const answer = await postByHand(
      edge.url,
      { 'content-type': FORM, 'content-length': String(body.length), ...signRequest(SECRET, body, now()) },
      (req) => req.write(body.slice(0, 5)),
    );
    expect(answer.status).toBe(408);
    expect(edge.events).toEqual([]);
  });
});

describe('signature', () => {
  it('refuses timestamps more than 5 minutes in the past or in the future, and accepts them within', async () => {
    const edge = await startEdge();
    const body = form(command);
    // 30 s either side of the 5-minute edge: a loaded machine may take seconds to answer, and a
    // timestamp 10 s inside the edge was once refused in a busy run.
    expect((await signedPost(edge.url, body, FORM, now() - 330)).status).toBe(401);
    expect((await signedPost(edge.url, body, FORM, now() + 330)).status).toBe(401);
    expect((await signedPost(edge.url, body, FORM, now() + 3600)).status).toBe(401);
    expect(edge.events).toEqual([]);
    expect((await signedPost(edge.url, body, FORM, now() - 270)).status).toBe(200);
    expect((await signedPost(edge.url, body, FORM, now() + 270)).status).toBe(200);
    expect(edge.events).toHaveLength(2);
  });

  // The last hex digit changed, always to another one (replacing it by a fixed '0' left one
  // signature in 16 unchanged, and the test then failed by chance).
  const lastCharChanged = (signature: string) =>
    `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;

  it('refuses a wrong, missing or malformed signature with 401', async () => {
    const edge = await startEdge();
    const body = form(command);
    const good = signRequest(SECRET, body, now());
    const post = (headers: Record<string, string>) =>
      fetch(edge.url, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
    const statuses = [
      await post(signRequest('another-secret', body, now())),
      await post({ ...good, 'X-Slack-Signature': lastCharChanged(good['X-Slack-Signature'] ?? '') }),
      await post({ 'X-Slack-Request-Timestamp': String(now()) }),
      await post({ ...good, 'X-Slack-Signature': 'v1=abc' }),
      await post({ ...good, 'X-Slack-Request-Timestamp': `${now()}.5` }),
      await fetch(edge.url, {
        method: 'POST',
        headers: { 'content-type': FORM, ...good },
        body: `${body}&text=tampered`,
      }),
    ].map((response) => response.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(edge.events).toEqual([]);
    expect(edge.logger.lines.filter((line) => line.level === 'warn')).toHaveLength(6);
  });
});

describe('envelope', () => {
  it('answers url_verification with its challenge and ssl_check with 200, without the app', async () => {
    const edge = await startEdge();
    const verification = await signedPost(
      edge.url,
      JSON.stringify({ type: 'url_verification', token: 't', challenge: 'c-123' }),
      'application/json',
    );
    expect(verification.status).toBe(200);
    expect(await verification.json()).toEqual({ challenge: 'c-123' });
    expect((await signedPost(edge.url, 'ssl_check=1&token=t')).status).toBe(200);
    expect(edge.events).toEqual([]);
  });

  it('refuses malformed but signed requests with 400 before the app sees them', async () => {
    const edge = await startEdge();
    const { user: _user, ...noUser } = click;
    const malformed: [string, string, string?][] = [
      ['payload=null', form({ payload: 'null' })],
      ['payload=42', form({ payload: '42' })],
      ['payload=[]', form({ payload: '[]' })],
      ['payload="x"', form({ payload: '"block_actions"' })],
      ['payload not JSON', form({ payload: '{"type":' })],
      ['no user', payloadBody(noUser)],
      ['user.id a number', payloadBody({ ...click, user: { id: 42 } })],
      ['user null', payloadBody({ ...click, user: null })],
      ['unknown type', payloadBody({ ...click, type: 'shortcut' })],
      ['type a number', payloadBody({ ...click, type: 7 })],
      ['block_id a number', payloadBody({ ...click, actions: [{ ...click.actions[0], block_id: 3 }] })],
      ['no actions', payloadBody({ ...click, actions: [] })],
      ['view null', payloadBody({ ...click, type: 'view_submission', view: null })],
      ['view.blocks null', payloadBody({ ...click, view: { ...view, blocks: null } })],
      [
        'a block id an object',
        payloadBody({ ...click, view: { ...view, blocks: [{ type: 'input', block_id: {} }] } }),
      ],
      ['state.values a string', payloadBody({ ...click, view: { ...view, state: { values: 'x' } } })],
      ['channel null', payloadBody({ ...click, channel: null })],
      ['response_urls null', payloadBody({ ...click, response_urls: null })],
      ['an event inside an interaction', payloadBody({ ...click, event: 5 })],
      ['a __proto__ key', form({ payload: `{"__proto__":{"x":1},${JSON.stringify(click).slice(1)}` })],
      ['command without trigger_id', form({ ...command, trigger_id: '' })],
      ['command without user_id', form({ command: '/licenses', team_id: 'T', trigger_id: 't' })],
      ['command field twice', `${form(command)}&command=%2Fother`],
      ['command with an event field', form({ ...command, event: 'x' })],
      ['JSON of an unknown type', JSON.stringify({ type: 'something_else' }), 'application/json'],
      ['JSON null', 'null', 'application/json'],
      [
        'event without user',
        JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened' } }),
        'application/json',
      ],
      [
        'event with channel an object',
        JSON.stringify({
          type: 'event_callback',
          event: { type: 'app_home_opened', user: 'U1', channel: {} },
        }),
        'application/json',
      ],
      ['text/plain', 'hello', 'text/plain'],
    ];
    const answers: Record<string, number> = {};
    for (const [name, body, contentType] of malformed) {
      answers[name] = (await signedPost(edge.url, body, contentType)).status;
    }
    expect(answers).toEqual(Object.fromEntries(malformed.map(([name]) => [name, 400])));
    expect(edge.events).toEqual([]);
    const warnings = edge.logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(malformed.length);
    // One line each, no stack.
    expect(warnings.every((line) => !line.text.includes('\n    at '))).toBe(true);
  });

  it('passes a command without text on with an empty text, and events it does not subscribe to are acked without the app', async () => {
    const edge = await startEdge();
    const { text: _text, ...noText } = command;
    expect((await signedPost(edge.url, form(noText))).status).toBe(200);
    expect(edge.events[0]?.body).toMatchObject({ command: '/licenses', text: '' });
    const other = JSON.stringify({
      type: 'event_callback',
      event: { type: 'member_joined_channel', user: 5 },
    });
    expect((await signedPost(edge.url, other, 'application/json')).status).toBe(200);
    expect(edge.events).toHaveLength(1);
  });

  it('passes the retry headers through', async () => {
    const edge = await startEdge();
    const body = JSON.stringify({
      type: 'event_callback',
      event: { type: 'app_home_opened', user: 'U1', tab: 'home' },
    });
    await signedPost(edge.url, body, 'application/json', now(), {
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(edge.events[0]).toMatchObject({ retryNum: 2, retryReason: 'http_timeout' });
  });
});

describe('ack', () => {
  it('writes the first ack: JSON for an object, text for a string, empty for nothing; a second ack throws', async () => {
    const answers: unknown[] = [{ response_action: 'errors', errors: { b: 'no' } }, 'plain reply', undefined];
    const seconds: string[] = [];
    const edge = await startEdge(async (event) => {
      await event.ack(answers.shift());
      await event
        .ack()
        .catch((error: Error) =>
          seconds.push(error instanceof ReceiverMultipleAckError ? 'multiple ack' : String(error)),
        );
    });
    const json = await signedPost(edge.url, payloadBody({ ...click, type: 'view_submission' }));
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ response_action: 'errors', errors: { b: 'no' } });
    const text = await signedPost(edge.url, form(command));
    expect(await text.text()).toBe('plain reply');
    const empty = await signedPost(edge.url, payloadBody(click));
    expect([empty.status, await empty.text()]).toEqual([200, '']);
    expect(seconds).toEqual(['multiple ack', 'multiple ack', 'multiple ack']);
  });

  it('answers 404 after the deadline when nobody acks, and at once when the app is done without an ack', async () => {
    const edge = await startEdge(
      (event) => (event.body.type === 'block_actions' ? new Promise(() => {}) : Promise.resolve()),
      { ackTimeoutMs: 300 },
    );
    let started = performance.now();
    expect((await signedPost(edge.url, payloadBody(click))).status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(edge.logger.errors().join('\n')).toContain('not acknowledged within 300 ms');

    started = performance.now();
    expect((await signedPost(edge.url, form({ ...command, command: '/unknown' }))).status).toBe(404);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('answers 500 when the app throws before an ack, keeps the 200 when it throws after, and logs both', async () => {
    const edge = await startEdge(async (event) => {
      if (event.body.type === 'block_actions') await event.ack();
      throw new TypeError('listener broke');
    });
    expect((await signedPost(edge.url, form(command))).status).toBe(500);
    expect((await signedPost(edge.url, payloadBody(click))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const errors = edge.logger.errors();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('command /licenses failed in Bolt: TypeError: listener broke');
    expect(errors[1]).toContain(
      'block_actions page_next failed in Bolt after its ack: TypeError: listener broke',
    );
  });
});

describe('health routes', () => {
  it('serves /healthz, /readyz from the readiness callback, and 404 elsewhere', async () => {
    let readiness: Readiness | Error = { ready: true };
    const edge = await startEdge(undefined, {
      readiness: async () => {
        if (readiness instanceof Error) throw readiness;
        return readiness;
      },
    });
    const get = async (path: string) => {
      const response = await fetch(`${edge.origin}${path}`);
      return [response.status, await response.text()];
    };
    expect(await get('/healthz')).toEqual([200, 'ok']);
    expect(await get('/readyz')).toEqual([200, 'ready']);
    readiness = { ready: false, reason: 'store cannot write: EROFS' };
    expect(await get('/readyz')).toEqual([503, 'store cannot write: EROFS']);
    readiness = new Error('probe broke');
    expect(await get('/readyz')).toEqual([503, 'readiness check failed: probe broke']);
    expect(await get('/healthz')).toEqual([200, 'ok']);
    expect((await get('/nowhere'))[0]).toBe(404);
    expect((await fetch(edge.url)).status).toBe(404);
  });

  it('is ready by default', async () => {
    const edge = await startEdge();
    expect((await fetch(`${edge.origin}/readyz`)).status).toBe(200);
  });
});

describe('createSlackApp in HTTP mode', () => {
  let fake: SlackFake | undefined;
  let slack: SlackApp | undefined;
  afterEach(async () => {
    await slack?.stop();
    await fake?.close();
    slack = undefined;
    fake = undefined;
  });

  it('uses this receiver: /readyz follows the store, and port() works after a start on port 0', async () => {
    fake = await startSlackFake();
    let health: StoreHealth = { writable: true, since: new Date(0).toISOString() };
    // Only health() is reached before a request arrives.
    const store = { health: () => health } as unknown as Store;
    const config = loadConfig({
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      PORT: '0',
      DATA_DIR: '/nonexistent',
    });
    const service = new LicensingService({
      provider: new DemoProvider({ data: testTenant() }),
      store,
      approvalRevokeThreshold: 10,
      approvalTtlHours: 24,
    });
    slack = createSlackApp(config, { service, store, logger: new RecordingLogger() });
    await slack.start();
    const origin = `http://127.0.0.1:${slack.port()}`;
    expect(slack.port()).toBeGreaterThan(0);
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    health = { writable: false, since: new Date().toISOString(), error: 'ENOSPC: no space left on device' };
    const notReady = await fetch(`${origin}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([
      503,
      'store cannot write: ENOSPC: no space left on device',
    ]);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  });
});

describe('what the receiver reads for Bolt and its logs', () => {
  it('passes a retry number of one to three digits and a retry reason cut to 100 characters', () => {
    expect(retryOf({ 'x-slack-retry-num': '3', 'x-slack-retry-reason': 'http_error' })).toEqual({
      retryNum: 3,
      retryReason: 'http_error',
    });
    expect(retryOf({ 'x-slack-retry-num': '1000' }).retryNum).toBeUndefined();
    expect(retryOf({ 'x-slack-retry-num': '2x' }).retryNum).toBeUndefined();
    expect(retryOf({ 'x-slack-retry-reason': 'r'.repeat(300) }).retryReason).toHaveLength(100);
    expect(retryOf({})).toEqual({ retryNum: undefined, retryReason: undefined });
  });

  it('labels a request by its type and what it is about, never by its content', () => {
    expect(requestLabel({ command: '/licenses', text: 'secret' })).toBe('command /licenses');
    expect(requestLabel({ type: 'block_actions', actions: [{ action_id: 'page_next', value: 'x' }] })).toBe(
      'block_actions page_next',
    );
    expect(requestLabel({ type: 'view_submission', view: { callback_id: 'licenses_manage' } })).toBe(
      'view_submission licenses_manage',
    );
    expect(requestLabel({ type: 'event_callback', event: { type: 'app_home_opened' } })).toBe(
      'event_callback app_home_opened',
    );
    expect(requestLabel({})).toBe('request');
  });
});
