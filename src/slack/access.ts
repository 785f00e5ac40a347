/**
 * Who may do what, as per-route middleware. Identity comes only from the signed payload's user
 * id; roles from the configured user ids and user-group members (usergroups.users.list, cached
 * briefly because it is a Tier 2 method).
 */
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Context, Logger, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Draft, Store } from '../store/store.js';
import { DraftMetadata, parseMetadata, viewOf } from './payloads.js';
import { isLate, withinBudget } from './views.js';

export interface RoleCheckOptions {
  userIds: readonly string[];
  usergroupId: string | undefined;
  /** Everyone holds the role (the demo provider with no operator configured). */
  openToAll?: boolean;
  cacheMs?: number;
  /**
   * Longest a check waits for usergroups.users.list (default 1,000 ms). Checks run before the
   * ack, and the Web API client waits out rate limits and retries failures for minutes.
   */
  membersWaitMs?: number;
  now?: () => number;
}

export class RoleCheck {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #userIds: ReadonlySet<string>;
  readonly #usergroupId: string | undefined;
  readonly #openToAll: boolean;
  readonly #cacheMs: number;
  readonly #membersWaitMs: number;
  readonly #now: () => number;
  #members: { ids: ReadonlySet<string>; until: number } | null = null;
  #loading: Promise<ReadonlySet<string>> | null = null;

  constructor(client: WebClient, logger: Logger, options: RoleCheckOptions) {
    this.#client = client;
    this.#logger = logger;
    this.#userIds = new Set(options.userIds);
    this.#usergroupId = options.usergroupId;
    this.#openToAll = options.openToAll ?? false;
    this.#cacheMs = options.cacheMs ?? 60_000;
    this.#membersWaitMs = options.membersWaitMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  get openToAll(): boolean {
    return this.#openToAll;
  }

