/**
 * A local fake of the Slack Web API for tests: an HTTP server on 127.0.0.1:0 that the app reaches
 * through `SLACK_API_URL` / Bolt's `clientOptions.slackApiUrl`. It parses requests as Slack does,
 * answers with Slack's shapes and error names, rejects what Slack rejects (Block Kit rules via
 * block-kit.ts, trigger ids, view stack, hashes, sizes), keeps state and records every call.
 *
 * Besides the Web API (`POST /api/<method>`) it serves the upload URLs of `files.getUploadURLExternal`
 * (`POST /upload/<file id>`) and the `response_url`s the driver hands out (`POST /response_url/<id>`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { warmUpBlockKit } from './block-kit.js';
import { METHOD_SCOPES, METHODS } from './slack-fake/methods.js';
import type { FakeView, SlackFake, SlackFakeOptions, SlackObject } from './slack-fake/types.js';
import { isStateful, stateFieldOf, viewElements } from './slack-fake/view-state.js';
import { parseArgs, readBody, SlackMethodError, sendJson } from './slack-fake/wire.js';
import { Workspace } from './slack-fake/workspace.js';

export { METHOD_SCOPES } from './slack-fake/methods.js';
export type * from './slack-fake/types.js';
export { DEFAULT_SCOPES } from './slack-fake/workspace.js';

/** The Web API calls of one file upload (files.uploadV2): every finished request's results CSV. */
export const CSV_UPLOAD_CALLS = ['files.getUploadURLExternal', 'files.completeUploadExternal'];

/** Most POSTs Slack accepts on one `response_url`. */
const RESPONSE_URL_USES = 5;

function shift<T>(queues: Map<string, T[]>, key: string): T | undefined {
  const queue = queues.get(key);
  const value = queue?.shift();
  if (queue?.length === 0) queues.delete(key);
  return value;
}

function push<T>(queues: Map<string, T[]>, key: string, value: T): void {
  queues.set(key, [...(queues.get(key) ?? []), value]);
}

async function handleMethod(
  ws: Workspace,
  origin: string,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const at = Date.now();
  const receivedAt = ws.now();
  const body = await readBody(req);
  let args: SlackObject = {};
  const answer = (status: number, response: SlackObject, headers: SlackObject = {}) => {
    const ok = response.ok === true;
    const error = typeof response.error === 'string' ? response.error : undefined;
    ws.calls.push({ method, args, ok, ...(error !== undefined ? { error } : {}), response, at });
    sendJson(res, status, response, headers);
  };
  try {
    args = parseArgs(req.headers['content-type'], body);
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ') || auth.length <= 'Bearer '.length) {
      return answer(200, { ok: false, error: 'not_authed' });
    }
    if (auth.slice('Bearer '.length) !== ws.botToken)
      return answer(200, { ok: false, error: 'invalid_auth' });
    const handler = METHODS[method];
    if (!handler) return answer(200, { ok: false, error: 'unknown_method' });
    const retryAfter = shift(ws.rateLimits, method);
    if (retryAfter !== undefined) {
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': retryAfter });
    }
    const failure = shift(ws.failures, method);
    if (failure !== undefined) return answer(200, { ok: false, error: failure });
    const scope = METHOD_SCOPES[method];
    if (scope !== undefined && !ws.scopes.has(scope)) {
      return answer(200, {
        ok: false,
        error: 'missing_scope',
        needed: scope,
        provided: [...ws.scopes].join(','),
      });
    }
    answer(200, { ok: true, ...handler(args, ws, { origin, receivedAt }) });
  } catch (error) {
    if (!(error instanceof SlackMethodError)) throw error;
    answer(200, {
      ok: false,
      error: error.error,
      ...error.extra,
      ...(error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {}),
    });
  }
}

