/**
 * Thousands of validly signed, malformed requests from a fixed seed, sent over HTTP to the whole
 * app (app harness + approval harness): junk payloads, and real payloads captured from the flow
 * (a pending approval, drafts at the customer, users and licenses steps) each given at least one
 * defect the app must refuse. The app must answer every one below 500, keep serving, log no
 * error, change nothing in the store and make no Web API call beyond telling the clicker no.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { refusals } from '../../src/slack/access.js';
import { STORE_FILE_NAME } from '../../src/store/lowdb-store.js';
import {
  chooseCustomer,
  click,
  current,
  openLicenses,
  pageUserIds,
  pickUsers,
  tickPage,
  toLicenses,
} from '../e2e/flow.js';
import { type AppHarness, OPERATOR, SIGNING_SECRET, TEST_CUSTOMERS } from '../support/app-harness.js';
import {
  APPROVER_A,
  type ApprovalHarness,
  approvalClickBody,
  STRANGER,
  startApprovalHarness,
  submitForApproval,
} from '../support/approval-harness.js';
import { createSlackDriver } from '../support/slack-driver.js';

const SEED = 0x5eed_2024;
const CASES = 3300;
const CONCURRENCY = 16;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** mulberry32: a small seeded generator, so every run sends the same requests. */
class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NASTY_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];

/** Any JSON value but a string (for fields that must be strings). */
function junkNonString(r: Random, depth = 0): Json {
  const kinds = depth > 2 ? 6 : 9;
  switch (r.int(kinds)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 3.5, 1e21, -0, Number.MAX_SAFE_INTEGER]);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return r.int(1000);
    case 6:
      return Array.from({ length: 1 + r.int(3) }, () => junk(r, depth + 1));
    case 7:
      return {
        [r.pick([...NASTY_KEYS.filter((k) => k !== '__proto__'), 'id', 'value', 'x'])]: junk(r, depth + 1),
      };
    default:
      return { id: junk(r, depth + 1), type: junk(r, depth + 1) };
  }
}

function junkString(r: Random): string {
  return r.pick([
    '',
    ' ',
    'x',
    ...NASTY_KEYS,
    'null',
    '{"',
    '%00',
    '\u0000\uffff',
    '😀'.repeat(50),
    'a'.repeat(300),
    'b'.repeat(5000),
  ]);
}

function junk(r: Random, depth = 0): Json {
  return r.chance(0.3) ? junkString(r) : junkNonString(r, depth);
}

/** Any JSON value but an object (for fields that must be objects). */
function junkNonObject(r: Random): Json {
  return r.pick<Json>([null, 0, 1, true, false, '', 'U0OPERATOR', [], [{ id: 'U0OPERATOR' }], junkString(r)]);
}

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const asObject = (value: Json | undefined): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;

