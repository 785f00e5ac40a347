/**
 * Drives the app the way Slack does: signed HTTP requests to its `/slack/events` endpoint (slash
 * commands and interactivity form-encoded, events as JSON), payloads built from the Slack fake's
 * current views and messages, the 3-second ack deadline enforced, and the ack's `response_action`
 * applied to the fake's modal state.
 *
 * ```ts
 * const fake = await startSlackFake();
 * const app = createSlackApp(config({ SLACK_API_URL: fake.url, SLACK_BOT_TOKEN: fake.botToken }), deps);
 * const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret, fake });
 * await driver.command({ userId: 'U0OPS', channelId: 'C0LIC', text: 'Contoso' });
 * const modal = await fake.waitFor(() => fake.openModalOf('U0OPS'));
 * const { options } = await driver.blockSuggestion({ userId: 'U0OPS', viewId: modal.id, actionId: 'x', value: 'al' });
 * await driver.viewSubmission({ userId: 'U0OPS', viewId: modal.id, values: { blk: { act: { selected_options: options } } } });
 * expect(fake.unexpectedCalls(['views.open', 'views.update'])).toEqual([]);
 * ```
 */
import { createHmac } from 'node:crypto';
import { validateMessageBlocks, validateModalView } from './block-kit.js';
import {
  isStateful,
  stateFieldOf,
  stateFor as stateOfBlocks,
  viewElements,
} from './slack-fake/view-state.js';
import type {
  EnteredValues,
  FakeMessage,
  FakeView,
  SlackFake,
  SlackObject,
  StateValues,
} from './slack-fake.js';

/** Slack's deadline for the HTTP answer to a command or interaction. */
export const ACK_DEADLINE_MS = 3000;

export interface SlackDriverOptions {
  /** The app's endpoint, e.g. `http://127.0.0.1:PORT/slack/events`. */
  appUrl: string;
  signingSecret: string;
  fake: SlackFake;
  /** Defaults to the fake's team id. */
  teamId?: string;
}

/** What the app answered. `body` is the parsed JSON when the answer was JSON, else the text or undefined. */
export interface DriverResponse {
  status: number;
  body: unknown;
  ackMs: number;
}

export interface CommandInput {
  userId: string;
  channelId: string;
  text?: string;
  command?: string;
  channelName?: string;
}

export interface CommandResponse extends DriverResponse {
  triggerId: string;
  /** Id of the `response_url` given to the app; read its posts with `fake.responses(id)`. */
  responseUrlId: string;
}

export interface OptionsResponse extends DriverResponse {
  options: SlackObject[];
  optionGroups: SlackObject[];
}

/**
 * One action of a `block_actions` payload. The element is found by `actionId` (and `blockId` when the
 * action id repeats). Buttons need nothing else. Stateful elements take their new value through
 * `select` (option values of the element, or whole option objects for external selects), `value`
 * (text inputs) or `state` (any state fields, e.g. `{ selected_users: ['U1'] }`).
 */
export interface ActionInput {
  actionId: string;
  blockId?: string;
  select?: ReadonlyArray<string | SlackObject>;
  value?: string;
  state?: SlackObject;
}

export interface BlockActionsInput {
  userId: string;
  /** The modal or Home view the action happened in… */
  viewId?: string;
  /** …or the message (its channel and ts). */
  message?: { channel: string; ts: string };
  actions: ActionInput[];
}

export interface BlockActionsResponse extends DriverResponse {
  /** The trigger id sent with the payload (valid 3 s, once). */
  triggerId: string;
  /** Id of the `response_url` given with a message action. */
  responseUrlId?: string;
}

export type ResponseAction = 'close' | 'errors' | 'update' | 'push' | 'clear' | 'none';

export interface ViewSubmissionResponse extends DriverResponse {
  /** What Slack did with the ack: `close` for an empty 200, `none` when the ack failed. */
  responseAction: ResponseAction;
  /** `response_action: errors`: block_id → message. */
  errors?: Record<string, string>;
  /** The view the user sees afterwards (the updated or pushed one, or the previous one after a close). */
  view?: FakeView;
}

