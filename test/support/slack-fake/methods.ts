/** The Web API methods the app uses, answering and failing as Slack does. */
import {
  BLOCK_KIT_LIMITS,
  validateHomeView,
  validateMessageBlocks,
  validateModalView,
} from '../block-kit.js';
import type { FakeView, SlackObject } from './types.js';
import { bool, fail, str } from './wire.js';
import type { Workspace } from './workspace.js';

/** A method handler: returns the response fields besides `ok`, or throws `SlackMethodError`. */
export type MethodHandler = (args: SlackObject, ws: Workspace, request: RequestContext) => SlackObject;

/** Where and when a request arrived. */
export interface RequestContext {
  origin: string;
  /** `ws.now()` when the request arrived: trigger ids are judged by it, not by our own work. */
  receivedAt: number;
}

/** The bot scope each method needs (`missing_scope` without it). */
export const METHOD_SCOPES: Record<string, string | undefined> = {
  'auth.test': undefined,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  // Slack's method page: "Bot tokens: No scope required".
  'chat.getPermalink': undefined,
  'views.open': undefined,
  'views.push': undefined,
  'views.update': undefined,
  'views.publish': undefined,
  'users.info': 'users:read',
  'usergroups.users.list': 'usergroups:read',
  'conversations.open': 'im:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
};

function required(args: SlackObject, key: string, error = 'invalid_arguments'): string {
  const value = str(args, key);
  if (value === undefined) fail(error, [`[ERROR] missing required field: ${key}`]);
  return value;
}

function asErrors(errors: string[], pointer: string): string[] {
  return errors.map((error) => {
    const space = error.indexOf(' ');
    const path = space === -1 ? '' : error.slice(0, space);
    const message = space === -1 ? error : error.slice(space + 1);
    return `[ERROR] ${message} [json-pointer:${pointer}${path === '/' ? '' : path}]`;
  });
}

function viewArg(args: SlackObject, type: 'modal' | 'home'): SlackObject {
  const view = args.view;
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    fail('invalid_arguments', ['[ERROR] missing required field: view']);
  }
  const definition = view as SlackObject;
  const bytes = Buffer.byteLength(JSON.stringify(definition), 'utf8');
  if (bytes > BLOCK_KIT_LIMITS.viewBytes) fail('view_too_large', [`[ERROR] view is ${bytes} bytes`]);
  const errors = type === 'modal' ? validateModalView(definition) : validateHomeView(definition);
  if (errors.length > 0) fail('invalid_arguments', asErrors(errors, '/view'));
  return definition;
}

function checkDuplicateExternalId(ws: Workspace, definition: SlackObject, except?: FakeView): void {
  const externalId = definition.external_id;
  if (typeof externalId !== 'string' || externalId === '') return;
  for (const view of ws.views.values()) {
    if (view.open && view !== except && view.externalId === externalId) fail('duplicate_external_id');
  }
}

function blocksArg(args: SlackObject): SlackObject[] | undefined {
  const blocks = args.blocks;
  if (blocks === undefined) return undefined;
  // An empty list is how chat.update removes a message's blocks.
  if (Array.isArray(blocks) && blocks.length === 0) return [];
  const errors = validateMessageBlocks(blocks);
  if (errors.length > 0) fail('invalid_blocks', asErrors(errors, ''));
  return Array.isArray(blocks) ? (blocks as SlackObject[]) : undefined;
}

function attachmentsArg(args: SlackObject): SlackObject[] | undefined {
  const attachments = args.attachments;
  if (attachments === undefined) return undefined;
  if (!Array.isArray(attachments)) fail('invalid_attachments');
  if (attachments.length > 100) fail('too_many_attachments');
  return attachments as SlackObject[];
}

function channelArg(args: SlackObject, ws: Workspace, key = 'channel'): string {
  const raw = required(args, key, 'channel_not_found');
  const channel = ws.resolveChannel(raw);
  ws.checkChannel(raw);
  ws.checkChannel(channel);
  return channel;
}

function messagePayload(ws: Workspace, message: SlackObject): SlackObject {
  return {
    type: 'message',
    user: ws.botUserId,
    bot_id: ws.botId,
    app_id: ws.appId,
    team: ws.teamId,
    ...message,
  };
}

function hasContent(
  text: string | undefined,
  blocks: unknown[] | undefined,
  attachments: unknown[] | undefined,
) {
  return text !== undefined || (blocks?.length ?? 0) > 0 || (attachments?.length ?? 0) > 0;
}

