/**
 * The link to a request's thread (the operator's summary message) for the approval message, from
 * chat.getPermalink (no scope needed). A link never changes, so it is asked once per request; a
 * failure only leaves the link out (approvers still decide) and is asked again next time.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../../licensing/model.js';
import { PerRequestMemo } from './per-request-memo.js';

export class ThreadLinks {
  readonly #client: WebClient;
  readonly #links: PerRequestMemo<string>;

  constructor(client: WebClient, logger: Logger) {
    this.#client = client;
    this.#links = new PerRequestMemo(
      logger,
      (id) => `linking the thread of ${id} failed; the approval message goes without it`,
    );
  }

  /** The permalink of the request's summary, or undefined while it has none or Slack gives none. */
  async of(request: Pick<ChangeRequest, 'id' | 'report'>): Promise<string | undefined> {
    const report = request.report;
    if (report?.ts === undefined) return undefined;
    const { channel, ts } = report;
    return this.#links.of(request.id, async () => {
      const linked = await this.#client.chat.getPermalink({ channel, message_ts: ts });
      return linked.permalink;
    });
  }
}
