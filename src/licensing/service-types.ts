/** The shapes the service's callers pass in and get back, shared by the service's parts. */

import type { LicenseProvider } from '../providers/license-provider.js';
import type { Approval, Store } from '../store/store.js';
import type { AssignPrediction } from './eligibility.js';
import type { AssignChoice, ChangeRequest, FollowUpOf, Product, ReportTarget } from './model.js';
import type { WritePacer } from './pacer.js';
import type { PlanProblem, UserParts } from './plan.js';
import type { ReplaceChoice } from './plan-replace.js';
import type { ApprovalBasis } from './policy.js';
import type { ChangePreview } from './preview.js';
import type { RetryOptions } from './service-runs.js';
import type { VerificationSettings } from './verification-run.js';

/** One product as the manage-licenses step shows it, over the selected users. */
export interface ProductOverview {
  product: Product;
  /** Selected users holding it directly. */
  holders: string[];
  /** Selected users holding it only through a group (cannot be revoked here). */
  inheritedHolders: string[];
  /** Of `holders`, those who also hold it through a group (a direct revoke leaves them holding it). */
  alsoThroughGroup?: string[];
  /** all / some / none of the selection hold it (directly or through a group). */
  state: 'all' | 'some' | 'none';
  /**
   * Who of the selection would get it if it were ticked to assign, and why the others cannot
   * (eligibility.ts); absent where it was not predicted.
   */
  prediction?: AssignPrediction;
  /**
   * Direct holders among the selection whose service plans the ticked plans would change (they keep
   * the product, re-assigned with other plans turned off); absent or 0 when the plans are untouched.
   */
  planChanges?: number;
}

export interface ChangeInput {
  customerId: string;
  userIds: readonly string[];
  assign: readonly AssignChoice[];
  revoke: readonly string[];
  /** "Replace A with B" (plan-replace.ts); absent = none. */
  replace?: readonly ReplaceChoice[];
}

/** A change made of each user's own part (a follow-up of an earlier request), not users × products. */
export interface PartsInput {
  customerId: string;
  /** In run order. */
  parts: readonly UserParts[];
}

/** Who submits a change, why, where it reports, and the draft it came from. */
export interface SubmitDetails {
  requestedBy: string;
  reason?: string;
  report?: ReportTarget;
  draftId?: string;
  /**
   * Run at once although it needs approval (break-glass): the caller has checked the requester
   * against BREAK_GLASS_USER_IDS. Needs a reason; ignored when no approval is needed.
   */
  breakGlass?: boolean;
  /** A follow-up: the request it is made from (saved on the request, audited with `submitted`). */
  followUpOf?: FollowUpOf;
}

/** A change as submitted: who asks, why, where it reports, and the draft it came from. */
export type SubmitInput = ChangeInput & SubmitDetails;

/** A change of per-user parts as submitted (follow-ups). */
export type PartsSubmitInput = PartsInput & SubmitDetails;

/** A change refused before anything is saved, with every problem found. */
export type PlanProblemsResult = { ok: false; problems: PlanProblem[] };

export type PrepareResult =
  | {
      ok: true;
      assignments: number;
      /** Of `assignments`, holders who keep the product and only change plans. */
      planChanges: number;
      revocations: number;
      noops: number;
      needsApproval: boolean;
      /** What the approval decision is based on (this request, the operator's earlier ones). */
      basis: ApprovalBasis;
    }
  | PlanProblemsResult;

/** A change checked like prepare, with what it will do per product and reason (preview.ts). */
export type PreviewResult =
  | (Extract<PrepareResult, { ok: true }> & {
      preview: ChangePreview;
      /** The customer's products (names for the preview). */
      products: Product[];
    })
  | PlanProblemsResult;

export type SubmitResult =
  | {
      ok: true;
      request: ChangeRequest;
      needsApproval: boolean;
      approval: Approval | null;
      /** It needed approval and runs at once instead (break-glass). */
      breakGlass?: boolean;
    }
  | { ok: false; problems: PlanProblem[] };

export type DecisionResult =
  | { ok: true; request: ChangeRequest; approval: Approval }
  | {
      ok: false;
      why: 'not_found' | 'self_decision' | 'already_decided' | 'expired';
      approval: Approval | null;
    };

/** What the service and its runs log through (the app's logger, or a test's). */
export interface RunLogger {
  warn(...parts: unknown[]): void;
  /** When the logger has it, a run logs each refusal in the provider's own words here. */
  info?(...parts: unknown[]): void;
  child?(bindings: Record<string, string>): RunLogger;
}

/** A listing limit meant as "all of them" (stores want a limit). */
export const MANY = 10_000;

export interface LicensingServiceOptions {
  provider: LicenseProvider;
  store: Store;
  /** Revocations (users × products) at or above which a request needs approval. */
  approvalRevokeThreshold: number;
  approvalTtlHours: number;
  /** Hours over which one operator's revocations on one customer are summed (default 24). */
  approvalWindowHours?: number;
  /** Days after a request finished during which it can be undone (default 30). */
  undoDays?: number;
  /** Parallel provider calls in a run (default RUN_DEFAULTS.concurrency). */
  concurrency?: number;
  /** Writes per second per customer tenant (default RUN_DEFAULTS.tenantWritesPerSecond). */
  tenantWritesPerSecond?: number;
  /** Where runs take write slots; default a TenantPacer of this process at tenantWritesPerSecond. */
  pacer?: WritePacer;
  now?: () => Date;
  /** Retry and reporting knobs of the executor (defaults suit Graph). */
  retry?: RetryOptions;
  /** Runs log through a child of it carrying the request id, customer and requester (default: none). */
  logger?: RunLogger;
  /** How a finished run is checked against the tenant (default VERIFY_DEFAULTS: 5 s, 3 reads). */
  verification?: Partial<VerificationSettings>;
}