const postMessage: MethodHandler = (args, ws) => {
  const channel = channelArg(args, ws);
  const blocks = blocksArg(args);
  const attachments = attachmentsArg(args);
  let text = str(args, 'text');
  if (!hasContent(text, blocks, attachments)) fail('no_text');
  const threadTs = str(args, 'thread_ts');
  if (threadTs !== undefined && !ws.messages.some((m) => m.channel === channel && m.ts === threadTs)) {
    fail('thread_not_found');
  }
  let warning: string | undefined;
  if (text !== undefined && text.length > BLOCK_KIT_LIMITS.postText) {
    text = text.slice(0, BLOCK_KIT_LIMITS.postText);
    warning = 'message_truncated';
  }
  const metadata = args.metadata;
  const ts = ws.nextTs();
  ws.messages.push({
    channel,
    ts,
    ...(threadTs !== undefined ? { threadTs } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
    ...(attachments ? { attachments } : {}),
    ...(typeof metadata === 'object' && metadata !== null ? { metadata: metadata as SlackObject } : {}),
    edits: 0,
  });
  return {
    channel,
    ts,
    message: messagePayload(ws, { text: text ?? '', ts, blocks, attachments, thread_ts: threadTs }),
    ...(warning ? { warning, response_metadata: { warnings: [warning] } } : {}),
  };
};

const update: MethodHandler = (args, ws) => {
  const channel = channelArg(args, ws);
  const ts = required(args, 'ts', 'message_not_found');
  const blocks = blocksArg(args);
  const attachments = attachmentsArg(args);
  const text = str(args, 'text');
  if (text !== undefined && text.length > BLOCK_KIT_LIMITS.updateText) fail('msg_too_long');
  const message = ws.messages.find((m) => m.channel === channel && m.ts === ts);
  if (!message) fail('message_not_found');
  if (!hasContent(text, blocks, attachments) && args.blocks === undefined) fail('no_text');
  if (text !== undefined) message.text = text;
  if (args.blocks !== undefined) message.blocks = blocks ?? [];
  if (attachments) message.attachments = attachments;
  message.edits += 1;
  return {
    channel,
    ts,
    text: message.text ?? '',
    message: messagePayload(ws, { text: message.text ?? '', blocks: message.blocks, attachments }),
  };
};

/**
 * chat.getPermalink: `channel` and `message_ts` required (channel_not_found / message_not_found as
 * Slack answers); a reply's link carries its thread (`?thread_ts=…&cid=…`), as Slack's does.
 */
const getPermalink: MethodHandler = (args, ws) => {
  const channel = channelArg(args, ws);
  const ts = required(args, 'message_ts', 'message_not_found');
  const message = ws.messages.find((m) => m.channel === channel && m.ts === ts);
  if (!message) fail('message_not_found');
  const base = `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
  const thread =
    message.threadTs === undefined
      ? ''
      : `?thread_ts=${encodeURIComponent(message.threadTs)}&cid=${encodeURIComponent(channel)}`;
  return { channel, permalink: base + thread };
};

const postEphemeral: MethodHandler = (args, ws) => {
  const channel = channelArg(args, ws);
  const user = required(args, 'user', 'user_not_found');
  const blocks = blocksArg(args);
  const attachments = attachmentsArg(args);
  const text = str(args, 'text');
  if (!hasContent(text, blocks, attachments)) fail('no_text');
  const ts = ws.nextTs();
  const threadTs = str(args, 'thread_ts');
  ws.ephemerals.push({
    channel,
    user,
    ts,
    ...(threadTs !== undefined ? { threadTs } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
  });
  return { message_ts: ts };
};

const triggerArg = (args: SlackObject) => str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');

const viewsOpen: MethodHandler = (args, ws, { receivedAt }) => {
  const definition = viewArg(args, 'modal');
  const trigger = ws.consumeTrigger(triggerArg(args), receivedAt);
  checkDuplicateExternalId(ws, definition);
  return { view: ws.viewPayload(ws.createView(trigger.userId, definition)) };
};

const viewsPush: MethodHandler = (args, ws, { receivedAt }) => {
  const definition = viewArg(args, 'modal');
  const trigger = ws.consumeTrigger(triggerArg(args), receivedAt);
  const from = trigger.viewId === undefined ? undefined : ws.findOpenView(trigger.viewId, undefined);
  const onto = from ?? ws.openModalOf(trigger.userId);
  if (!onto) fail('not_found', ['[ERROR] no open modal to push onto for this trigger_id']);
  checkDuplicateExternalId(ws, definition);
  return { view: ws.viewPayload(ws.pushView(onto, definition)) };
};

const viewsUpdate: MethodHandler = (args, ws) => {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (viewId === undefined && externalId === undefined) {
    fail('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
  }
  const definition = viewArg(args, 'modal');
  const view = ws.findOpenView(viewId, externalId);
  if (view?.type !== 'modal') fail('not_found');
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== view.hash) fail('hash_conflict');
  checkDuplicateExternalId(ws, definition, view);
  return { view: ws.viewPayload(ws.replaceView(view, definition)) };
};

const viewsPublish: MethodHandler = (args, ws) => {
  const userId = required(args, 'user_id');
  const definition = viewArg(args, 'home');
  if (!/^[UW][A-Z0-9]+$/.test(userId)) fail('invalid_arguments', ['[ERROR] user_id must be a user id']);
  const existingId = ws.homes.get(userId);
  const existing = existingId === undefined ? undefined : ws.views.get(existingId);
  const hash = str(args, 'hash');
  if (existing && hash !== undefined && hash !== existing.hash) fail('hash_conflict');
  const view = existing ? ws.replaceView(existing, definition) : ws.createView(userId, definition);
  ws.homes.set(userId, view.id);
  return { view: ws.viewPayload(view) };
};

const usersInfo: MethodHandler = (args, ws) => {
  const id = required(args, 'user', 'user_not_found');
  const user = ws.users.get(id);
  if (!user) fail('user_not_found');
  const emailVisible = ws.scopes.has('users:read.email') && user.email !== undefined;
  const realName = user.realName ?? user.name;
  return {
    user: {
      id: user.id,
      team_id: ws.teamId,
      name: user.name,
      real_name: realName,
      deleted: false,
      is_bot: user.isBot ?? false,
      tz: 'Europe/Berlin',
      profile: {
        real_name: realName,
        display_name: user.name,
        ...(emailVisible ? { email: user.email } : {}),
      },
    },
  };
};

const usergroupUsers: MethodHandler = (args, ws) => {
  const id = required(args, 'usergroup');
  const users = ws.usergroups.get(id);
  if (!users) fail('no_such_subteam');
  return { users };
};

const conversationsOpen: MethodHandler = (args, ws) => {
  const channel = str(args, 'channel');
  const users = (str(args, 'users') ?? '').split(',').filter((id) => id.trim() !== '');
  if (channel !== undefined) return { channel: { id: channel } };
  if (users.length === 0) fail('users_list_not_supplied');
  if (users.length > 8) fail('too_many_users');
  if (users.length > 1) fail('not_supported', ['[ERROR] group DMs (mpim:write) are not faked']);
  const userId = users[0] ?? '';
  if (ws.users.size > 0 && !ws.users.has(userId)) fail('user_not_found');
  const id = ws.dmOf(userId);
  return bool(args, 'return_im')
    ? { channel: { id, is_im: true, user: userId, is_open: true } }
    : { channel: { id } };
};

const getUploadUrl: MethodHandler = (args, ws, { origin }) => {
  const filename = required(args, 'filename');
  const lengthText = required(args, 'length');
  const length = Number(lengthText);
  if (!Number.isInteger(length) || length < 0)
    fail('invalid_arguments', ['[ERROR] length must be an integer']);
  const id = ws.nextId('F');
  ws.files.set(id, { id, filename, length, completed: false });
  return { upload_url: `${origin}/upload/${id}`, file_id: id };
};

const FileRef = (value: unknown): { id: string; title?: string } | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, title } = value as SlackObject;
  if (typeof id !== 'string') return undefined;
  return typeof title === 'string' ? { id, title } : { id };
};

const completeUpload: MethodHandler = (args, ws) => {
  const refs = Array.isArray(args.files) ? args.files.map(FileRef) : undefined;
  if (!refs || refs.length === 0 || refs.some((ref) => ref === undefined)) {
    fail('invalid_arguments', ['[ERROR] files must be a non-empty array of {id, title}']);
  }
  const channelId = str(args, 'channel_id');
  const channel = channelId === undefined ? undefined : ws.resolveChannel(channelId);
  if (channelId !== undefined && channel !== undefined) {
    ws.checkChannel(channelId);
    ws.checkChannel(channel);
  }
  const threadTs = str(args, 'thread_ts');
  if (threadTs !== undefined && channel === undefined) {
    fail('invalid_arguments', ['[ERROR] thread_ts needs channel_id']);
  }
  const files = refs.flatMap((ref) => (ref ? [ref] : []));
  for (const ref of files) {
    const file = ws.files.get(ref.id);
    if (!file) fail('file_not_found');
    if (!file.content) fail('file_upload_not_complete', [`[ERROR] nothing was uploaded for ${ref.id}`]);
  }
  const initialComment = str(args, 'initial_comment');
  return {
    files: files.map((ref) => {
      const file = ws.files.get(ref.id);
      if (!file) fail('file_not_found');
      file.completed = true;
      if (ref.title !== undefined) file.title = ref.title;
      if (channel !== undefined) file.channel = channel;
      if (threadTs !== undefined) file.threadTs = threadTs;
      if (initialComment !== undefined) file.initialComment = initialComment;
      return { id: file.id, title: file.title ?? file.filename, name: file.filename, size: file.length };
    }),
  };
};

const authTest: MethodHandler = (_args, ws) => ({
  url: 'https://fake.slack.com/',
  team: 'Fake Workspace',
  user: 'licensedesk',
  team_id: ws.teamId,
  user_id: ws.botUserId,
  bot_id: ws.botId,
  is_enterprise_install: false,
});

/** Every faked method by name. */
export const METHODS: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'views.open': viewsOpen,
  'views.push': viewsPush,
  'views.update': viewsUpdate,
  'views.publish': viewsPublish,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'conversations.open': conversationsOpen,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