interface FuzzCase {
  kind: string;
  body: string;
  contentType: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const formOf = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * Defects that make an interaction payload one the app must refuse, whatever else it holds;
 * null when the defect does not apply to this payload.
 */
const fatalDefects: Record<string, (p: JsonObject, r: Random) => JsonObject | string | null> = {
  'no user': (p) => {
    delete p.user;
    return p;
  },
  'user not an object': (p, r) => ({ ...p, user: junkNonObject(r) }),
  'user.id not a string': (p, r) => ({ ...p, user: { ...asObject(p.user), id: junkNonString(r) } }),
  'user.id empty or huge': (p, r) => ({
    ...p,
    user: { ...asObject(p.user), id: r.pick(['', 'U'.repeat(300)]) },
  }),
  'draft id not a draft id': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined) return null;
    const draftId = r.pick<Json>([
      ...NASTY_KEYS,
      'drf_1',
      'DRF_ABCDEFGHIJ',
      `drf_${'a'.repeat(2500)}`,
      7,
      null,
      [],
    ]);
    const meta = asObject(JSON.parse(String(view.private_metadata ?? '{}')) as Json) ?? {};
    return { ...p, view: { ...view, private_metadata: JSON.stringify({ ...meta, draftId }) } };
  },
  'draft id of no draft': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined) return null;
    const draftId = `drf_${Array.from({ length: 10 }, () => r.pick([...'abcdefghijklmnopqrstuvwxyz234567'])).join('')}`;
    return { ...p, view: { ...view, private_metadata: JSON.stringify({ draftId }) } };
  },
  'metadata junk': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined) return null;
    return {
      ...p,
      view: {
        ...view,
        private_metadata: r.pick<Json>(['not json', '{', 'null', '[]', '5', '', 5, null, 'x'.repeat(3001)]),
      },
    };
  },
  'view not an object': (p, r) =>
    p.type === 'block_suggestion' && p.view === undefined ? null : { ...p, view: junkNonObject(r) },
  'view.blocks not a list': (p, r) => {
    const view = asObject(p.view);
    return view === undefined
      ? null
      : { ...p, view: { ...view, blocks: r.pick<Json>([null, 5, 'blocks', {}, true]) } };
  },
  'a block not an object': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined || !Array.isArray(view.blocks)) return null;
    const blocks = [...view.blocks];
    blocks.splice(r.int(blocks.length + 1), 0, junkNonObject(r));
    return { ...p, view: { ...view, blocks } };
  },
  'a block id not a string': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined || !Array.isArray(view.blocks) || view.blocks.length === 0) return null;
    const blocks = view.blocks.map((block) => clone(block));
    const index = r.int(blocks.length);
    blocks[index] = { ...asObject(blocks[index]), block_id: junkNonString(r) };
    return { ...p, view: { ...view, blocks } };
  },
  'view id or callback id not a string': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined) return null;
    return { ...p, view: { ...view, [r.pick(['id', 'callback_id'])]: junkNonString(r) } };
  },
  'state of the wrong shape': (p, r) => {
    const view = asObject(p.view);
    if (view === undefined) return null;
    const state = r.pick<Json>([
      junkNonObject(r),
      { values: junkNonObject(r) },
      { values: { b: junkNonObject(r) } },
      { values: { b: { a: junkNonObject(r) } } },
      { values: { b: { a: {} } } },
      { values: { b: { a: { type: junkNonString(r) } } } },
    ]);
    return { ...p, view: { ...view, state } };
  },
  'actions of the wrong shape': (p, r) =>
    p.type !== 'block_actions'
      ? null
      : { ...p, actions: r.pick<Json>([junkNonObject(r), [], [junkNonObject(r)]]) },
  'action value of the wrong type': (p, r) => {
    if (!Array.isArray(p.actions)) return null;
    const [first, ...rest] = p.actions;
    return {
      ...p,
      actions: [
        { ...asObject(first), value: r.pick<Json>([5, true, {}, [], ['1'], { page: 1 }, 1.5]) },
        ...rest,
      ],
    };
  },
  'action ids not strings': (p, r) => {
    if (!Array.isArray(p.actions)) return null;
    const [first, ...rest] = p.actions;
    return {
      ...p,
      actions: [{ ...asObject(first), [r.pick(['action_id', 'block_id'])]: junkNonString(r) }, ...rest],
    };
  },
  'selected options of the wrong shape': (p, r) => {
    if (!Array.isArray(p.actions)) return null;
    const [first, ...rest] = p.actions;
    // Anything but a list of options with string values ([] is a real value: nothing selected).
    const selected = r.pick<Json>([
      null,
      5,
      'x',
      true,
      {},
      [null],
      [5],
      ['u1'],
      [{ value: junkNonString(r) }],
    ]);
    return { ...p, actions: [{ ...asObject(first), selected_options: selected }, ...rest] };
  },
  'suggestion of the wrong shape': (p, r) =>
    p.type !== 'block_suggestion'
      ? null
      : { ...p, [r.pick(['value', 'action_id', 'block_id'])]: junkNonString(r) },
  'unknown or missing type': (p, r) => {
    const type = r.pick<Json | undefined>([
      'shortcut',
      'message_action',
      'interactive_message',
      'dialog_submission',
      'workflow_step_edit',
      'view_submission ',
      'BLOCK_ACTIONS',
      undefined,
      junkNonString(r),
    ]);
    const changed = { ...p };
    if (type === undefined) delete changed.type;
    else changed.type = type;
    return changed;
  },
  'a field that changes the kind': (p, r) => ({
    ...p,
    [r.pick(['event', 'command', 'function_data', 'bot_access_token'])]: r.pick<Json>([
      junk(r),
      { type: 'message' },
      'x',
    ]),
  }),
  'channel, team or response_urls of the wrong shape': (p, r) => ({
    ...p,
    [r.pick(['channel', 'team', 'enterprise', 'response_urls', 'container'])]: r.pick<Json>([
      5,
      'x',
      true,
      {},
      [5],
      { id: 5 },
    ]),
  }),
  'a __proto__ key': (p, r) => {
    const inner = JSON.stringify({ user: { id: STRANGER }, view: { blocks: [] }, type: 'block_actions' });
    const text = JSON.stringify(p);
    return r.chance(0.5)
      ? `{"__proto__":${inner},${text.slice(1)}`
      : `${text.slice(0, -1)},"__proto__":${inner}}`;
  },
};