export interface SlackDriver {
  command(input: CommandInput): Promise<CommandResponse>;
  blockSuggestion(input: {
    userId: string;
    viewId: string;
    blockId?: string;
    actionId: string;
    value: string;
  }): Promise<OptionsResponse>;
  blockActions(input: BlockActionsInput): Promise<BlockActionsResponse>;
  viewSubmission(input: {
    userId: string;
    viewId: string;
    values?: EnteredValues;
  }): Promise<ViewSubmissionResponse>;
  /** The user closes the view (Cancel; `isCleared` = the × button). Sent only with `notify_on_close`. */
  viewClosed(input: {
    userId: string;
    viewId: string;
    isCleared?: boolean;
  }): Promise<DriverResponse | undefined>;
  appHomeOpened(userId: string, options?: { tab?: 'home' | 'messages' }): Promise<DriverResponse>;
  /** Sends `body` as is with `headers` (e.g. a forged signature); not timed against the deadline. */
  raw(body: string, headers: Record<string, string>): Promise<DriverResponse>;
  /** Signature headers for `body` (`X-Slack-Request-Timestamp`, `X-Slack-Signature`). */
  sign(body: string, timestampSeconds?: number): Record<string, string>;
  /** Every ack latency measured so far, in ms. */
  ackLatencies(): number[];
  /** Count, p50, p99 and max of the ack latencies (ms), for the closing note. */
  latencySummary(): LatencySummary;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `latencies` (ms, rounded to 0.1). */
export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { count: sorted.length, p50: round(rank(50)), p99: round(rank(99)), max: round(sorted.at(-1) ?? 0) };
}

function isObject(value: unknown): value is SlackObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Signature headers Slack sends: HMAC-SHA256 of `v0:<ts>:<body>`. */
export function signRequest(
  signingSecret: string,
  body: string,
  timestampSeconds: number,
): Record<string, string> {
  const hex = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'X-Slack-Request-Timestamp': String(timestampSeconds), 'X-Slack-Signature': `v0=${hex}` };
}

/** `state.values` of a view (or a message's blocks) with the given entered values applied. */
export function stateFor(view: { blocks: readonly unknown[] }, values: EnteredValues = {}): StateValues {
  return stateOfBlocks(view.blocks, values);
}

/** The block with `blockId`; throws when missing. */
export function findBlock(view: { blocks: readonly unknown[] }, blockId: string): SlackObject {
  const block = view.blocks.find((candidate) => isObject(candidate) && candidate.block_id === blockId);
  if (!isObject(block)) throw new Error(`no block '${blockId}' in ${describeBlocks(view.blocks)}`);
  return block;
}

/** The interactive element with `actionId` (in `blockId` when given); throws when missing or ambiguous. */
export function findAction(
  view: { blocks: readonly unknown[] },
  actionId: string,
  blockId?: string,
): { blockId: string; block: SlackObject; element: SlackObject } {
  const found = viewElements(view.blocks).filter(
    (e) => e.actionId === actionId && (blockId === undefined || e.blockId === blockId),
  );
  const where = blockId === undefined ? `'${actionId}'` : `'${blockId}/${actionId}'`;
  if (found.length === 0) throw new Error(`no element ${where} in ${describeBlocks(view.blocks)}`);
  if (found.length > 1) throw new Error(`element ${where} is in several blocks; pass blockId`);
  const [first] = found;
  if (!first) throw new Error(`no element ${where}`);
  return first;
}

/** Every option an element offers (options and option groups), e.g. to pick one by value. */
export function optionsOf(element: SlackObject): SlackObject[] {
  const direct = Array.isArray(element.options) ? element.options.filter(isObject) : [];
  const groups = Array.isArray(element.option_groups) ? element.option_groups.filter(isObject) : [];
  const grouped = groups.flatMap((group) =>
    Array.isArray(group.options) ? group.options.filter(isObject) : [],
  );
  return [...direct, ...grouped];
}

function describeBlocks(blocks: readonly unknown[]): string {
  const ids = viewElements(blocks).map((e) => `${e.blockId}/${e.actionId}`);
  return `blocks [${ids.join(', ')}]`;
}

