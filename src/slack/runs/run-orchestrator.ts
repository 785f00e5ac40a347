/**
 * The one way a request gets run from Slack. A submission, an approval and a restart all come
 * here: the request's summary message (where /licenses ran, or a DM), then its approval request
 * or its run, reported in the summary's thread. A run that fails unexpectedly is handled in one
 * place: logged, audited as `run_stopped`, and the operator told. This module is the seam where
 * runs would go through a job queue when several replicas share a database (DESIGN.md §7).
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChunkSettings } from '../../jobs/chunks.js';
import type { RunQueue } from '../../jobs/run-queue.js';
import { RunInterruptedError } from '../../licensing/executor.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { type Reporter, silentReporter } from '../../licensing/reporter.js';
import type { Approval, Store } from '../../store/store.js';
import type { ApprovalNotifier } from '../approval/approval-notifier.js';
import type { RunTracker } from '../run-tracker.js';
import { SlackReporter } from '../slack-reporter.js';
import { QueuedRuns } from './queued-runs.js';
import { tellRunStopped } from './run-stopped.js';
import { type GoesOn, type PostedSummary, type SummaryMessage, summaryOrNull } from './summary-message.js';

export interface RunOrchestratorOptions {
  client: WebClient;
  logger: Logger;
  service: LicensingService;
  store: Store;
  /** Where the background work is tracked, so shutdown and tests can wait for it. */
  tracker: RunTracker;
  approvals: ApprovalNotifier;
  /** Minimum time between two in-place updates of a run's summary. */
  progressIntervalMs: number;
  /** Pause between thread messages of one run (Slack allows about one message a second a channel). */
  messageIntervalMs: number;
  /** Where seats are bought (PURCHASE_URL): linked in the thread's fix for "no seats left". */
  purchaseUrl?: string | null;
  /** UNDO_DAYS: completed summaries offer Undo for that many days. */
  undoDays?: number;
  /**
   * Queue mode (STORE=postgres): runs go through these pg-boss jobs on any replica, cut into
   * chunks by `chunks` (queued-runs.ts); without it they run in this process as before.
   */
  queue?: { jobs: RunQueue; chunks: ChunkSettings };
}

export class RunOrchestrator {
  readonly #options: RunOrchestratorOptions;
  /** Queue mode: this replica's part of the runs' jobs. */
  readonly #queued: { jobs: RunQueue; handlers: QueuedRuns } | undefined;

  constructor(options: RunOrchestratorOptions) {
    this.#options = options;
    const { queue } = options;
    this.#queued =
      queue === undefined
        ? undefined
        : {
            jobs: queue.jobs,
            handlers: new QueuedRuns({ ...options, queue: queue.jobs, chunks: queue.chunks }),
          };
  }

  /**
   * A submission was saved (and the operator shown so): its summary, then its approval request or
   * its run. `movedToDm` hears of a summary that went to the operator's DM instead.
   */
  submitted(
    request: ChangeRequest,
    needsApproval: boolean,
    movedToDm: (summary: PostedSummary) => Promise<void>,
  ): void {
    const { tracker, approvals } = this.#options;
    // Queue mode: its run-start job, enqueued with the request, posts the summary and runs it.
    if (this.#queued !== undefined && !needsApproval) return;
    tracker.track(`summary of ${request.id}`, async () => {
      // The modal already says the request is under way: it still runs, reported on App Home.
      const summary = await this.#summary(request, needsApproval ? 'waits for approval' : 'runs', {
        tellRequester: true,
      });
      if (summary?.movedToDm) await movedToDm(summary);
      if (needsApproval) await approvals.postRequest(request.id);
      else this.#run(request, summary, null);
    });
  }

  /** An approver approved `requestId`: show the decision, then run it like any run. */
  approved(requestId: string): void {
    const { tracker, approvals, store, logger } = this.#options;
    tracker.track(`approved request ${requestId}`, async () => {
      // Slack failing to show the decision or the summary must not keep the approved request from
      // running: it would stay approved, unstarted, until the next restart.
      await approvals
        .announceDecision(requestId)
        .catch((error: unknown) => logger.error(`announcing the approval of ${requestId} failed`, error));
      // Queue mode: the run-start job enqueued with the approval runs it, on any replica.
      if (this.#queued !== undefined) return;
      const request = await store.getRequest(requestId);
      if (request === null) return;
      const summary = await this.#summary(request, 'runs');
      this.#run(request, summary, await store.getApproval(requestId));
    });
  }

  /**
   * Continues the runs a stopped process left unfinished (running, or approved and never started);
   * each reports where it reported before, or in a new summary where /licenses ran.
   */
  async resumeInterrupted(): Promise<number> {
    const { service, store, logger } = this.#options;
    if (this.#queued !== undefined) return this.#startWorkers(this.#queued);
    const requests = await service.interruptedRequests();
    for (const request of requests) {
      // A summary Slack refuses must not keep this run, the others or the app from starting.
      const summary = await this.#summary(request, 'resumes');
      logger.info(`resuming the run of ${request.id}`);
      this.#run(request, summary, await store.getApproval(request.id));
    }
    return requests.length;
  }

  /**
   * Queue mode, at start: this replica's workers take jobs; and as a safety net every approved or
   * running request gets its run-start sent again (dropped when one waits; a running one is cut
   * again and its chunks that wait or run are not sent twice).
   */
  async #startWorkers(queued: { jobs: RunQueue; handlers: QueuedRuns }): Promise<number> {
    await queued.jobs.work(queued.handlers);
    const requests = await this.#options.service.interruptedRequests();
    for (const request of requests) await queued.jobs.sendStart(request.id);
    return requests.length;
  }

  /** The request's summary message, or null when Slack refused it (the request goes on without one). */
  #summary(request: ChangeRequest, goesOn: GoesOn, options: { tellRequester?: boolean } = {}) {
    return summaryOrNull(this.#options, request, goesOn, options);
  }

  /** Runs the request in the background; an approved one also puts its counts in the approval's thread. */
  #run(request: ChangeRequest, summary: SummaryMessage | null, approval: Approval | null): void {
    const { tracker, service, approvals } = this.#options;
    const reporter = this.#reporter(summary, approval);
    tracker.track(`run of ${request.id}`, async () => {
      let done: ChangeRequest;
      try {
        done = await service.run(request.id, reporter);
      } catch (error) {
        await this.#stopped(request, summary, error);
        return;
      }
      if (approval !== null) await approvals.announceRunOutcome(request.id, service.counts(done));
    });
  }

  /** A stop for shutdown is expected; anything else goes the one failure path (run-stopped.ts). */
  async #stopped(request: ChangeRequest, summary: SummaryMessage | null, error: unknown): Promise<void> {
    if (error instanceof RunInterruptedError) {
      this.#options.logger.info(error.message);
      return;
    }
    await tellRunStopped(this.#options, request, summary, error);
  }

  /** The run's reporter: its summary and thread, or none when Slack refused the summary (the outcome is on App Home). */
  #reporter(summary: SummaryMessage | null, approval: Approval | null): Reporter {
    if (summary === null) return silentReporter;
    const { client, logger, progressIntervalMs, messageIntervalMs, purchaseUrl, undoDays } = this.#options;
    return new SlackReporter({
      client,
      logger,
      summary: { channel: summary.channel, ts: summary.ts },
      approval,
      progressIntervalMs,
      messageIntervalMs,
      purchaseUrl: purchaseUrl ?? null,
      ...(undoDays === undefined ? {} : { undoDays }),
    });
  }
}
