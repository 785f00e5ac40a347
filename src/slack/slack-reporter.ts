/**
 * The Reporter of one request in Slack: the summary message (updated in place, at most every
 * `progressIntervalMs` while the run goes) and, at the end, the results in its thread: a bounded
 * number of messages (each ≤ 50 blocks) and a CSV of every result, however small the request.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { renderRunResults } from '../../blocks/run-results.js';
import { renderRunSummary } from '../../blocks/run-summary.js';
import { renderMismatches } from '../../blocks/verification.js';
import {
  type ChangeItem,
  type ChangeRequest,
  failureMessages,
  type ItemResult,
  type RunCounts,
} from '../licensing/model.js';
import type { Reporter } from '../licensing/reporter.js';
import type { Approval } from '../store/store.js';

export interface SlackReporterOptions {
  client: WebClient;
  logger: Logger;
  /** The summary message; its thread gets the results. */
  summary: { channel: string; ts: string };
  /** The approval of an approved request, so the summary keeps saying who approved it. */
  approval?: Approval | null;
  progressIntervalMs: number;
  /** Pause between two thread messages (Slack: about one message a second a channel). */
  messageIntervalMs: number;
  /** Where seats are bought (PURCHASE_URL): linked in the thread's fix for "no seats left". */
  purchaseUrl?: string | null;
  /** UNDO_DAYS: the completed summary offers Undo for that many days after the run finished. */
  undoDays?: number;
  now?: () => number;
  /**
   * The thread's posts (its messages, then the CSV) an earlier finisher of this run already made:
   * skipped, so a finisher that takes over posts each once (default 0).
   */
  postedBefore?: number;
  /** Hears how many of the thread's posts are made after each one (a finisher records it). */
  onPosted?: (posted: number) => Promise<void>;
}

export class SlackReporter implements Reporter {
  readonly #options: SlackReporterOptions;
  readonly #now: () => number;
  #lastUpdateAt = Number.NEGATIVE_INFINITY;
  /** Where a resumed run's pace is measured from: its resumption (the request's startedAt is older). */
  #paceFrom: { at: string; done: number } | undefined;
  /** Summary updates go one after another, so a late progress update never overwrites the final one. */
  #updating: Promise<void> = Promise.resolve();

  constructor(options: SlackReporterOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async started(request: ChangeRequest, counts: RunCounts): Promise<void> {
    if (counts.done > 0) this.#paceFrom = { at: new Date(this.#now()).toISOString(), done: counts.done };
    await this.#updateSummary(request, counts);
  }

  async progress(request: ChangeRequest, counts: RunCounts): Promise<void> {
    if (this.#now() - this.#lastUpdateAt < this.#options.progressIntervalMs) return;
    await this.#updateSummary(request, counts);
  }

  async itemDone(_request: ChangeRequest, _item: ChangeItem, _results: readonly ItemResult[]): Promise<void> {
    // Results are posted together at the end, grouped: never one message per user.
  }

  async finished(request: ChangeRequest, counts: RunCounts): Promise<void> {
    await this.#updateSummary(request, counts);
    await this.#postResults(request);
  }

  #updateSummary(request: ChangeRequest, counts: RunCounts): Promise<void> {
    this.#lastUpdateAt = this.#now();
    const { client, summary, logger } = this.#options;
    const message = renderRunSummary({
      request,
      counts,
      approval: this.#options.approval ?? null,
      now: this.#now(),
      ...(this.#options.undoDays === undefined ? {} : { undoDays: this.#options.undoDays }),
      ...(this.#paceFrom === undefined ? {} : { paceFrom: this.#paceFrom }),
      failureMessages,
    });
    this.#updating = this.#updating.then(async () => {
      try {
        await client.chat.update({
          channel: summary.channel,
          ts: summary.ts,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (error) {
        logger.warn(`updating the summary of ${request.id} failed`, error);
      }
    });
    return this.#updating;
  }

  async #postResults(request: ChangeRequest): Promise<void> {
    const { client, summary, messageIntervalMs, postedBefore = 0, onPosted } = this.#options;
    // A result the tenant contradicts is a result of its own: its message follows the others.
    const messages = [
      ...renderRunResults({
        request,
        csvAttached: true,
        failureMessages,
        purchaseUrl: this.#options.purchaseUrl ?? null,
      }),
      ...renderMismatches(request),
    ];
    const posts = messages.map((message) => async () => {
      await client.chat.postMessage({
        channel: summary.channel,
        thread_ts: summary.ts,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
    });
    posts.push(() => this.#uploadCsv(request));
    for (let index = postedBefore; index < posts.length; index++) {
      if (index > postedBefore && index < messages.length) await sleep(messageIntervalMs);
      await posts[index]?.();
      await onPosted?.(index + 1);
    }
  }

  async #uploadCsv(request: ChangeRequest): Promise<void> {
    const { client, summary } = this.#options;
    await client.files.uploadV2({
      channel_id: summary.channel,
      thread_ts: summary.ts,
      filename: `licenses-${request.id}.csv`,
      title: `All results for ${request.customerName}`,
      content: renderResultsCsv(request, failureMessages, { purchaseUrl: this.#options.purchaseUrl ?? null }),
    });
  }
}
