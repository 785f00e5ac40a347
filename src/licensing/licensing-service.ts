/**
 * The façade the Slack listeners call. It knows nothing of Slack: it reads the tenant through a
 * LicenseProvider, plans changes, applies the approval policy, runs requests with the executor
 * and keeps every request, approval and audit entry in the Store. Its parts: service-reads.ts,
 * service-plan.ts, service-approval-window.ts, service-submit.ts, draft-claim.ts,
 * service-follow-up.ts, decisions.ts, service-runs.ts; its options and shapes: service-types.ts.
 *
 * Ids are short random strings (`req_` + 10 base32 characters). Decisions are compare-and-set on
 * the store, so an approval is taken once even when two approvers click at the same moment; a
 * request runs at most once per process at a time.
 */
import type { LicenseProvider } from '../providers/license-provider.js';
import type { Approval, Draft, Store } from '../store/store.js';
import { Decisions } from './decisions.js';
import { type ClaimedElsewhere, DraftClaims, type DraftSubmitResult } from './draft-claim.js';
import type { RevokeRefusal } from './eligibility.js';
import type { ChangeRequest, FollowUpKind, ReportTarget, RunCounts } from './model.js';
import { TenantPacer } from './pacer.js';
import type { Reporter } from './reporter.js';
import { countResults } from './run-counts.js';
import { RUN_DEFAULTS, VERIFY_DEFAULTS } from './run-defaults.js';
import { ApprovalWindow } from './service-approval-window.js';
import {
  type FollowUpPreparation,
  type FollowUpSubmit,
  type FollowUpSubmitResult,
  FollowUps,
} from './service-follow-up.js';
import { productOverview, revocationOutlook } from './service-plan.js';
import { prepareChange, previewChangeOf } from './service-preview.js';
import { TenantReads } from './service-reads.js';
import { Runs } from './service-runs.js';
import { Submissions } from './service-submit.js';
import type {
  ChangeInput,
  DecisionResult,
  LicensingServiceOptions,
  PrepareResult,
  PreviewResult,
  ProductOverview,
  RunLogger,
  SubmitInput,
  SubmitResult,
} from './service-types.js';

export type { ClaimedElsewhere, DraftSubmitResult } from './draft-claim.js';
export type * from './service-follow-up.js';
export { RequestNotRunnableError } from './service-runs.js';
// The shapes callers pass and get back (ChangeInput, SubmitResult, DecisionResult, ...).
export type * from './service-types.js';

/** Exchange keeps a mailbox 30 days after its license goes. */
const DEFAULT_UNDO_DAYS = 30;

const silentLogger: RunLogger = { warn() {} };

export class LicensingService extends TenantReads {
  readonly #provider: LicenseProvider;
  readonly #store: Store;
  readonly #window: ApprovalWindow;
  readonly #submissions: Submissions;
  readonly #drafts: DraftClaims;
  readonly #followUps: FollowUps;
  readonly #decisions: Decisions;
  readonly #runs: Runs;

