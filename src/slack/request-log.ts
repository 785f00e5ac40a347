/**
 * One line per Slack request at debug level, from a child logger carrying what identifies it: a
 * short request id, the payload type, the Slack user and the callback or action id. The child is
 * put on the context (`context.log`) for listeners that want their lines tied to the request.
 */
import { randomBytes } from 'node:crypto';
import type { AnyMiddlewareArgs, Logger, Middleware } from '@slack/bolt';

type ChildLogger = Logger & { child?(bindings: Record<string, string | undefined>): Logger };

interface RequestFacts {
  type?: string;
  user?: string;
  what?: string;
}

function factsOf(body: unknown): RequestFacts {
  const b = (body ?? {}) as {
    type?: unknown;
    command?: unknown;
    user_id?: unknown;
    user?: { id?: unknown };
    event?: { type?: unknown; user?: unknown };
    view?: { callback_id?: unknown };
    actions?: { action_id?: unknown }[];
    action_id?: unknown;
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    type: text(b.command) ?? text(b.event?.type) ?? text(b.type),
    user: text(b.user_id) ?? text(b.user?.id) ?? text(b.event?.user),
    what: text(b.view?.callback_id) ?? text(b.actions?.[0]?.action_id) ?? text(b.action_id),
  };
}

export function logEachRequest(): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, logger, next }) => {
    const facts = factsOf(body);
    const base = logger as ChildLogger;
    const log =
      base.child?.({
        slackRequest: randomBytes(4).toString('hex'),
        slackType: facts.type,
        slackUser: facts.user,
        slackAction: facts.what,
      }) ?? base;
    context.log = log;
    log.debug('slack request');
    await next();
  };
}

/** A short label of a request for logs: its type and what it is about, never its content. */
export function requestLabel(body: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 80) : '');
  if (typeof body.command === 'string') return `command ${text(body.command)}`;
  const actions = Array.isArray(body.actions) ? (body.actions[0] as Record<string, unknown>) : undefined;
  const view = body.view as Record<string, unknown> | undefined;
  const event = body.event as Record<string, unknown> | undefined;
  const about =
    text(actions?.action_id) || text(body.action_id) || text(view?.callback_id) || text(event?.type);
  return `${text(body.type) || 'request'} ${about}`.trim();
}
