/**
 * The link to a request's thread (the operator's summary message) for the approval message, from
 * chat.getPermalink (no scope needed). A link never changes, so it is asked once per request; a
 * failure only leaves the link out (approvers still decide) and is asked again next time.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../../licensing/model.js';
import { PerRequestMemo } from './per-request-memo.js';

/** The permalink of a request's summary, or undefined while it has none or Slack gives none. */
export type ThreadLinks = (request: Pick<ChangeRequest, 'id' | 'report'>) => Promise<string | undefined>;

export function threadLinks(client: WebClient, logger: Logger): ThreadLinks {
  const links = new PerRequestMemo<string>(
    logger,
    (id) => `linking the thread of ${id} failed; the approval message goes without it`,
  );
  return async ({ id, report }) => {
    if (report?.ts === undefined) return undefined;
    const { channel, ts } = report;
    return links.of(id, async () => (await client.chat.getPermalink({ channel, message_ts: ts })).permalink);
  };
}