/** Changes that by themselves are harmless (unknown fields, optional fields gone, no state). */
function addNoise(p: JsonObject, r: Random): JsonObject {
  const changed = { ...p };
  for (let i = r.int(3); i > 0; i -= 1) {
    const what = r.int(4);
    if (what === 0) changed[`x_${r.int(100)}`] = junk(r);
    if (what === 1)
      delete changed[r.pick(['token', 'api_app_id', 'trigger_id', 'is_enterprise_install', 'response_url'])];
    const view = asObject(changed.view);
    if (what === 2 && view !== undefined) {
      const { state: _state, hash: _hash, ...rest } = view;
      changed.view = rest;
    }
    if (what === 3 && view !== undefined) changed.view = { ...view, [`x_${r.int(100)}`]: junk(r) };
  }
  return changed;
}

function mutatedInteraction(captured: readonly JsonObject[], r: Random): FuzzCase {
  const names = Object.keys(fatalDefects);
  for (;;) {
    const base = addNoise(clone(r.pick(captured)), r);
    const name = r.pick(names);
    const defect = fatalDefects[name];
    const changed = defect?.(base, r);
    if (changed === null || changed === undefined) continue;
    const body = typeof changed === 'string' ? changed : JSON.stringify(changed);
    return { kind: `${String(base.type)}: ${name}`, body: formOf({ payload: body }), contentType: FORM };
  }
}

function junkPayload(r: Random): FuzzCase {
  const payload = r.pick<string>([
    'null',
    'true',
    '0',
    '42',
    '-1.5e300',
    '"block_actions"',
    '[]',
    '[{"type":"block_actions"}]',
    '{}',
    '{"type":"block_actions"}',
    '{"type":"view_submission","user":{"id":"U0OPERATOR"}}',
    '{"type":',
    '',
    'payload',
    JSON.stringify(junkNonObject(r)),
    JSON.stringify(junk(r)),
  ]);
  return { kind: `payload=${payload.slice(0, 20)}`, body: formOf({ payload }), contentType: FORM };
}

function malformedCommand(base: Record<string, string>, r: Random): FuzzCase {
  const fields: Record<string, string> = { ...base };
  const defect = r.int(10);
  let kind: string;
  switch (defect) {
    case 0: {
      kind = 'command by someone who is no operator';
      fields.user_id = r.pick([STRANGER, 'U0SOMEONE', 'W0GRID']);
      if (r.chance(0.5)) delete fields.text;
      else fields.text = junkString(r).slice(0, 4000);
      break;
    }
    case 1: {
      const field = r.pick(['user_id', 'team_id', 'trigger_id', 'command']);
      kind = `command without ${field}`;
      if (r.chance(0.5)) delete fields[field];
      else fields[field] = '';
      break;
    }
    case 2:
      kind = 'command text over 4,000 characters';
      fields.text = 'x'.repeat(4001 + r.int(2000));
      break;
    case 3:
      kind = 'command with a field that changes the kind';
      fields[r.pick(['event', 'actions', 'type'])] = junkString(r) || 'x';
      break;
    case 4:
      kind = 'command without channel_id';
      delete fields.channel_id;
      if (r.chance(0.5)) delete fields.text;
      break;
    case 5:
      kind = 'unknown command';
      fields.command = r.pick(['/other', '/LICENSES', 'licenses', '/licenses ']);
      break;
    case 6:
      return {
        kind: 'command field twice',
        body: `${formOf(fields)}&user_id=${STRANGER}`,
        contentType: FORM,
      };
    case 7:
      return { kind: 'command with __proto__', body: `${formOf(fields)}&__proto__=x`, contentType: FORM };
    case 8:
      kind = 'command by a non-operator without text';
      fields.user_id = STRANGER;
      delete fields.text;
      break;
    default:
      kind = 'command with a payload field';
      fields.payload = JSON.stringify(junkNonObject(r));
      break;
  }
  return { kind, body: formOf(fields), contentType: FORM };
}