  constructor(options: LicensingServiceOptions) {
    super(options.provider);
    const { provider, store } = options;
    const now = options.now ?? (() => new Date());
    // Requests made runnable here (submitted for an immediate run, or approved) whose run has not
    // begun: their listener starts them, so resuming interrupted runs leaves them alone.
    const startingHere = new Set<string>();
    this.#provider = provider;
    this.#store = store;
    this.#window = new ApprovalWindow({
      store,
      threshold: options.approvalRevokeThreshold,
      windowHours: options.approvalWindowHours ?? 24,
      now,
    });
    this.#submissions = new Submissions({
      provider,
      store,
      window: this.#window,
      ttlHours: options.approvalTtlHours,
      now,
      startingHere,
    });
    this.#drafts = new DraftClaims(store, (input) => this.#submissions.submit(input));
    this.#followUps = new FollowUps({
      provider,
      store,
      window: this.#window,
      submissions: this.#submissions,
      undoDays: options.undoDays ?? DEFAULT_UNDO_DAYS,
      now,
    });
    this.#decisions = new Decisions({ store, now, startingHere });
    this.#runs = new Runs({
      provider,
      store,
      concurrency: options.concurrency ?? RUN_DEFAULTS.concurrency,
      // One pacer for every run, so concurrent runs on one tenant share its write budget.
      pacer:
        options.pacer ??
        new TenantPacer({
          ratePerSecond: options.tenantWritesPerSecond ?? RUN_DEFAULTS.tenantWritesPerSecond,
          ...(options.retry?.sleep ? { sleep: options.retry.sleep } : {}),
        }),
      now,
      logger: options.logger ?? silentLogger,
      retry: options.retry,
      verification: { ...VERIFY_DEFAULTS, ...options.verification },
      startingHere,
    });
  }

  /**
   * Each product over the selection: who holds it, and who would get it if ticked to assign with
   * the plans turned off in `disabledPlansBySku` (eligibility.ts).
   */
  getLicenseOverview(
    customerId: string,
    userIds: readonly string[],
    disabledPlansBySku?: Readonly<Record<string, readonly string[]>>,
  ): Promise<ProductOverview[]> {
    return productOverview(this.#provider, customerId, userIds, disabledPlansBySku);
  }

  /** A request's revocations expected to fail (eligibility.ts, as the manage step predicts). */
  revocationOutlook(request: Pick<ChangeRequest, 'customerId' | 'items'>): Promise<RevokeRefusal[]> {
    return revocationOutlook(this.#provider, request);
  }

  /** Checks a change without saving it; with `requestedBy`, the approval window is counted too. */
  prepare(input: ChangeInput & { requestedBy?: string }): Promise<PrepareResult> {
    return prepareChange(this.#provider, this.#window, input);
  }

  /** Checks a change as prepare does, and tells what it will do per product and reason (preview.ts). */
  preview(input: ChangeInput & { requestedBy?: string }): Promise<PreviewResult> {
    return previewChangeOf(this.#provider, this.#window, input);
  }

  submit(input: SubmitInput): Promise<SubmitResult> {
    return this.#submissions.submit(input);
  }

  /**
   * Submits the change read from draft `draftId`, claiming the draft: it is given back when the
   * submit is refused or fails, and a second delivery of the same submission is answered with the
   * request the first one saved (see draft-claim.ts).
   */
  submitDraft(
    draftId: string,
    userId: string,
    changeOf: (draft: Draft) => Omit<SubmitInput, 'draftId'>,
  ): Promise<DraftSubmitResult> {
    return this.#drafts.submit(draftId, userId, changeOf);
  }

  /**
   * What a follow-up (`kind`) of request `requestId` would send now, planned against the tenant,
   * and whether `requestedBy` submitting it would need approval; or why none can be made.
   */
  prepareFollowUp(kind: FollowUpKind, requestId: string, requestedBy: string): Promise<FollowUpPreparation> {
    return this.#followUps.prepare(kind, requestId, requestedBy);
  }

  /**
   * Submits the follow-up draft `draftId` is about (Draft.followUp), claiming the draft like
   * submitDraft; its parts are derived again from the stored requests (service-follow-up.ts).
   */
  submitFollowUp(
    draftId: string,
    userId: string,
    details: FollowUpSubmit,
  ): Promise<FollowUpSubmitResult | ClaimedElsewhere> {
    return this.#drafts.claim(draftId, userId, async (draft): Promise<FollowUpSubmitResult> => {
      if (draft.followUp === undefined) return { ok: false, refused: { why: 'not_found' } };
      return this.#followUps.submit(draft.followUp, draft.id, details);
    });
  }

  /** The request `userId` submitted from `draftId`, once it is on disk; null when there is none. */
  submittedFrom(draftId: string, userId: string): Promise<ChangeRequest | null> {
    return this.#drafts.submittedFrom(draftId, userId);
  }

  run(requestId: string, reporter: Reporter): Promise<ChangeRequest> {
    return this.#runs.run(requestId, reporter);
  }

  /**
   * Queue mode (runs as jobs on several replicas): moves an approved request to running, once
   * across replicas; the request when it is running, null when it is not runnable (or done).
   */
  beginRun(requestId: string): Promise<ChangeRequest | null> {
    return this.#runs.begin(requestId);
  }

  /**
   * Queue mode: runs the items at `positions` of a running request, without finishing it (other
   * chunks may run elsewhere at the same time). `resumed` when an earlier attempt may have applied
   * parts it did not record; `signal` stops it taking items (RunInterruptedError).
   */
  runChunk(...args: Parameters<Runs['runChunk']>): Promise<ChangeRequest> {
    return this.#runs.runChunk(...args);
  }

  /** Queue mode: verifies a running request within `until` and completes it, once; null when it was not running. */
  finishRun(request: ChangeRequest, until: number): Promise<ChangeRequest | null> {
    return this.#runs.finish(request, until);
  }

  /**
   * Shutdown: runs take no new item and no new run starts; resolves when the items in flight are
   * recorded (their runs reject with RunInterruptedError and resume at the next start), or after
   * `timeoutMs`, whichever comes first.
   */
  stop(timeoutMs = 10_000): Promise<void> {
    return this.#runs.stop(timeoutMs);
  }

  approve(requestId: string, approverId: string): Promise<DecisionResult> {
    return this.#decisions.decide(requestId, approverId, 'approved');
  }

  reject(requestId: string, approverId: string, reason: string): Promise<DecisionResult> {
    return this.#decisions.decide(requestId, approverId, 'rejected', reason);
  }

  expireApprovals(): Promise<Approval[]> {
    return this.#decisions.expireDue();
  }

  /**
   * Requests a stopped process left unfinished, oldest first, for the caller to run: those left
   * `running`, and those `approved` (for an immediate run, or by an approver) that never started.
   * Requests this process is running or is about to start are left out. Meant for start-up: with
   * several replicas, another one's fresh requests would be taken too (runs then need a job queue).
   */
  async interruptedRequests(): Promise<ChangeRequest[]> {
    await this.#decisions.reconcile();
    return this.#runs.interrupted();
  }

  recentRequests(requestedBy: string, limit: number): Promise<ChangeRequest[]> {
    return this.#store.listRequests({ requestedBy, limit });
  }

  pendingApprovals(limit: number): Promise<Approval[]> {
    return this.#decisions.pending(limit);
  }

  setReportTarget(requestId: string, report: ReportTarget): Promise<void> {
    return this.#runs.setReportTarget(requestId, report);
  }

  counts(request: ChangeRequest): RunCounts {
    return countResults(request);
  }
}
