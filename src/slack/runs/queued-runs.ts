/**
 * Runs as jobs (STORE=postgres), the Slack side: what a replica does with each job of a run, so
 * that any replica may do any step and a step that dies half-way is done again elsewhere.
 *
 * - `run-start`: approved → running (once across replicas), the summary posted when the request
 *   has none yet (a request that runs at once: the replica that got the click does not post it),
 *   "started" shown, then one `run-chunk` per few seconds of writes (jobs/chunks.ts).
 * - `run-chunk`: its items run with the executor (a retry after a death passes `resumed`, so parts
 *   found applied are successes and nothing is applied twice), results flushed, the summary
 *   updated; the chunk that sees every part with a result sends `run-finish`.
 * - `run-finish`: the results verified against the tenant (verification-run.ts, bounded by the
 *   job's time) and saved with running → completed (once), then the closing posts, each recorded on the request
 *   (`report.posted`) before the next, so a finisher that takes over continues after the last
 *   one made and a second finish posts nothing: the approval thread's outcome, the thread, the CSV.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { allDone, type ChunkSettings, chunksOf, positionsOf } from '../../jobs/chunks.js';
import type { JobContext, RunChunkJob, RunJobHandlers, RunQueue } from '../../jobs/run-queue.js';
import { RunInterruptedError } from '../../licensing/executor.js';
import { type LicensingService, RequestNotRunnableError } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { type Reporter, silentReporter } from '../../licensing/reporter.js';
import { countResults } from '../../licensing/run-counts.js';
import type { Store } from '../../store/store.js';
import type { ApprovalNotifier } from '../approval/approval-notifier.js';
import { SlackReporter } from '../slack-reporter.js';
import { tellRunStopped } from './run-stopped.js';
import { summaryOrNull } from './summary-message.js';

export interface QueuedRunsOptions {
  queue: RunQueue;
  client: WebClient;
  logger: Logger;
  service: LicensingService;
  store: Store;
  approvals: ApprovalNotifier;
  progressIntervalMs: number;
  messageIntervalMs: number;
  purchaseUrl?: string | null;
  /** UNDO_DAYS: completed summaries offer Undo for that many days. */
  undoDays?: number;
  /** How runs are cut into chunks (the tenant's pace, seconds per chunk). */
  chunks: ChunkSettings;
}

/** Part of a job's time it may use before it stops and hands the rest on (pg-boss expires it at 100 %). */
const JOB_TIME_SHARE = 0.6;

/** Thrown by a finisher out of time between two posts: it sends the finish again for what is left. */
class FinishPaused extends Error {}

export class QueuedRuns implements RunJobHandlers {
  constructor(private readonly options: QueuedRunsOptions) {}

  async start({ requestId }: { requestId: string }): Promise<void> {
    const { service, queue, chunks } = this.options;
    const request = await service.beginRun(requestId);
    if (request === null) return;
    const fresh = request.report?.ts === undefined;
    const summary = await summaryOrNull(this.options, request, fresh ? 'runs' : 'resumes', {
      tellRequester: fresh,
    });
    const withSummary =
      summary === null ? request : { ...request, report: { channel: summary.channel, ts: summary.ts } };
    const reporter = await this.#reporter(withSummary);
    await reporter.started(withSummary, countResults(withSummary)).catch(() => {});
    const parts = chunksOf(request, chunks);
    if (parts.length === 0) await queue.sendFinish(requestId);
    else await queue.sendChunks(parts);
  }