function malformedJson(homeEvent: JsonObject, r: Random): FuzzCase {
  const event = clone(homeEvent);
  const inner = asObject(event.event) ?? {};
  const bodies: [string, string][] = [
    ['JSON junk', JSON.stringify(junk(r))],
    ['JSON not parseable', '{"type":"event_callback",'],
    [
      'url_verification',
      JSON.stringify({ type: 'url_verification', challenge: junkString(r).slice(0, 1000) }),
    ],
    [
      'url_verification, challenge not a string',
      JSON.stringify({ type: 'url_verification', challenge: junkNonString(r) }),
    ],
    ['event missing', JSON.stringify({ ...event, event: undefined })],
    ['event not an object', JSON.stringify({ ...event, event: junkNonObject(r) })],
    ['app_home_opened without user', JSON.stringify({ ...event, event: { ...inner, user: undefined } })],
    [
      'app_home_opened, user not a string',
      JSON.stringify({ ...event, event: { ...inner, user: junkNonString(r) } }),
    ],
    [
      'app_home_opened, channel an object',
      JSON.stringify({ ...event, event: { ...inner, channel: { creator: 5 } } }),
    ],
    [
      'app_home_opened, tab not a string',
      JSON.stringify({ ...event, event: { ...inner, tab: junkNonString(r) } }),
    ],
    [
      'authorizations junk',
      JSON.stringify({ ...event, authorizations: r.pick<Json>([[null], 5, [5], 'x']) }),
    ],
    [
      'unsubscribed event',
      JSON.stringify({
        ...event,
        event: { type: r.pick(['message', 'reaction_added', 'team_join']), user: junk(r), item: junk(r) },
      }),
    ],
    ['app_rate_limited', JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1 })],
    ['event type not a string', JSON.stringify({ ...event, type: junkNonString(r) })],
  ];
  const [kind, body] = r.pick(bodies);
  return { kind, body, contentType: r.chance(0.9) ? JSON_TYPE : 'application/json; charset=utf-8' };
}

function rawJunk(r: Random): FuzzCase {
  const bytes = Buffer.from(Array.from({ length: r.int(2000) }, () => r.int(256)));
  return {
    kind: 'raw bytes',
    body: r.chance(0.5) ? bytes.toString('latin1') : bytes.toString('base64'),
    contentType: r.pick([FORM, JSON_TYPE, 'text/plain', 'multipart/form-data; boundary=x', '']),
  };
}

interface Captured {
  interactions: JsonObject[];
  command: Record<string, string>;
  homeEvent: JsonObject;
}

function generateCases(captured: Captured, seed: number, count: number): FuzzCase[] {
  const r = new Random(seed);
  return Array.from({ length: count }, () => {
    const roll = r.next();
    if (roll < 0.45) return mutatedInteraction(captured.interactions, r);
    if (roll < 0.6) return junkPayload(r);
    if (roll < 0.77) return malformedCommand(captured.command, r);
    if (roll < 0.92) return malformedJson(captured.homeEvent, r);
    return rawJunk(r);
  });
}

