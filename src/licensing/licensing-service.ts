/**
 * The façade the Slack listeners call. It knows nothing of Slack: it reads the tenant through a
 * LicenseProvider, plans changes, applies the approval policy, runs requests with the executor
 * and keeps every request, approval and audit entry in the Store.
 *
 * SKELETON: signatures are the contract; bodies are being written.
 */
import type { LicenseProvider, UserPage, UserQuery } from '../providers/license-provider.js';
import type { Approval, Store } from '../store/store.js';
import type {
  AssignChoice,
  ChangeRequest,
  Customer,
  Product,
  ReportTarget,
  RunCounts,
  TenantUser,
} from './model.js';
import type { PlanProblem } from './plan.js';
import type { Reporter } from './reporter.js';

export interface LicensingServiceOptions {
  provider: LicenseProvider;
  store: Store;
  /** Revocations (users × products) at or above which a request needs approval. */
  approvalRevokeThreshold: number;
  approvalTtlHours: number;
  /** Parallel provider calls in a run (default 8). */
  concurrency?: number;
  /** Writes per second per customer tenant (default 15; Graph allows about 20). */
  tenantWritesPerSecond?: number;
  now?: () => Date;
}

/** One product as the manage-licenses step shows it, over the selected users. */
export interface ProductOverview {
  product: Product;
  /** Selected users holding it directly. */
  holders: string[];
  /** Selected users holding it only through a group (cannot be revoked here). */
  inheritedHolders: string[];
  /** all / some / none of the selection hold it (directly or through a group). */
  state: 'all' | 'some' | 'none';
}

export interface ChangeInput {
  customerId: string;
  userIds: readonly string[];
  assign: readonly AssignChoice[];
  revoke: readonly string[];
}

export type PrepareResult =
  | { ok: true; assignments: number; revocations: number; noops: number; needsApproval: boolean }
  | { ok: false; problems: PlanProblem[] };

export type SubmitResult =
  | { ok: true; request: ChangeRequest; needsApproval: boolean; approval: Approval | null }
  | { ok: false; problems: PlanProblem[] };

export type DecisionResult =
  | { ok: true; request: ChangeRequest; approval: Approval }
  | {
      ok: false;
      why: 'not_found' | 'self_decision' | 'already_decided' | 'expired';
      approval: Approval | null;
    };

export declare class LicensingService {
  constructor(options: LicensingServiceOptions);
  searchCustomers(query: string, limit: number): Promise<Customer[]>;
  getCustomer(customerId: string): Promise<Customer | null>;
  searchUsers(customerId: string, query: UserQuery): Promise<UserPage>;
  getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]>;
  findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }>;
  getLicenseOverview(customerId: string, userIds: readonly string[]): Promise<ProductOverview[]>;
  /** Checks a change against the tenant as it is now, without storing anything. */
  prepare(input: ChangeInput): Promise<PrepareResult>;
  /** Plans and stores a request: `approved` (ready to run) or `pending_approval`. */
  submit(
    input: ChangeInput & { requestedBy: string; reason?: string; report?: ReportTarget },
  ): Promise<SubmitResult>;
  /** Runs an approved (or interrupted) request to the end; returns it completed. */
  run(requestId: string, reporter: Reporter): Promise<ChangeRequest>;
  approve(requestId: string, approverId: string): Promise<DecisionResult>;
  reject(requestId: string, approverId: string, reason: string): Promise<DecisionResult>;
  /** Marks pending approvals past their expiry as expired; returns them. */
  expireApprovals(): Promise<Approval[]>;
  /** Requests left `running` by a stopped process. */
  interruptedRequests(): Promise<ChangeRequest[]>;
  recentRequests(requestedBy: string, limit: number): Promise<ChangeRequest[]>;
  pendingApprovals(limit: number): Promise<Approval[]>;
  setReportTarget(requestId: string, report: ReportTarget): Promise<void>;
  counts(request: ChangeRequest): RunCounts;
}