  async allows(userId: string | undefined): Promise<boolean> {
    if (userId === undefined || userId === '') return false;
    if (this.#openToAll || this.#userIds.has(userId)) return true;
    if (this.#usergroupId === undefined) return false;
    return (await this.#groupMembers()).has(userId);
  }

  async #groupMembers(): Promise<ReadonlySet<string>> {
    const cached = this.#members;
    if (cached !== null && cached.until > this.#now()) return cached.ids;
    // One call for concurrent checks.
    this.#loading ??= this.#loadMembers().finally(() => {
      this.#loading = null;
    });
    const loaded = await withinBudget(this.#loading, this.#membersWaitMs);
    if (!isLate(loaded)) return loaded;
    // Slack is slow (rate limited, retrying): decide on the last known members, failing closed
    // without any, rather than past the ack deadline; the load goes on and fills the cache.
    this.#logger.warn(`usergroups.users.list ${this.#usergroupId} is slow; using the last known members`);
    return this.#members?.ids ?? new Set();
  }

  async #loadMembers(): Promise<ReadonlySet<string>> {
    try {
      const response = await this.#client.usergroups.users.list({ usergroup: this.#usergroupId as string });
      const ids = new Set(response.users ?? []);
      this.#members = { ids, until: this.#now() + this.#cacheMs };
      return ids;
    } catch (error) {
      // Fail closed, but keep the last known members when Slack is briefly unavailable.
      this.#logger.warn(`usergroups.users.list ${this.#usergroupId} failed`, error);
      return this.#members?.ids ?? new Set();
    }
  }
}

export interface Access {
  operators: RoleCheck;
  approvers: RoleCheck;
}

export function createAccess(config: Config, client: WebClient, logger: Logger): Access {
  const noOperatorConfigured =
    config.OPERATOR_USER_IDS.length === 0 && config.OPERATOR_USERGROUP_ID === undefined;
  return {
    operators: new RoleCheck(client, logger, {
      userIds: config.OPERATOR_USER_IDS,
      usergroupId: config.OPERATOR_USERGROUP_ID,
      openToAll: noOperatorConfigured && config.LICENSE_PROVIDER === 'demo',
    }),
    approvers: new RoleCheck(client, logger, {
      userIds: config.APPROVER_USER_IDS,
      usergroupId: config.APPROVER_USERGROUP_ID,
    }),
  };
}

export type AnyArgs = AnyMiddlewareArgs & AllMiddlewareArgs;

const SlackUserId = z.string().min(1).max(255);

const ActingUser = z.union([
  z.object({ user_id: SlackUserId }).transform((body) => body.user_id),
  z.object({ user: z.object({ id: SlackUserId }) }).transform((body) => body.user.id),
  z.object({ event: z.object({ user: SlackUserId }) }).transform((body) => body.event.user),
]);

/** The acting user, from the signed payload only. */
export function actingUserId(args: Pick<AnyMiddlewareArgs, 'body'>): string | undefined {
  const parsed = ActingUser.safeParse(args.body);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Answers a request that is refused, in the way its surface allows, and does nothing else:
 * a slash command gets an ephemeral reply in its ack, an options load gets no options, a view
 * submission gets an inline error, and a click gets an ephemeral message (or a DM when no channel
 * is known).
 */
export async function refuse(args: AnyArgs, text: string, channelId?: string): Promise<void> {
  if ('command' in args) {
    await args.ack({ response_type: 'ephemeral', text });
    return;
  }
  if ('options' in args) {
    await args.ack({ options: [] });
    return;
  }
  if ('view' in args && args.body.type === 'view_submission') {
    // Inline errors only show under an input block; without one the view is just closed.
    const input = viewOf(args.body)?.blocks.find((block) => block.type === 'input' && block.block_id);
    if (input?.block_id !== undefined) {
      await args.ack({ response_action: 'errors', errors: { [input.block_id]: text } });
      return;
    }
  }
  if ('ack' in args && args.ack !== undefined) await args.ack();
  const userId = actingUserId(args);
  if (userId === undefined) return;
  const channel = channelId ?? messageChannel(args);
  if (channel !== undefined) {
    await args.client.chat.postEphemeral({ channel, user: userId, text });
  } else {
    await args.client.chat.postMessage({ channel: userId, text });
  }
}

function messageChannel(args: AnyMiddlewareArgs): string | undefined {
  const parsed = z.object({ channel: z.object({ id: SlackUserId }) }).safeParse(args.body);
  return parsed.success ? parsed.data.channel.id : undefined;
}

export const refusals = {
  operator: 'Only LicenseDesk operators may manage licenses. Ask an admin to add you.',
  approver: 'Only approvers may decide on this request.',
  expired: 'This form has expired. Run /licenses again.',
  notYours: 'This form belongs to someone else. Run /licenses to open your own.',
} as const;

/** Lets the request through only when the acting user holds `role`. */
export function requireRole(role: RoleCheck, refusal: string): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    if (await role.allows(actingUserId(args))) {
      await args.next();
      return;
    }
    await refuse(args, refusal);
  };
}

/** The draft a modal belongs to, put on the context by requireOwnDraft. */
export interface DraftContext {
  draft: Draft;
  meta: DraftMetadata;
}

const draftKey = 'licenseDeskDraft';

/**
 * Loads the draft named in the view's private_metadata and lets the request through only when
 * the acting user owns it; the metadata is a reference, never authority. With `needsCustomer`
 * (the users and licenses steps) a draft still at the customer step is refused like an expired one.
 */
export function requireOwnDraft(
  store: Store,
  options: { needsCustomer?: boolean } = {},
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const meta = parseMetadata(DraftMetadata, viewOf(args.body)?.private_metadata);
    const draft = meta === null ? null : await store.getDraft(meta.draftId);
    if (meta === null || draft === null || (options.needsCustomer === true && draft.customerId === null)) {
      await refuse(args, refusals.expired);
      return;
    }
    const userId = actingUserId(args);
    if (userId === undefined || draft.ownerId !== userId) {
      await refuse(args, refusals.notYours, draft.channelId);
      return;
    }
    const found: DraftContext = { draft, meta };
    args.context[draftKey] = found;
    await args.next();
  };
}

/** The owned draft of a request that passed requireOwnDraft. */
export function draftOf(context: Context): DraftContext {
  const found = context[draftKey] as DraftContext | undefined;
  if (found === undefined) throw new Error('requireOwnDraft must run before this listener');
  return found;
}

/** The customer a draft is about; the users and licenses steps only exist once it is chosen. */
export function draftCustomerId(draft: Draft): string {
  if (draft.customerId === null) throw new Error(`draft ${draft.id} has no customer yet`);
  return draft.customerId;
}
