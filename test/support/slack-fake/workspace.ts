/**
 * Slack's side of the conversation: views and their stacks, messages, files, trigger ids. The Web API
 * methods and the driver (for `response_action`s and what the user enters) both act on it.
 */
import { randomBytes } from 'node:crypto';
import type {
  FakeEphemeral,
  FakeFile,
  FakeMessage,
  FakeUser,
  FakeView,
  RecordedCall,
  ResponseUrlPost,
  SlackFakeOptions,
  SlackObject,
  StateValues,
} from './types.js';
import { keepEntered, stateFor } from './view-state.js';
import { fail } from './wire.js';

/** Bot scopes of manifest.yml, the default grant. */
/** The scopes manifest.yml grants (test/manifest.test.ts keeps the two in step). */
export const DEFAULT_SCOPES = ['commands', 'chat:write', 'usergroups:read', 'files:write'] as const;

/** Slack keeps at most 3 views in a modal's stack. */
export const MAX_STACK = 3;

interface Trigger {
  userId: string;
  viewId: string | undefined;
  issuedAt: number;
  used: boolean;
}

function isObject(value: unknown): value is SlackObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shortId(): string {
  return randomBytes(3).toString('base64url');
}

export class Workspace {
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  readonly scopes: ReadonlySet<string>;
  readonly triggerTtlMs: number;
  readonly now: () => number;

