/** Public shapes of the Slack fake: what tests read back after the app has talked to it. */

/** A JSON object as Slack sends and receives it. */
export type SlackObject = Record<string, unknown>;

/** One Web API call as the fake received it; `args` has its JSON-string fields decoded. */
export interface RecordedCall {
  method: string;
  args: SlackObject;
  ok: boolean;
  error?: string;
  /** The JSON the fake answered with. */
  response: SlackObject;
  /** `Date.now()` when the call arrived. */
  at: number;
}

/** One element's entry in `view.state.values[block_id][action_id]`, e.g. `{ type, selected_options }`. */
export type StateValue = { type: string } & SlackObject;

/** `view.state.values`: block_id → action_id → state value. */
export type StateValues = Record<string, Record<string, StateValue>>;

/** Partial state entries as a test supplies them (the `type` is taken from the element). */
export type EnteredValues = Record<string, Record<string, SlackObject>>;

/** A modal or Home view as Slack holds it. */
export interface FakeView {
  id: string;
  type: 'modal' | 'home';
  userId: string;
  /** Root of the modal's stack (the view itself for a root or a Home view). */
  rootViewId: string;
  previousViewId: string | null;
  /** Changes on every update; `views.update` with an older one fails with `hash_conflict`. */
  hash: string;
  externalId: string;
  callbackId: string;
  privateMetadata: string;
  /** The view as the app last sent it, with the block_id / action_id Slack assigns filled in. */
  definition: SlackObject;
  blocks: SlackObject[];
  /** What the user entered (driver), kept across updates while block_id and action_id stay. */
  entered: StateValues;
  /** False once closed by the user or by a `response_action`. */
  open: boolean;
  /** How many times the app replaced it (views.update or `response_action: update`). */
  updates: number;
}

/** A message the bot posted (top-level or in a thread). */
export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: SlackObject[];
  attachments?: SlackObject[];
  metadata?: SlackObject;
  /** How many times `chat.update` changed it. */
  edits: number;
}

/** An ephemeral message (`chat.postEphemeral`). */
export interface FakeEphemeral {
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: SlackObject[];
}

/** A file from `files.getUploadURLExternal` → upload → `files.completeUploadExternal`. */
export interface FakeFile {
  id: string;
  filename: string;
  title?: string;
  /** Bytes announced in `files.getUploadURLExternal`. */
  length: number;
  /** Bytes received at the upload URL (undefined until uploaded). */
  content?: Buffer;
  completed: boolean;
  channel?: string;
  threadTs?: string;
  initialComment?: string;
}

/** A POST the app made to a `response_url` the driver handed out. */
export interface ResponseUrlPost {
  id: string;
  body: SlackObject;
  at: number;
}

/** A Slack user `users.info` knows. */
export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  email?: string;
  isBot?: boolean;
}

/** Options of `startSlackFake`. */
export interface SlackFakeOptions {
  botToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  appId?: string;
  /** Bot scopes granted; defaults to manifest.yml's. A method needing another gets `missing_scope`. */
  scopes?: readonly string[];
  /** Lifetime of a trigger id (Slack: 3 s). */
  triggerTtlMs?: number;
  /** Clock used for trigger expiry; defaults to `Date.now`. */
  now?: () => number;
  users?: FakeUser[];
}
