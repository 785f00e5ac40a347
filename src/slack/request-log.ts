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