const MANY = new Set([
  'checkboxes',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);

/** The state fields an action sets on its element. */
function actionState(element: SlackObject, input: ActionInput): SlackObject {
  const type = String(element.type);
  if (input.state) return input.state;
  if (input.value !== undefined) return { [stateFieldOf(type) ?? 'value']: input.value };
  if (input.select) {
    const known = [
      ...optionsOf(element),
      ...(Array.isArray(element.initial_options) ? element.initial_options.filter(isObject) : []),
    ];
    const chosen = input.select.map((pick) => {
      if (isObject(pick)) return pick;
      const option = known.find((candidate) => candidate.value === pick);
      if (!option) throw new Error(`${String(element.action_id)} has no option with value '${pick}'`);
      return option;
    });
    return MANY.has(type) ? { selected_options: chosen } : { selected_option: chosen[0] ?? null };
  }
  return {};
}

/** The action object Slack puts in `actions[]` for an element. */
function actionPayload(blockId: string, element: SlackObject, state: SlackObject): SlackObject {
  const type = String(element.type);
  const action: SlackObject = { type, action_id: element.action_id, block_id: blockId };
  if (type === 'button') {
    action.text = element.text;
    if (element.value !== undefined) action.value = element.value;
    if (element.style !== undefined) action.style = element.style;
    if (element.url !== undefined) action.url = element.url;
  }
  Object.assign(action, state);
  action.action_ts = `${(Date.now() / 1000).toFixed(6)}`;
  return action;
}

function isEmptyState(value: SlackObject | undefined, field: string | undefined): boolean {
  if (!value || field === undefined) return true;
  const current = value[field];
  return (
    current === null ||
    current === undefined ||
    current === '' ||
    (Array.isArray(current) && current.length === 0)
  );
}

/** Creates a driver for the app at `appUrl`, signing with `signingSecret` and reading state from `fake`. */
export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const { appUrl, signingSecret, fake } = options;
  const teamId = options.teamId ?? fake.teamId;
  const latencies: number[] = [];
  let eventCounter = 0;

  const team = { id: teamId, domain: 'fake' };
  const userOf = (userId: string) => ({
    id: userId,
    username: userId.toLowerCase(),
    name: userId.toLowerCase(),
    team_id: teamId,
  });
  const base = (userId: string) => ({
    team,
    user: userOf(userId),
    api_app_id: fake.appId,
    token: 'legacy-verification-token',
    is_enterprise_install: false,
    enterprise: null,
  });

  const sign = (body: string, timestampSeconds = Math.floor(Date.now() / 1000)) =>
    signRequest(signingSecret, body, timestampSeconds);

  async function send(body: string, headers: Record<string, string>, what: string, timed: boolean) {
    const started = performance.now();
    const response = await fetch(appUrl, { method: 'POST', headers, body });
    const text = await response.text();
    const ackMs = performance.now() - started;
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown = text === '' ? undefined : text;
    if (contentType.includes('application/json') && text !== '') parsed = JSON.parse(text);
    if (timed) {
      latencies.push(ackMs);
      if (ackMs > ACK_DEADLINE_MS) {
        throw new Error(`${what}: the app acked after ${Math.round(ackMs)} ms, past Slack's 3 s deadline`);
      }
    }
    return { status: response.status, body: parsed, ackMs };
  }

  const sendForm = (fields: Record<string, string>, what: string) => {
    const body = new URLSearchParams(fields).toString();
    // Bolt compares the content type exactly: no charset suffix.
    return send(body, { 'Content-Type': 'application/x-www-form-urlencoded', ...sign(body) }, what, true);
  };
  const sendPayload = (payload: SlackObject, what: string) =>
    sendForm({ payload: JSON.stringify(payload) }, what);

  const openView = (viewId: string, userId: string): FakeView => {
    const view = fake.view(viewId);
    if (!view) throw new Error(`the Slack fake has no view ${viewId}`);
    if (!view.open) throw new Error(`view ${viewId} is closed: the user cannot act in it`);
    if (view.userId !== userId) throw new Error(`view ${viewId} belongs to ${view.userId}, not ${userId}`);
    return view;
  };

  const topOf = (view: FakeView): FakeView | undefined => {
    const ids = fake.stackOf(view.id);
    const top = ids[ids.length - 1];
    return top === undefined ? undefined : fake.view(top);
  };

  const checkView = (view: unknown, what: string) => {
    const errors = validateModalView(view);
    if (errors.length > 0) throw new Error(`${what}: Slack would reject the view:\n  ${errors.join('\n  ')}`);
  };

  return {
    sign,
    ackLatencies: () => [...latencies],
    latencySummary: () => summarizeLatencies(latencies),

    async command({ userId, channelId, text = '', command = '/licenses', channelName = 'licenses' }) {
      const triggerId = fake.issueTriggerId(userId);
      const responseUrl = fake.issueResponseUrl();
      const response = await sendForm(
        {
          token: 'legacy-verification-token',
          team_id: teamId,
          team_domain: 'fake',
          channel_id: channelId,
          channel_name: channelName,
          user_id: userId,
          user_name: userId.toLowerCase(),
          command,
          text,
          api_app_id: fake.appId,
          is_enterprise_install: 'false',
          response_url: responseUrl.url,
          trigger_id: triggerId,
        },
        `${command} ${text}`.trim(),
      );
      return { ...response, triggerId, responseUrlId: responseUrl.id };
    },

    async blockSuggestion({ userId, viewId, blockId, actionId, value }) {
      const view = openView(viewId, userId);
      const found = findAction(view, actionId, blockId);
      const type = String(found.element.type);
      if (type !== 'external_select' && type !== 'multi_external_select') {
        throw new Error(`${actionId} is a ${type}: only external selects load options`);
      }
      const minLength =
        typeof found.element.min_query_length === 'number' ? found.element.min_query_length : 3;
      if (value.length < minLength) {
        throw new Error(`Slack sends no block_suggestion for '${value}': min_query_length is ${minLength}`);
      }
      const response = await sendPayload(
        {
          type: 'block_suggestion',
          ...base(userId),
          container: { type: 'view', view_id: view.id },
          view: fake.viewPayload(view.id),
          block_id: found.blockId,
          action_id: actionId,
          value,
        },
        `block_suggestion ${actionId}`,
      );
      const body = isObject(response.body) ? response.body : {};
      const options = Array.isArray(body.options) ? body.options.filter(isObject) : [];
      const optionGroups = Array.isArray(body.option_groups) ? body.option_groups.filter(isObject) : [];
      if (response.status === 200) {
        const probe = {
          type: 'static_select',
          action_id: 'probe',
          ...(optionGroups.length > 0 ? { option_groups: optionGroups } : { options }),
        };
        const errors =
          options.length === 0 && optionGroups.length === 0
            ? []
            : validateMessageBlocks([{ type: 'actions', elements: [probe] }]).map((e) =>
                e.replace('/blocks/0/elements/0', ''),
              );
        if (errors.length > 0) {
          throw new Error(
            `block_suggestion ${actionId}: Slack would reject the options:\n  ${errors.join('\n  ')}`,
          );
        }
      }
      return { ...response, options, optionGroups };
    },

    async blockActions({ userId, viewId, message, actions }) {
      if ((viewId === undefined) === (message === undefined))
        throw new Error('blockActions needs viewId or message');
      let surface: { blocks: readonly unknown[] };
      let view: FakeView | undefined;
      let posted: FakeMessage | undefined;
      if (viewId !== undefined) {
        view = openView(viewId, userId);
        surface = view;
      } else if (message) {
        posted = fake.messages(message.channel).find((m) => m.ts === message.ts);
        if (!posted) throw new Error(`the Slack fake has no message ${message.ts} in ${message.channel}`);
        surface = { blocks: posted.blocks ?? [] };
      } else {
        throw new Error('blockActions needs viewId or message');
      }
      const entered: EnteredValues = {};
      const payloadActions = actions.map((input) => {
        const found = findAction(surface, input.actionId, input.blockId);
        const type = String(found.element.type);
        if (found.block.type === 'input' && found.block.dispatch_action !== true) {
          throw new Error(
            `${found.blockId}/${input.actionId} sits in an input block without dispatch_action: Slack sends no block_actions`,
          );
        }
        const state = actionState(found.element, input);
        if (isStateful(type) && Object.keys(state).length > 0) {
          entered[found.blockId] = { ...entered[found.blockId], [input.actionId]: state };
        }
        return actionPayload(found.blockId, found.element, state);
      });
      const triggerId = fake.issueTriggerId(userId, view?.id);
      if (view) {
        fake.enterValues(view.id, entered);
        const response = await sendPayload(
          {
            type: 'block_actions',
            ...base(userId),
            container: { type: 'view', view_id: view.id },
            trigger_id: triggerId,
            view: fake.viewPayload(view.id),
            actions: payloadActions,
          },
          `block_actions ${actions.map((a) => a.actionId).join(',')}`,
        );
        return { ...response, triggerId };
      }
      if (!posted) throw new Error('blockActions: no message');
      const responseUrl = fake.issueResponseUrl();
      const response = await sendPayload(
        {
          type: 'block_actions',
          ...base(userId),
          container: {
            type: 'message',
            message_ts: posted.ts,
            channel_id: posted.channel,
            is_ephemeral: false,
            ...(posted.threadTs !== undefined ? { thread_ts: posted.threadTs } : {}),
          },
          trigger_id: triggerId,
          channel: { id: posted.channel, name: posted.channel.toLowerCase() },
          message: {
            type: 'message',
            user: fake.botUserId,
            bot_id: fake.botId,
            app_id: fake.appId,
            team: teamId,
            ts: posted.ts,
            text: posted.text ?? '',
            blocks: posted.blocks ?? [],
            ...(posted.threadTs !== undefined ? { thread_ts: posted.threadTs } : {}),
          },
          state: { values: stateOfBlocks(posted.blocks ?? [], entered) },
          response_url: responseUrl.url,
          actions: payloadActions,
        },
        `block_actions ${actions.map((a) => a.actionId).join(',')}`,
      );
      return { ...response, triggerId, responseUrlId: responseUrl.id };
    },

    async viewSubmission({ userId, viewId, values = {} }) {
      const view = openView(viewId, userId);
      if (topOf(view)?.id !== view.id)
        throw new Error(`view ${viewId} is not on top of its stack: it cannot be submitted`);
      if (view.type !== 'modal' || view.definition.submit === undefined) {
        throw new Error(`view ${viewId} has no submit button`);
      }
      fake.enterValues(viewId, values);
      const payloadView = fake.viewPayload(viewId);
      const state = stateFor(view, view.entered);
      for (const { blockId, actionId, block, element } of viewElements(view.blocks)) {
        if (block.type !== 'input' || block.optional === true) continue;
        if (isEmptyState(state[blockId]?.[actionId], stateFieldOf(String(element.type)))) {
          throw new Error(`required input ${blockId}/${actionId} is empty: Slack would not submit the view`);
        }
      }
      const response = await sendPayload(
        {
          type: 'view_submission',
          ...base(userId),
          trigger_id: fake.issueTriggerId(userId, viewId),
          view: payloadView,
          response_urls: [],
        },
        `view_submission ${view.callbackId}`,
      );
      if (response.status !== 200) return { ...response, responseAction: 'none' };
      const body = isObject(response.body) ? response.body : undefined;
      if (body === undefined && response.body !== undefined) {
        throw new Error(`view_submission ack must be empty or JSON, got ${JSON.stringify(response.body)}`);
      }
      const action = body?.response_action;
      if (action === undefined) {
        if (body && Object.keys(body).length > 0) {
          throw new Error(
            `view_submission ack without response_action must be empty, got ${JSON.stringify(body)}`,
          );
        }
        fake.closeView(viewId);
        const previous = view.previousViewId === null ? undefined : fake.view(view.previousViewId);
        return { ...response, responseAction: 'close', ...(previous?.open ? { view: previous } : {}) };
      }
      if (action === 'errors') {
        const errors = isObject(body?.errors) ? body.errors : {};
        const inputIds = new Set(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id));
        const result: Record<string, string> = {};
        for (const [blockId, message] of Object.entries(errors)) {
          if (!inputIds.has(blockId))
            throw new Error(`response_action errors names '${blockId}', not an input block`);
          result[blockId] = String(message);
        }
        return { ...response, responseAction: 'errors', errors: result, view };
      }
      if (action === 'update') {
        checkView(body?.view, 'response_action update');
        const updated = fake.replaceView(viewId, body?.view as SlackObject);
        return { ...response, responseAction: 'update', view: updated };
      }
      if (action === 'push') {
        checkView(body?.view, 'response_action push');
        if (fake.stackOf(viewId).length >= 3)
          throw new Error('response_action push: the stack already holds 3 views');
        const pushed = fake.pushView(viewId, body?.view as SlackObject);
        return { ...response, responseAction: 'push', view: pushed };
      }
      if (action === 'clear') {
        fake.clearModal(viewId);
        return { ...response, responseAction: 'clear' };
      }
      throw new Error(`unknown response_action ${JSON.stringify(action)}`);
    },

    async viewClosed({ userId, viewId, isCleared = false }) {
      const view = openView(viewId, userId);
      const close = () => (isCleared ? fake.clearModal(viewId) : fake.closeView(viewId));
      if (view.definition.notify_on_close !== true) {
        close();
        return undefined;
      }
      const payloadView = fake.viewPayload(viewId);
      close();
      return sendPayload(
        { type: 'view_closed', ...base(userId), view: payloadView, is_cleared: isCleared },
        `view_closed ${view.callbackId}`,
      );
    },

    async appHomeOpened(userId, { tab = 'home' } = {}) {
      eventCounter += 1;
      const home = fake.home(userId);
      const now = Date.now() / 1000;
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: teamId,
        api_app_id: fake.appId,
        type: 'event_callback',
        event_id: `Ev0FAKE${eventCounter}`,
        event_time: Math.floor(now),
        authorizations: [
          {
            enterprise_id: null,
            team_id: teamId,
            user_id: fake.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        event: {
          type: 'app_home_opened',
          user: userId,
          channel: fake.dmChannelOf(userId),
          tab,
          event_ts: now.toFixed(6),
          ...(home ? { view: fake.viewPayload(home.id) } : {}),
        },
      });
      return send(body, { 'Content-Type': 'application/json', ...sign(body) }, 'app_home_opened', true);
    },

    raw: (body, headers) => send(body, headers, 'raw request', false),
  };
}