async function handleUpload(ws: Workspace, fileId: string, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req);
  const file = ws.files.get(fileId);
  if (!file) {
    res.writeHead(404).end('file not found');
    return;
  }
  const contentType = req.headers['content-type'] ?? '';
  let content = body;
  if (contentType.startsWith('multipart/form-data')) {
    // The SDK posts the bytes as multipart/form-data with one field named `body`.
    const form = await new Request('http://upload.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
    const part = form.get('body');
    if (part === null) {
      res.writeHead(400).end('missing field body');
      return;
    }
    content = typeof part === 'string' ? Buffer.from(part) : Buffer.from(await part.arrayBuffer());
  }
  file.content = content;
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${content.length}`);
}

async function handleResponseUrl(ws: Workspace, id: string, req: IncomingMessage, res: ServerResponse) {
  const text = (await readBody(req)).toString('utf8');
  if (ws.responses.filter((post) => post.id === id).length >= RESPONSE_URL_USES) {
    sendJson(res, 404, { ok: false, error: 'used_url' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    return;
  }
  ws.responses.push({ id, body: body as SlackObject, at: Date.now() });
  sendJson(res, 200, { ok: true });
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. Close it with `close()`. */
export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const ws = new Workspace(options);
  warmUpBlockKit();
  let origin = '';
  let responseUrlCounter = 0;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const route = (): Promise<void> => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return Promise.resolve();
      }
      if (path.startsWith('/api/')) return handleMethod(ws, origin, path.slice('/api/'.length), req, res);
      if (path.startsWith('/upload/')) return handleUpload(ws, path.slice('/upload/'.length), req, res);
      if (path.startsWith('/response_url/')) {
        return handleResponseUrl(ws, path.slice('/response_url/'.length), req, res);
      }
      res.writeHead(404).end();
      return Promise.resolve();
    };
    route().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.stack : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const mustView = (viewId: string): FakeView => {
    const view = ws.views.get(viewId);
    if (!view) throw new Error(`the Slack fake has no view ${viewId}`);
    return view;
  };

  const fake: SlackFake = {
    url: `${origin}/api/`,
    origin,
    botToken: ws.botToken,
    botUserId: ws.botUserId,
    botId: ws.botId,
    teamId: ws.teamId,
    appId: ws.appId,
    get calls() {
      return ws.calls;
    },
    callsTo: (method) => ws.calls.filter((call) => call.method === method),
    resetCalls: () => {
      ws.calls.length = 0;
    },
    unexpectedCalls: (allowed, { failedAllowed = false } = {}) =>
      ws.calls.filter((call) => !allowed.includes(call.method) || (!failedAllowed && !call.ok)),
    waitFor: async <T>(probe: () => T | undefined | false | null, timeoutMs = 2000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== false && value !== null) return value;
        if (Date.now() > deadline) throw new Error(`Slack fake: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    waitForCall: (method, count = 1, timeoutMs = 2000) =>
      fake
        .waitFor(() => fake.callsTo(method)[count - 1], timeoutMs)
        .catch(() => {
          const seen = ws.calls.map((call) => call.method).join(', ') || 'none';
          throw new Error(
            `Slack fake: call #${count} to ${method} did not arrive within ${timeoutMs} ms (calls: ${seen})`,
          );
        }),

    issueTriggerId: (userId, viewId) => ws.issueTrigger(userId, viewId),
    issueResponseUrl: () => {
      responseUrlCounter += 1;
      const id = `R${responseUrlCounter}`;
      return { id, url: `${origin}/response_url/${id}` };
    },

    view: (viewId) => ws.views.get(viewId),
    openModalOf: (userId) => ws.openModalOf(userId),
    stackOf: (viewId) => ws.stackOf(mustView(viewId)),
    viewPayload: (viewId) => ws.viewPayload(mustView(viewId)),
    home: (userId) => {
      const id = ws.homes.get(userId);
      return id === undefined ? undefined : ws.views.get(id);
    },

    messages: (channel) => ws.messages.filter((m) => channel === undefined || m.channel === channel),
    message: (channel, ts) => ws.messages.find((m) => m.channel === channel && m.ts === ts),
    thread: (channel, ts) => ws.messages.filter((m) => m.channel === channel && m.threadTs === ts),
    ephemerals: () => [...ws.ephemerals],
    files: ({ all = false } = {}) => [...ws.files.values()].filter((file) => all || file.completed),
    responses: (id) => ws.responses.filter((post) => id === undefined || post.id === id),
    dmChannelOf: (userId) => ws.dmOf(userId),

    enterValues: (viewId, values) => {
      const view = mustView(viewId);
      const elements = viewElements(view.blocks);
      const typed: Record<string, Record<string, { type: string } & SlackObject>> = {};
      for (const [blockId, actions] of Object.entries(values)) {
        for (const [actionId, value] of Object.entries(actions)) {
          const found = elements.find((e) => e.blockId === blockId && e.actionId === actionId);
          const type = typeof found?.element.type === 'string' ? found.element.type : undefined;
          if (!found || type === undefined || !isStateful(type)) {
            throw new Error(`view ${viewId} has no stateful element ${blockId}/${actionId}`);
          }
          const field = stateFieldOf(type);
          if (field !== undefined && !(field in value)) {
            throw new Error(`${blockId}/${actionId} is a ${type}: its value goes in '${field}'`);
          }
          typed[blockId] = { ...typed[blockId], [actionId]: { ...value, type } };
        }
      }
      ws.enter(view, typed);
    },
    replaceView: (viewId, view) => ws.replaceView(mustView(viewId), view),
    pushView: (viewId, view) => ws.pushView(mustView(viewId), view),
    closeView: (viewId) => ws.closeView(mustView(viewId)),
    clearModal: (viewId) => ws.clearModal(mustView(viewId)),

    addUser: (user) => {
      ws.users.set(user.id, user);
    },
    setUsergroup: (id, userIds) => {
      ws.usergroups.set(id, [...userIds]);
    },
    setChannelError: (channel, error) => {
      if (error === undefined) ws.channelErrors.delete(channel);
      else ws.channelErrors.set(channel, error);
    },
    failNext: (method, error) => push(ws.failures, method, error),
    rateLimitNext: (method, seconds) => push(ws.rateLimits, method, seconds),

    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