/** A pass-through in front of the app that keeps every request the driver sends. */
async function startRecorder(target: string) {
  const seen: { contentType: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      seen.push({ contentType, body: body.toString('utf8') });
      const headers: Record<string, string> = { 'content-type': contentType };
      for (const name of ['x-slack-request-timestamp', 'x-slack-signature']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(target, { method: 'POST', headers, body });
      const type = answer.headers.get('content-type');
      res.writeHead(answer.status, type === null ? {} : { 'content-type': type });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The real requests of a flow: a pending approval, and drafts left at each step. */
async function captureFlow(t: ApprovalHarness): Promise<Captured> {
  const recorder = await startRecorder(t.h.appUrl);
  const h: AppHarness = {
    ...t.h,
    driver: createSlackDriver({ appUrl: recorder.url, signingSecret: SIGNING_SECRET, fake: t.h.fake }),
  };
  try {
    const submitted = await submitForApproval({ ...t, h });
    // A draft at the manage step, with pushes and ticks on the way.
    const manage = await openLicenses(h);
    await chooseCustomer(h, manage.id, 'Con', TEST_CUSTOMERS.contoso.id);
    await click(h, manage.id, ids.actions.pageNext);
    await tickPage(h, manage.id, pageUserIds(current(h, manage.id)).slice(0, 3));
    await click(h, manage.id, ids.actions.selectPage);
    const atManage = await toLicenses(h, manage.id);
    const holders = atManage.blocks
      .flatMap((block) => (block.type === 'section' && block.accessory ? [block.accessory] : []))
      .find((element) =>
        String((element as { action_id?: unknown }).action_id).startsWith(ids.actions.holdersPrefix),
      );
    if (holders !== undefined) {
      await h.driver.blockActions({
        userId: OPERATOR,
        viewId: manage.id,
        actions: [{ actionId: String((holders as { action_id: string }).action_id) }],
      });
    }
    // A draft at the users step and one at the customer step.
    const users = await openLicenses(h);
    await chooseCustomer(h, users.id, 'Fab', TEST_CUSTOMERS.fabrikam.id);
    const someone = t.h.data.customers.find((c) => c.customer.id === TEST_CUSTOMERS.fabrikam.id)?.users[0];
    if (someone === undefined) throw new Error('Fabrikam has no users');
    await pickUsers(h, users.id, someone.displayName.split(' ')[0] ?? someone.displayName, [someone.id]);
    await openLicenses(h);
    await h.driver.appHomeOpened(OPERATOR);
    await t.h.idle();

    const interactions: JsonObject[] = [];
    let command: Record<string, string> | undefined;
    let homeEvent: JsonObject | undefined;
    for (const { contentType, body } of recorder.seen) {
      if (contentType === JSON_TYPE) {
        homeEvent = JSON.parse(body) as JsonObject;
        continue;
      }
      const fields = Object.fromEntries(new URLSearchParams(body));
      if (fields.payload !== undefined) interactions.push(JSON.parse(fields.payload) as JsonObject);
      else command = fields;
    }
    for (const button of ['approve', 'reject', 'view'] as const) {
      const { body } = approvalClickBody(t.h, APPROVER_A, submitted, button);
      interactions.push(JSON.parse(new URLSearchParams(body).get('payload') ?? '{}') as JsonObject);
    }
    if (command === undefined || homeEvent === undefined)
      throw new Error('the flow sent no command or no event');
    return { interactions, command, homeEvent };
  } finally {
    await recorder.close();
  }
}

/** Everything the store holds, as a test can observe it. */
async function storeState(t: ApprovalHarness) {
  const { store, config } = t.h;
  await store.flush();
  const file = JSON.parse(await readFile(path.join(config.DATA_DIR, STORE_FILE_NAME), 'utf8')) as {
    drafts?: unknown[];
  };
  return {
    drafts: file.drafts ?? [],
    requests: await store.listRequests({ limit: 10_000 }),
    approvals: await store.listApprovals({ limit: 10_000 }),
    audit: await store.listAudit({ limit: 100_000 }),
    writes: store.writeCount,
    logWrites: store.logsWriteCount,
  };
}

async function sendAll(t: ApprovalHarness, cases: readonly FuzzCase[]) {
  const answers: { kind: string; status: number }[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const fuzz = cases[i] as FuzzCase;
      const headers: Record<string, string> = { ...t.h.driver.sign(fuzz.body) };
      if (fuzz.contentType !== '') headers['Content-Type'] = fuzz.contentType;
      const answer = await t.h.driver.raw(fuzz.body, headers);
      answers.push({ kind: fuzz.kind, status: answer.status });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return answers;
}

/** Web API methods a refused request may cause: telling the clicker why, and the role checks. */
const REFUSAL_METHODS = ['chat.postEphemeral', 'chat.postMessage', 'usergroups.users.list'];
const REFUSAL_TEXTS = new Set<string>([
  refusals.operator,
  refusals.expired,
  refusals.notYours,
  'This button no longer refers to a request.',
]);

let t: ApprovalHarness | undefined;
afterEach(async () => {
  await t?.h.close();
  t = undefined;
});

describe('fuzzed Slack requests', () => {
  it(`answers ${CASES} signed malformed requests below 500, keeps serving, logs no error and changes nothing`, async () => {
    t = await startApprovalHarness({ OPERATOR_USER_IDS: OPERATOR });
    const captured = await captureFlow(t);
    expect(captured.interactions.length).toBeGreaterThanOrEqual(15);
    const before = await storeState(t);
    expect(before.approvals.map((a) => a.status)).toEqual(['pending']);
    expect(before.drafts.length).toBeGreaterThanOrEqual(3);
    const errorsBefore = t.h.logger.errors();
    expect(errorsBefore).toEqual([]);
    t.h.fake.resetCalls();
    const escaped: unknown[] = [];
    const onEscape = (error: unknown) => escaped.push(error);
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);

    const cases = generateCases(captured, SEED, CASES);
    const started = performance.now();
    let answers: { kind: string; status: number }[];
    try {
      answers = await sendAll(t, cases);
      await t.h.idle();
    } finally {
      process.off('unhandledRejection', onEscape);
      process.off('uncaughtException', onEscape);
    }
    const elapsed = performance.now() - started;

    // Every request answered, none with a 5xx.
    expect(answers).toHaveLength(CASES);
    const failures = answers.filter((answer) => answer.status >= 500);
    expect(failures.slice(0, 10)).toEqual([]);
    const byStatus: Record<string, number> = {};
    for (const { status } of answers) byStatus[status] = (byStatus[status] ?? 0) + 1;
    expect(byStatus['400'] ?? 0).toBeGreaterThan(CASES / 2);
    // The kinds of defect covered, each answered.
    const kinds = new Set(answers.map((answer) => answer.kind.replace(/^[^:]*: /, '')));
    for (const defect of Object.keys(fatalDefects)) expect(kinds, defect).toContain(defect);

    // Still serving, nothing logged as an error, nothing escaped to the process.
    const health = await fetch(t.h.appUrl.replace('/slack/events', '/healthz'));
    expect(health.status).toBe(200);
    expect(t.h.logger.errors()).toEqual([]);
    expect(escaped).toEqual([]);

    // No state change, and no Web API call but refusals.
    expect(await storeState(t)).toEqual(before);
    const calls = t.h.fake.calls;
    expect(calls.filter((call) => !REFUSAL_METHODS.includes(call.method))).toEqual([]);
    const texts = new Set(
      calls.flatMap((call) => (typeof call.args.text === 'string' ? [call.args.text] : [])),
    );
    expect([...texts].filter((text) => !REFUSAL_TEXTS.has(text))).toEqual([]);

    console.log(
      `fuzz: ${CASES} requests in ${Math.round(elapsed)} ms; by status ${JSON.stringify(byStatus)}; ${calls.length} refusal calls`,
    );
    // 15–25 s alone on 2 cores; the suite's 30 s left no room when other test files load the machine.
  }, 120_000);

  it('refuses a signed Approve click without user.id with 400 and changes nothing', async () => {
    t = await startApprovalHarness({ OPERATOR_USER_IDS: OPERATOR });
    const submitted = await submitForApproval(t);
    const before = await storeState(t);
    t.h.fake.resetCalls();
    const { body } = approvalClickBody(t.h, APPROVER_A, submitted, 'approve');
    const payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '{}') as JsonObject;
    const variants: JsonObject[] = [
      (({ user: _user, ...rest }) => rest)(payload),
      { ...payload, user: {} },
      { ...payload, user: { id: 42 } },
      { ...payload, user: null },
    ];
    for (const variant of variants) {
      const signed = formOf({ payload: JSON.stringify(variant) });
      const answer = await t.h.driver.raw(signed, { 'Content-Type': FORM, ...t.h.driver.sign(signed) });
      expect(answer.status).toBe(400);
    }
    await t.h.idle();
    expect(await storeState(t)).toEqual(before);
    expect((await t.h.store.getApproval(submitted.request.id))?.status).toBe('pending');
    expect(t.h.fake.calls).toEqual([]);
    expect(t.h.logger.errors()).toEqual([]);
  });
});
