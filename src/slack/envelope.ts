/**
 * What Slack may post to /slack/events, checked with zod before Bolt or a listener sees it.
 *
 * Bolt sniffs a body's kind from its fields (`event`, `command`, `actions`, `view`…) and reads
 * some of them without checks (`body.user.id`, `body.channel.id`, `body.view.callback_id`,
 * `actions[0].block_id.match(…)`, `body.response_urls.length`); a signed body of the wrong shape
 * would throw inside Bolt or reach a listener. The schemas below require exactly what routing
 * and our access checks rely on, keep every other field as sent (listeners parse what they read
 * with the schemas in payloads.ts), and refuse fields that would make Bolt misread the kind.
 *
 * Only what LicenseDesk subscribes to (manifest.yml) goes through: the `/licenses` command,
 * block_actions, view_submission, view_closed, block_suggestion and the app_home_opened event.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

export type Decoded =
  /** Slack checking the TLS certificate of a slash command URL: answer 200, nothing else. */
  | { kind: 'ssl_check' }
  /** Events API URL check: answer with the challenge. */
  | { kind: 'url_verification'; challenge: string }
  /** Valid, but nothing for the app (an event type we do not subscribe to, app_rate_limited). */
  | { kind: 'ignored'; reason: string }
  /** For Bolt. */
  | { kind: 'dispatch'; body: Record<string, unknown> }
  | { kind: 'malformed'; reason: string };

const SlackId = z.string().min(1).max(255);
/** A field whose presence would make Bolt take the body for another kind. */
const Absent = z.never().optional();

const ObjectWithId = z.looseObject({ id: z.string() });
const Option = z.looseObject({ value: z.string().max(2000) });

/** `view.state` / message `state`: block_id → action_id → { type, …value }. */
const StateShape = z.looseObject({
  values: z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string() }))),
});

const BlockShape = z.looseObject({ type: z.string(), block_id: z.string().max(255).optional() });

const ViewShape = z.looseObject({
  id: SlackId,
  type: z.string(),
  callback_id: z.string().max(255),
  blocks: z.array(BlockShape).max(100),
  private_metadata: z.string().max(3000).optional(),
  hash: z.string().optional(),
  state: StateShape.optional(),
  root_view_id: z.string().nullish(),
  previous_view_id: z.string().nullish(),
  app_installed_team_id: z.string().nullish(),
});

const ActionShape = z.looseObject({
  type: z.string(),
  action_id: SlackId,
  block_id: SlackId,
  value: z.string().max(2000).nullish(),
  selected_option: Option.nullish(),
  selected_options: z.array(Option).optional(),
});

/** Fields every interaction payload shares, as Bolt reads them. */
const interactionFields = {
  user: z.looseObject({ id: SlackId, team_id: z.string().optional() }),
  team: ObjectWithId.nullish(),
  enterprise: ObjectWithId.nullish(),
  is_enterprise_install: z.boolean().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  response_urls: z.array(z.looseObject({ response_url: z.string() })).optional(),
  channel: ObjectWithId.optional(),
  container: z.looseObject({ type: z.string() }).optional(),
  event: Absent,
  command: Absent,
  // Workflow-function fields: Bolt would call the Web API with the token they carry.
  function_data: Absent,
  bot_access_token: Absent,
};

const Interaction = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('block_actions'),
    ...interactionFields,
    actions: z.array(ActionShape).min(1).max(25),
    view: ViewShape.optional(),
    message: z.looseObject({ ts: z.string() }).optional(),
    state: StateShape.optional(),
  }),
  z.looseObject({ type: z.literal('view_submission'), ...interactionFields, view: ViewShape }),
  z.looseObject({ type: z.literal('view_closed'), ...interactionFields, view: ViewShape }),
  z.looseObject({
    type: z.literal('block_suggestion'),
    ...interactionFields,
    action_id: SlackId,
    block_id: SlackId,
    value: z.string().max(2000),
    view: ViewShape.optional(),
  }),
]);

const SlashCommand = z.looseObject({
  command: z.string().min(1).max(100),
  user_id: SlackId,
  team_id: SlackId,
  trigger_id: z.string().min(1).max(255),
  // Slack sends an empty `text` for a bare command; a missing one means the same.
  text: z.string().max(4000).default(''),
  channel_id: z.string().optional(),
  response_url: z.string().optional(),
  enterprise_id: z.string().optional(),
  is_enterprise_install: z.string().optional(),
  event: Absent,
  actions: Absent,
  type: Absent,
});

const Authorization = z.looseObject({
  team_id: z.string().nullish(),
  enterprise_id: z.string().nullish(),
  user_id: z.string().optional(),
  is_bot: z.boolean().optional(),
  is_enterprise_install: z.boolean().optional(),
});

const EventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().optional(),
  enterprise_id: z.string().nullish(),
  event_id: z.string().optional(),
  authorizations: z.array(Authorization).optional(),
  event: z.looseObject({ type: z.string() }),
});

/** The one event the app subscribes to, reduced to the fields Bolt and publishHome read. */
const AppHomeOpened = z.object({
  type: z.literal('app_home_opened'),
  user: SlackId,
  channel: z.string().optional(),
  tab: z.string().optional(),
  event_ts: z.string().optional(),
  view: z.looseObject({ id: z.string() }).optional(),
});

const UrlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string().max(1000) });

/** A short description of why a value failed a schema (paths and messages, no values). */
function reasonOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}

/** JSON.parse that refuses `__proto__` keys: no Slack payload has one, and they could shadow validated fields. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value: unknown = JSON.parse(text, (key, item) => {
      if (key === '__proto__') throw new SyntaxError('__proto__ key');
      return item;
    });
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** The media type of a Content-Type header (`application/json; charset=utf-8` → `application/json`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Form fields, or null when a field repeats or is named `__proto__`. */
function formFields(raw: Buffer): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (key === '__proto__' || Object.hasOwn(fields, key)) return null;
    fields[key] = value;
  }
  return fields;
}

/** True for Slack's ssl_check form post, the only request Slack sends unsigned. */
export function isSslCheck(contentType: string | undefined, raw: Buffer): boolean {
  return mediaTypeOf(contentType) === FORM && formFields(raw)?.ssl_check === '1';
}

function decodeForm(raw: Buffer): Decoded {
  const fields = formFields(raw);
  if (fields === null) return { kind: 'malformed', reason: 'repeated or reserved form field' };
  if (fields.ssl_check === '1') return { kind: 'ssl_check' };
  if (fields.payload !== undefined) {
    const json = parseJson(fields.payload);
    if (!json.ok) return { kind: 'malformed', reason: 'payload is not JSON' };
    const parsed = Interaction.safeParse(json.value);
    return parsed.success
      ? { kind: 'dispatch', body: parsed.data }
      : { kind: 'malformed', reason: `interaction payload: ${reasonOf(parsed.error)}` };
  }
  const parsed = SlashCommand.safeParse(fields);
  return parsed.success
    ? { kind: 'dispatch', body: parsed.data }
    : { kind: 'malformed', reason: `slash command: ${reasonOf(parsed.error)}` };
}

function decodeJson(raw: Buffer): Decoded {
  const json = parseJson(raw.toString('utf8'));
  if (!json.ok) return { kind: 'malformed', reason: 'body is not JSON' };
  const verification = UrlVerification.safeParse(json.value);
  if (verification.success) return { kind: 'url_verification', challenge: verification.data.challenge };
  const type = z.looseObject({ type: z.string() }).safeParse(json.value);
  if (type.success && type.data.type === 'app_rate_limited') {
    return { kind: 'ignored', reason: 'app_rate_limited' };
  }
  const envelope = EventCallback.safeParse(json.value);
  if (!envelope.success) return { kind: 'malformed', reason: `event: ${reasonOf(envelope.error)}` };
  if (envelope.data.event.type !== 'app_home_opened') {
    return { kind: 'ignored', reason: `event ${envelope.data.event.type.slice(0, 50)} is not subscribed` };
  }
  const event = AppHomeOpened.safeParse(envelope.data.event);
  return event.success
    ? { kind: 'dispatch', body: { ...envelope.data, event: event.data } }
    : { kind: 'malformed', reason: `app_home_opened: ${reasonOf(event.error)}` };
}

/** Decodes and checks a verified request body. */
export function decodeSlackRequest(contentType: string | undefined, raw: Buffer): Decoded {
  const media = mediaTypeOf(contentType);
  if (media === FORM) return decodeForm(raw);
  if (media === JSON_TYPE) return decodeJson(raw);
  return { kind: 'malformed', reason: `unsupported content type ${media.slice(0, 50) || '(none)'}` };
}

/** Slack's retry headers of a request (x-slack-retry-num, x-slack-retry-reason), as Bolt reads them. */
export function retryOf(headers: IncomingHttpHeaders): {
  retryNum: number | undefined;
  retryReason: string | undefined;
} {
  const num = headers['x-slack-retry-num'];
  const reason = headers['x-slack-retry-reason'];
  return {
    retryNum: typeof num === 'string' && /^\d{1,3}$/.test(num) ? Number(num) : undefined,
    retryReason: typeof reason === 'string' ? reason.slice(0, 100) : undefined,
  };
}
