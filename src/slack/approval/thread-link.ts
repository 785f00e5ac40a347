/**
 * The link to a request's thread (the operator's summary message) for the approval message, from
 * chat.getPermalink (no scope needed). A link never changes, so it is asked once per request; a
 * failure only leaves the link out (approvers still decide) and is asked again next time.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../../licensing/model.js';

export class ThreadLinks {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #links = new Map<string, string>();

  constructor(client: WebClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  /** The permalink of the request's summary, or undefined while it has none or Slack gives none. */
  async of(request: Pick<ChangeRequest, 'id' | 'report'>): Promise<string | undefined> {
    const known = this.#links.get(request.id);
    if (known !== undefined) return known;
    const report = request.report;
    if (report?.ts === undefined) return undefined;
    try {
      const linked = await this.#client.chat.getPermalink({ channel: report.channel, message_ts: report.ts });
      if (linked.permalink === undefined) return undefined;
      // Bounded: the oldest link goes first once many requests were linked.
      if (this.#links.size >= 1000) this.#links.delete(this.#links.keys().next().value ?? '');
      this.#links.set(request.id, linked.permalink);
      return linked.permalink;
    } catch (error) {
      this.#logger.warn(
        `linking the thread of ${request.id} failed; the approval message goes without it`,
        error,
      );
      return undefined;
    }
  }
}