  async chunk(job: RunChunkJob, context: JobContext): Promise<void> {
    const { service, store, queue, logger } = this.options;
    const request = await store.getRequest(job.requestId);
    if (request?.status !== 'running') return;
    const reporter = await this.#reporter(request);
    const outOfTime = new AbortController();
    const timer = setTimeout(() => outOfTime.abort(), (context.deadline - Date.now()) * JOB_TIME_SHARE);
    try {
      await service.runChunk(job.requestId, positionsOf(job), reporter, {
        resumed: context.retried,
        signal: outOfTime.signal,
      });
    } catch (error) {
      if (error instanceof RequestNotRunnableError) return;
      // Out of time (a slow or throttled tenant) or stopping: what ran is recorded (the items in
      // flight landed first), the rest goes on as a new job, on any replica, without using a retry.
      if (error instanceof RunInterruptedError) {
        const why = outOfTime.signal.aborted ? 'ran out of time' : 'stopped for shutdown';
        logger.info(`chunk ${job.from}-${job.to} of ${job.requestId} ${why}; it goes on as a new job`);
        await queue.sendChunks([job]);
        return;
      }
      if (context.lastAttempt) await this.#stopped(request, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    await this.#afterChunk(job.requestId, reporter);
  }

  async finish({ requestId }: { requestId: string }, context: JobContext): Promise<void> {
    const { service, store, queue } = this.options;
    const request = await store.getRequest(requestId);
    if (request === null) return;
    if (request.status === 'running' && !allDone(request)) {
      await queue.sendStart(requestId); // not every part has a result: cut again what is left
      return;
    }
    // Verified within the job's share of its time, and saved with the completion before any post.
    await service.finishRun(request, Date.now() + (context.deadline - Date.now()) * JOB_TIME_SHARE);
    const completed = await store.getRequest(requestId);
    if (completed?.status !== 'completed') return;
    try {
      await this.#closingPosts(completed, context.deadline);
    } catch (error) {
      if (!(error instanceof FinishPaused)) throw error;
      await queue.sendFinish(requestId);
    }
  }

  /** The posts after a run, each recorded before the next; those an earlier finisher made are skipped. */
  async #closingPosts(request: ChangeRequest, deadline: number): Promise<void> {
    const { store, approvals } = this.options;
    const stopAt = Date.now() + (deadline - Date.now()) * JOB_TIME_SHARE;
    let report = request.report ?? { channel: request.requestedBy };
    const record = async (posted: number) => {
      report = { ...report, posted };
      await store.transitionRequest(request.id, ['completed'], 'completed', { report });
      if (Date.now() > stopAt) throw new FinishPaused(`finishing ${request.id} goes on as a new job`);
    };
    const counts = countResults(request);
    const posted = report.posted ?? 0;
    if (posted < 1) {
      if ((await store.getApproval(request.id)) !== null)
        await approvals.announceRunOutcome(request.id, counts);
      await record(1);
    }
    const reporter = await this.#reporter(request, {
      postedBefore: Math.max(0, posted - 1),
      onPosted: (thread) => record(thread + 1),
    });
    await reporter.finished(request, counts);
  }

  /** After a chunk: the finish when every part has a result, else the summary with the latest counts. */
  async #afterChunk(requestId: string, reporter: Reporter): Promise<void> {
    const { store, queue } = this.options;
    await store.flush();
    const request = await store.getRequest(requestId);
    if (request?.status !== 'running') return;
    if (allDone(request)) await queue.sendFinish(requestId);
    else await reporter.progress(request, countResults(request)).catch(() => {});
  }

  /** The run's reporter in its summary, or none when it has no summary (the outcome is on App Home). */
  async #reporter(
    request: ChangeRequest,
    thread: { postedBefore?: number; onPosted?: (posted: number) => Promise<void> } = {},
  ): Promise<Reporter> {
    const { report } = request;
    if (report?.ts === undefined) return silentReporter;
    const { client, logger, store, progressIntervalMs, messageIntervalMs, purchaseUrl, undoDays } =
      this.options;
    return new SlackReporter({
      client,
      logger,
      summary: { channel: report.channel, ts: report.ts },
      approval: await store.getApproval(request.id),
      progressIntervalMs,
      messageIntervalMs,
      purchaseUrl: purchaseUrl ?? null,
      ...(undoDays === undefined ? {} : { undoDays }),
      ...thread,
    });
  }

  /** A chunk that failed on its last attempt: the same failure path as a run that stops in one process. */
  #stopped(request: ChangeRequest, error: unknown): Promise<void> {
    const ts = request.report?.ts;
    const summary = ts === undefined ? null : { channel: request.report?.channel ?? request.requestedBy, ts };
    return tellRunStopped(this.options, request, summary, error);
  }
}
