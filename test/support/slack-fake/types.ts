/** Public shapes of the Slack fake: the running fake (`SlackFake`) and what tests read back after the app has talked to it. */

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

/** The running fake. Everything a test needs to act as Slack and to check what the app did. */
export interface SlackFake {
  /** Web API base, `http://127.0.0.1:PORT/api/`: pass as `SLACK_API_URL` / `clientOptions.slackApiUrl`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  botToken: string;
  botUserId: string;
  botId: string;
  teamId: string;
  appId: string;

  /** Every Web API call so far, oldest first. */
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  resetCalls(): void;
  /** Calls to methods not in `allowed`, or that failed when `failedAllowed` is false (default). */
  unexpectedCalls(allowed: readonly string[], options?: { failedAllowed?: boolean }): RecordedCall[];
  /** Resolves with the first value `probe` returns that is not undefined/false, polling until `timeoutMs`. */
  waitFor<T>(probe: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  /** Resolves with the `count`-th call to `method` (1-based, default 1), waiting until it arrives. */
  waitForCall(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall>;

  /** A fresh trigger id for `userId` (valid 3 s, once); `viewId` = the view the interaction came from. */
  issueTriggerId(userId: string, viewId?: string): string;
  /** A new `response_url` on this fake (`/response_url/<id>`), with its id. */
  issueResponseUrl(): { id: string; url: string };

  /** A view by id (open or closed). */
  view(viewId: string): FakeView | undefined;
  /** The top view of the user's current modal, if one is open. */
  openModalOf(userId: string): FakeView | undefined;
  /** Ids of the views in the modal stack `viewId` belongs to, root first. */
  stackOf(viewId: string): string[];
  /** The view as Slack sends it in payloads (`id`, `hash`, `state.values`…). */
  viewPayload(viewId: string): SlackObject;
  /** The user's published Home tab view. */
  home(userId: string): FakeView | undefined;

  /** Messages the bot posted, top-level and replies, in order; only `channel`'s when given. */
  messages(channel?: string): FakeMessage[];
  /** A top-level message by channel and ts. */
  message(channel: string, ts: string): FakeMessage | undefined;
  /** The replies in the thread of `ts` (without the parent). */
  thread(channel: string, ts: string): FakeMessage[];
  ephemerals(): FakeEphemeral[];
  /** Files completed with `files.completeUploadExternal` (all, with `all: true`). */
  files(options?: { all?: boolean }): FakeFile[];
  /** POSTs the app made to response_urls (only `id`'s when given). */
  responses(id?: string): ResponseUrlPost[];
  /** The DM channel id `conversations.open` gives for a user (`D…`). */
  dmChannelOf(userId: string): string;

  /** Acting as the user: records what they entered in a view (block_id → action_id → partial state). */
  enterValues(viewId: string, values: EnteredValues): void;
  /** Acting as Slack on a `response_action: update`: replaces the view's content, new hash. */
  replaceView(viewId: string, view: SlackObject): FakeView;
  /** Acting as Slack on a `response_action: push`: pushes onto the view's stack. */
  pushView(viewId: string, view: SlackObject): FakeView;
  /** Closes the view and any above it (user pressed Cancel / back, or an empty submission ack). */
  closeView(viewId: string): void;
  /** Closes every view of the modal (`response_action: clear`, the × button). */
  clearModal(viewId: string): void;

  addUser(user: FakeUser): void;
  setUsergroup(id: string, userIds: string[]): void;
  /** Every call naming `channel` (or its DM for a user id) fails with `error`; `undefined` clears it. */
  setChannelError(channel: string, error: string | undefined): void;
  /** The next call to `method` fails with `error`. Queues when called several times. */
  failNext(method: string, error: string): void;
  /** The next call to `method` gets HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number): void;

  close(): Promise<void>;
}