  readonly calls: RecordedCall[] = [];
  readonly views = new Map<string, FakeView>();
  /** root view id → ids from root to top. */
  readonly stacks = new Map<string, string[]>();
  readonly homes = new Map<string, string>();
  readonly messages: FakeMessage[] = [];
  readonly ephemerals: FakeEphemeral[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly responses: ResponseUrlPost[] = [];
  readonly triggers = new Map<string, Trigger>();
  readonly users = new Map<string, FakeUser>();
  readonly usergroups = new Map<string, string[]>();
  readonly channelErrors = new Map<string, string>();
  readonly failures = new Map<string, string[]>();
  readonly rateLimits = new Map<string, number[]>();
  /** Roots of modals in the order they were opened, to find a user's current modal. */
  private readonly modalRoots: string[] = [];
  private counter = 0;
  private tsCounter = 0;

  constructor(options: SlackFakeOptions = {}) {
    this.botToken = options.botToken ?? 'xoxb-fake-bot-token';
    this.botUserId = options.botUserId ?? 'U0LICBOT';
    this.botId = options.botId ?? 'B0LICBOT';
    this.teamId = options.teamId ?? 'T0FAKE';
    this.appId = options.appId ?? 'A0LICDESK';
    this.scopes = new Set(options.scopes ?? DEFAULT_SCOPES);
    this.triggerTtlMs = options.triggerTtlMs ?? 3000;
    this.now = options.now ?? Date.now;
    for (const user of options.users ?? []) this.users.set(user.id, user);
  }

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(7, '0')}`;
  }

  /** Unique, increasing message timestamps like "1700000000.000100". */
  nextTs(): string {
    this.tsCounter += 100;
    const seconds = 1_700_000_000 + Math.floor(this.tsCounter / 1_000_000);
    return `${seconds}.${String(this.tsCounter % 1_000_000).padStart(6, '0')}`;
  }

  private nextHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(6).toString('base64url')}`;
  }

  /** A fresh trigger id for `userId`, as Slack puts in a command or interaction; `viewId` = where it happened. */
  issueTrigger(userId: string, viewId?: string): string {
    this.counter += 1;
    const id = `${this.counter}.${Math.floor(this.now() / 1000)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, viewId, issuedAt: this.now(), used: false });
    return id;
  }

  /** Uses a trigger id once, within its lifetime, or fails like Slack. */
  consumeTrigger(id: string | undefined, receivedAt = this.now()): Trigger {
    if (id === undefined) fail('invalid_arguments', ['[ERROR] missing required field: trigger_id']);
    const trigger = this.triggers.get(id);
    if (!trigger) fail('invalid_trigger_id');
    if (trigger.used) fail('exchanged_trigger_id');
    if (receivedAt - trigger.issuedAt > this.triggerTtlMs) fail('expired_trigger_id');
    trigger.used = true;
    return trigger;
  }

  /** Slack gives every block a block_id and every element an action_id when the app leaves them out. */
  private normalize(definition: SlackObject): SlackObject[] {
    const blocks = Array.isArray(definition.blocks) ? definition.blocks.filter(isObject) : [];
    return blocks.map((block) => {
      const copy: SlackObject = {
        ...block,
        block_id: typeof block.block_id === 'string' ? block.block_id : shortId(),
      };
      const withAction = (element: unknown) =>
        isObject(element) &&
        typeof element.type === 'string' &&
        'action_id' in element === false &&
        isInteractive(element)
          ? { ...element, action_id: shortId() }
          : element;
      if (copy.accessory !== undefined) copy.accessory = withAction(copy.accessory);
      if (copy.element !== undefined) copy.element = withAction(copy.element);
      if (Array.isArray(copy.elements) && copy.type === 'actions')
        copy.elements = copy.elements.map(withAction);
      return copy;
    });
  }

  createView(
    userId: string,
    definition: SlackObject,
    stack?: { rootViewId: string; previousViewId: string },
  ): FakeView {
    const id = this.nextId('V');
    const blocks = this.normalize(definition);
    const view: FakeView = {
      id,
      type: definition.type === 'home' ? 'home' : 'modal',
      userId,
      rootViewId: stack?.rootViewId ?? id,
      previousViewId: stack?.previousViewId ?? null,
      hash: this.nextHash(),
      externalId: typeof definition.external_id === 'string' ? definition.external_id : '',
      callbackId: typeof definition.callback_id === 'string' ? definition.callback_id : '',
      privateMetadata: typeof definition.private_metadata === 'string' ? definition.private_metadata : '',
      definition: { ...definition, blocks },
      blocks,
      entered: {},
      open: true,
      updates: 0,
    };
    this.views.set(id, view);
    if (view.type === 'modal') {
      const ids = stack ? (this.stacks.get(stack.rootViewId) ?? []) : [];
      ids.push(id);
      this.stacks.set(view.rootViewId, ids);
      if (!stack) this.modalRoots.push(id);
    }
    return view;
  }

  /** Replaces a view's content (views.update, `response_action: update`, views.publish). */
  replaceView(view: FakeView, definition: SlackObject): FakeView {
    const blocks = this.normalize(definition);
    view.definition = { ...definition, blocks };
    view.blocks = blocks;
    view.hash = this.nextHash();
    // An update that leaves external_id out keeps the one the view has.
    if (typeof definition.external_id === 'string') view.externalId = definition.external_id;
    view.callbackId = typeof definition.callback_id === 'string' ? definition.callback_id : '';
    view.privateMetadata = typeof definition.private_metadata === 'string' ? definition.private_metadata : '';
    view.entered = keepEntered(blocks, view.entered);
    view.updates += 1;
    return view;
  }

  /** Pushes a view on top of the stack `onto` belongs to; `push_limit_reached` past 3. */
  pushView(onto: FakeView, definition: SlackObject): FakeView {
    const ids = this.stacks.get(onto.rootViewId) ?? [];
    if (ids.length >= MAX_STACK) fail('push_limit_reached');
    const top = ids[ids.length - 1] ?? onto.id;
    return this.createView(onto.userId, definition, { rootViewId: onto.rootViewId, previousViewId: top });
  }

  /** Closes `view` and every view above it in its stack (the user went back, or Slack closed it). */
  closeView(view: FakeView): void {
    const ids = this.stacks.get(view.rootViewId) ?? [];
    const index = ids.indexOf(view.id);
    const closing = index === -1 ? [view.id] : ids.splice(index);
    for (const id of closing) {
      const closed = this.views.get(id);
      if (closed) closed.open = false;
    }
    if (ids.length === 0) this.stacks.delete(view.rootViewId);
  }

  /** Closes every view of the modal `view` belongs to. */
  clearModal(view: FakeView): void {
    const root = this.views.get(view.rootViewId);
    if (root) this.closeView(root);
  }

  /** The top view of the modal most recently opened for `userId`, if still open. */
  openModalOf(userId: string): FakeView | undefined {
    for (let index = this.modalRoots.length - 1; index >= 0; index -= 1) {
      const rootId = this.modalRoots[index];
      const ids = rootId === undefined ? undefined : this.stacks.get(rootId);
      const topId = ids?.[ids.length - 1];
      const top = topId === undefined ? undefined : this.views.get(topId);
      if (top?.open && top.userId === userId) return top;
    }
    return undefined;
  }

  /** Ids of the views in the stack `view` belongs to, root first. */
  stackOf(view: FakeView): string[] {
    return [...(this.stacks.get(view.rootViewId) ?? [])];
  }

  findOpenView(viewId: string | undefined, externalId: string | undefined): FakeView | undefined {
    if (viewId !== undefined) {
      const view = this.views.get(viewId);
      return view?.open ? view : undefined;
    }
    for (const view of this.views.values()) {
      if (view.open && externalId !== undefined && view.externalId === externalId) return view;
    }
    return undefined;
  }

  /** Records what the user entered in a view (kept while the block_id / action_id exist). */
  enter(view: FakeView, values: StateValues): void {
    for (const [blockId, actions] of Object.entries(values)) {
      view.entered[blockId] = { ...view.entered[blockId], ...actions };
    }
  }

  /** The view as Slack sends it, in API responses and interaction payloads. */
  viewPayload(view: FakeView): SlackObject {
    return {
      type: view.type,
      blocks: view.blocks,
      clear_on_close: false,
      notify_on_close: false,
      submit_disabled: false,
      ...view.definition,
      id: view.id,
      team_id: this.teamId,
      private_metadata: view.privateMetadata,
      callback_id: view.callbackId,
      external_id: view.externalId,
      state: { values: stateFor(view.blocks, view.entered) },
      hash: view.hash,
      root_view_id: view.type === 'modal' ? view.rootViewId : null,
      previous_view_id: view.previousViewId,
      app_id: this.appId,
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
  }

  /** The DM channel between the bot and a user. */
  dmOf(userId: string): string {
    return `D${userId.slice(1)}`;
  }

  /** The channel a `channel` argument designates: a user id means the bot's DM with that user. */
  resolveChannel(channel: string): string {
    return /^[UW][A-Z0-9]+$/.test(channel) ? this.dmOf(channel) : channel;
  }

  /** Fails with the error a test configured for this channel, if any. */
  checkChannel(channel: string): void {
    const error = this.channelErrors.get(channel);
    if (error !== undefined) fail(error);
  }
}

const NON_INTERACTIVE = new Set(['plain_text', 'mrkdwn', 'image']);

function isInteractive(element: SlackObject): boolean {
  return typeof element.type === 'string' && !NON_INTERACTIVE.has(element.type);
}
