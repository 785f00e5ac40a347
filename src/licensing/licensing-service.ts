/**
 * The façade the Slack listeners call. It knows nothing of Slack: it reads the tenant through a
 * LicenseProvider, plans changes, applies the approval policy, runs requests with the executor
 * and keeps every request, approval and audit entry in the Store.
 *
 * Ids are short random strings (`req_` + 10 base32 characters). Decisions are compare-and-set on
 * the store, so an approval is taken once even when two approvers click at the same moment; a
 * request runs at most once per process at a time.
 */
import type { LicenseProvider, UserPage, UserQuery } from '../providers/license-provider.js';
import type { Approval, Store } from '../store/store.js';
import { RunInterruptedError, type RunOptions, runRequest } from './executor.js';
import { newId } from './ids.js';
import type {
  AssignChoice,
  ChangeRequest,
  Customer,
  Product,
  ReportTarget,
  RequestStatus,
  RunCounts,
  TenantUser,
} from './model.js';
import { TenantPacer } from './pacer.js';
import { type PlanProblem, type PlanResult, planChanges } from './plan.js';
import {
  type ApprovalBasis,
  approvalBasis,
  approvalExpiresAt,
  isApprovalExpired,
  WINDOW_STATUSES,
  windowStart,
} from './policy.js';
import type { Reporter } from './reporter.js';
import { countResults } from './run-counts.js';

export interface LicensingServiceOptions {
  provider: LicenseProvider;
  store: Store;
  /** Revocations (users × products) at or above which a request needs approval. */
  approvalRevokeThreshold: number;
  approvalTtlHours: number;
  /** Hours over which one operator's revocations on one customer are summed (default 24). */
  approvalWindowHours?: number;
  /** Parallel provider calls in a run (default 8). */
  concurrency?: number;
  /** Writes per second per customer tenant (default 15; Graph allows about 20). */
  tenantWritesPerSecond?: number;
  now?: () => Date;
  /** Retry and reporting knobs of the executor (defaults suit Graph). */
  retry?: Pick<RunOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'progressIntervalMs' | 'sleep'>;
  /** Runs log through a child of it carrying the request id, customer and requester (default: none). */
  logger?: RunLogger;
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
  | {
      ok: true;
      assignments: number;
      revocations: number;
      noops: number;
      needsApproval: boolean;
      /** What the approval decision is based on (this request, the operator's earlier ones). */
      basis: ApprovalBasis;
    }
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

/** A request that cannot run in its current state (pending, rejected, expired) or is unknown. */
export class RequestNotRunnableError extends Error {
  override readonly name = 'RequestNotRunnableError';
}

const MANY = 10_000;

/** What the service and its runs log through (the app's logger, or a test's). */
export interface RunLogger {
  warn(...parts: unknown[]): void;
  child?(bindings: Record<string, string>): RunLogger;
}

const silentLogger: RunLogger = { warn() {} };

/** The patch that takes a decided approval back to pending. */
const undecided = {
  status: 'pending',
  decidedBy: undefined,
  decidedAt: undefined,
  decisionReason: undefined,
} as const;

export class LicensingService {
  readonly #provider: LicenseProvider;
  readonly #store: Store;
  readonly #threshold: number;
  readonly #windowHours: number;
  /** Submissions of one operator on one customer, one at a time: the window check and the save are one step. */
  readonly #submitting = new Map<string, Promise<unknown>>();
  readonly #ttlHours: number;
  readonly #concurrency: number;
  readonly #now: () => Date;
  readonly #pacer: TenantPacer;
  readonly #retry: LicensingServiceOptions['retry'];
  readonly #logger: RunLogger;
  /** Requests being run by this process: a second run() of one would apply it twice. */
  readonly #running = new Set<string>();
  /**
   * Requests this process made runnable (submitted for an immediate run, or approved) and whose
   * run() has not begun: their listener starts them, so they are not interrupted.
   */
  readonly #startingHere = new Set<string>();
  /** Aborted by stop(): runs take no new item, and no run starts. */
  readonly #stopping = new AbortController();
  readonly #runsInFlight = new Set<Promise<unknown>>();

  constructor(options: LicensingServiceOptions) {
    this.#provider = options.provider;
    this.#store = options.store;
    this.#threshold = options.approvalRevokeThreshold;
    this.#ttlHours = options.approvalTtlHours;
    this.#windowHours = options.approvalWindowHours ?? 24;
    this.#concurrency = options.concurrency ?? 8;
    this.#now = options.now ?? (() => new Date());
    this.#retry = options.retry;
    this.#logger = options.logger ?? silentLogger;
    // One pacer for every run, so concurrent runs on one tenant share its write budget.
    this.#pacer = new TenantPacer({
      ratePerSecond: options.tenantWritesPerSecond ?? 15,
      ...(options.retry?.sleep ? { sleep: options.retry.sleep } : {}),
    });
  }

  searchCustomers(query: string, limit: number): Promise<Customer[]> {
    return this.#provider.searchCustomers(query, limit);
  }

  getCustomer(customerId: string): Promise<Customer | null> {
    return this.#provider.getCustomer(customerId);
  }

  searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    return this.#provider.searchUsers(customerId, query);
  }

  getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    return this.#provider.getUsers(customerId, userIds);
  }

  findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    return this.#provider.findUsersByEmail(customerId, emails);
  }

  async getLicenseOverview(customerId: string, userIds: readonly string[]): Promise<ProductOverview[]> {
    const selected = [...new Set(userIds)];
    const [products, holdings] = await Promise.all([
      this.#provider.listProducts(customerId),
      this.#provider.getHoldings(customerId, selected),
    ]);
    return products.map((product) => {
      const holders: string[] = [];
      const inheritedHolders: string[] = [];
      for (const userId of selected) {
        const license = holdings.get(userId)?.find((held) => held.skuId === product.skuId);
        if (license?.direct) holders.push(userId);
        else if (license) inheritedHolders.push(userId);
      }
      const holding = holders.length + inheritedHolders.length;
      const state = holding === 0 ? 'none' : holding === selected.length ? 'all' : 'some';
      return { product, holders, inheritedHolders, state };
    });
  }

  /** Checks a change without saving it; with `requestedBy`, the approval window is counted too. */
  async prepare(input: ChangeInput & { requestedBy?: string }): Promise<PrepareResult> {
    const planned = await this.#plan(input);
    if (!planned.plan.ok) return planned.plan;
    const { assignments, revocations, noops, planRemovals } = planned.plan;
    const basis = await this.#approvalBasis(input.requestedBy, input.customerId, {
      revocations,
      planRemovals,
    });
    return { ok: true, assignments, revocations, noops, needsApproval: basis.needsApproval, basis };
  }

  submit(
    input: ChangeInput & { requestedBy: string; reason?: string; report?: ReportTarget; draftId?: string },
  ): Promise<SubmitResult> {
    // Two submissions racing must not both slip under the threshold: the window is counted and
    // the request saved as one step per operator and customer (in this process: replicas sharing
    // a database would take this lock there).
    const key = `${input.requestedBy}|${input.customerId}`;
    const previous = this.#submitting.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#submit(input));
    this.#submitting.set(key, next);
    const forget = () => {
      if (this.#submitting.get(key) === next) this.#submitting.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  async #submit(
    input: ChangeInput & { requestedBy: string; reason?: string; report?: ReportTarget; draftId?: string },
  ): Promise<SubmitResult> {
    const { customer, plan, products } = await this.#plan(input);
    if (!plan.ok) return plan;
    if (!customer)
      return { ok: false, problems: [{ kind: 'unknown_customer', customerId: input.customerId }] };
    const basis = await this.#approvalBasis(input.requestedBy, customer.id, plan);
    const approvalNeeded = basis.needsApproval;
    const reason = input.reason?.trim() ?? '';
    if (approvalNeeded && reason === '') return { ok: false, problems: [{ kind: 'reason_required', basis }] };

    const now = this.#now();
    const chosen = new Set([...input.assign.map((choice) => choice.skuId), ...input.revoke]);
    const request: ChangeRequest = {
      id: newId('req'),
      customerId: customer.id,
      customerName: customer.name,
      tenantId: customer.tenantId,
      requestedBy: input.requestedBy,
      createdAt: now.toISOString(),
      status: approvalNeeded ? 'pending_approval' : 'approved',
      ...(reason === '' ? {} : { reason }),
      products: products
        .filter((product) => chosen.has(product.skuId))
        .map((product) => ({ skuId: product.skuId, name: product.name })),
      items: plan.items,
      results: {},
      ...(input.report ? { report: input.report } : {}),
      ...(input.draftId === undefined ? {} : { draftId: input.draftId }),
      revocations: basis.own,
      approvalRequired: approvalNeeded,
      approvalBasis: basis,
    };
    if (!approvalNeeded) this.#startingHere.add(request.id);
    try {
      await this.#store.saveRequest(request);
    } catch (error) {
      this.#startingHere.delete(request.id);
      throw error;
    }
    let approval: Approval | null = null;
    if (approvalNeeded) {
      approval = {
        requestId: request.id,
        status: 'pending',
        requestedBy: input.requestedBy,
        reason,
        createdAt: request.createdAt,
        expiresAt: approvalExpiresAt(now, this.#ttlHours).toISOString(),
      };
      try {
        await this.#store.saveApproval(approval);
      } catch (error) {
        // Without its approval the request could never be decided: close it (best effort; a
        // store that cannot write leaves it pending and no one is told it was sent).
        await this.#store.transitionRequest(request.id, ['pending_approval'], 'expired').catch(() => {});
        throw error;
      }
    }
    await this.#store.appendAudit({
      actor: input.requestedBy,
      action: 'submitted',
      requestId: request.id,
      outcome: request.status,
      details: {
        customerId: customer.id,
        users: plan.items.length,
        assignments: plan.assignments,
        revocations: plan.revocations,
        planRemovals: plan.planRemovals,
        earlierRevocations: basis.earlierRevocations,
        noops: plan.noops,
      },
    });
    return { ok: true, request, needsApproval: approvalNeeded, approval };
  }

  run(requestId: string, reporter: Reporter): Promise<ChangeRequest> {
    const running = this.#run(requestId, reporter);
    this.#runsInFlight.add(running);
    const forget = () => this.#runsInFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Shutdown: runs take no new item and no new run starts; resolves when the items in flight are
   * recorded (their runs reject with RunInterruptedError and resume at the next start), or after
   * `timeoutMs`, whichever comes first.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#runsInFlight]), timeout]);
    clearTimeout(timer);
  }

  async #run(requestId: string, reporter: Reporter): Promise<ChangeRequest> {
    if (this.#stopping.signal.aborted) {
      throw new RunInterruptedError(`Request ${requestId} was not started: LicenseDesk is stopping.`);
    }
    if (this.#running.has(requestId)) {
      throw new RequestNotRunnableError(`Request ${requestId} is already running.`);
    }
    this.#running.add(requestId);
    this.#startingHere.delete(requestId);
    try {
      const before = await this.#store.getRequest(requestId);
      if (!before) throw new RequestNotRunnableError(`Request ${requestId} does not exist.`);
      if (before.status === 'completed') return before;
      const request = await this.#store.transitionRequest(requestId, ['approved', 'running'], 'running', {
        startedAt: before.startedAt ?? this.#now().toISOString(),
      });
      if (!request) {
        throw new RequestNotRunnableError(`Request ${requestId} cannot run: it is ${before.status}.`);
      }
      const options: RunOptions = {
        provider: this.#provider,
        store: this.#store,
        reporter,
        concurrency: this.#concurrency,
        pacer: this.#pacer,
        resumed: before.status === 'running',
        now: this.#now,
        logger:
          this.#logger.child?.({
            requestId,
            customerId: request.customerId,
            requestedBy: request.requestedBy,
          }) ?? this.#logger,
        signal: this.#stopping.signal,
        ...this.#retry,
        finish: async (ran, counts) => {
          const completed = await this.#store.transitionRequest(requestId, ['running'], 'completed', {
            finishedAt: this.#now().toISOString(),
          });
          await this.#store.appendAudit({
            actor: 'system',
            action: 'run_completed',
            requestId,
            outcome: counts.failed > 0 ? 'with_failures' : 'ok',
            details: { ...counts },
          });
          return { ...ran, ...(completed ?? {}), results: ran.results };
        },
      };
      return await runRequest(request, options);
    } finally {
      this.#running.delete(requestId);
    }
  }

  approve(requestId: string, approverId: string): Promise<DecisionResult> {
    return this.#decide(requestId, approverId, 'approved', 'approved');
  }

  reject(requestId: string, approverId: string, reason: string): Promise<DecisionResult> {
    return this.#decide(requestId, approverId, 'rejected', 'rejected', reason);
  }

  async expireApprovals(): Promise<Approval[]> {
    const now = this.#now();
    const pending = await this.#store.listApprovals({ status: ['pending'], limit: MANY });
    const expired: Approval[] = [];
    for (const approval of pending) {
      if (!isApprovalExpired(approval, now)) continue;
      const marked = await this.#expire(approval.requestId);
      if (marked) expired.push(marked);
    }
    return expired;
  }

  /**
   * Requests a stopped process left unfinished, oldest first, for the caller to run: those left
   * `running`, and those `approved` (for an immediate run, or by an approver) that never started.
   * Requests this process is running or is about to start are left out. Meant for start-up: with
   * several replicas, another one's fresh requests would be taken too (runs then need a job queue).
   */
  async interruptedRequests(): Promise<ChangeRequest[]> {
    await this.#reconcileDecisions();
    const unfinished = await this.#store.listRequests({ status: ['running', 'approved'], limit: MANY });
    return unfinished
      .filter((request) => !this.#running.has(request.id))
      .filter((request) => request.status === 'running' || !this.#startingHere.has(request.id))
      .reverse();
  }

  recentRequests(requestedBy: string, limit: number): Promise<ChangeRequest[]> {
    return this.#store.listRequests({ requestedBy, limit });
  }

  async pendingApprovals(limit: number): Promise<Approval[]> {
    const now = this.#now();
    const pending = await this.#store.listApprovals({ status: ['pending'], limit: MANY });
    return pending.filter((approval) => !isApprovalExpired(approval, now)).slice(0, limit);
  }

  async setReportTarget(requestId: string, report: ReportTarget): Promise<void> {
    // Compare-and-set on the status read just before, so a concurrent transition is not undone.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#store.getRequest(requestId);
      if (!current) return;
      const statuses: RequestStatus[] = [current.status];
      if (await this.#store.transitionRequest(requestId, statuses, current.status, { report })) return;
    }
  }

  counts(request: ChangeRequest): RunCounts {
    return countResults(request);
  }

  async #approvalBasis(
    requestedBy: string | undefined,
    customerId: string,
    own: { revocations: number; planRemovals: number },
  ): Promise<ApprovalBasis> {
    const policy = { threshold: this.#threshold, windowHours: this.#windowHours };
    if (requestedBy === undefined || own.revocations + own.planRemovals === 0) {
      return approvalBasis(own, [], policy);
    }
    const earlier = await this.#store.listRequestHeaders({
      requestedBy,
      customerId,
      status: WINDOW_STATUSES,
      createdSince: windowStart(this.#now(), this.#windowHours).toISOString(),
      limit: MANY,
    });
    return approvalBasis(own, earlier, policy);
  }

  async #plan(
    input: ChangeInput,
  ): Promise<{ customer: Customer | null; plan: PlanResult; products: Product[] }> {
    const userIds = [...new Set(input.userIds)];
    const [customer, users, products, holdings] = await Promise.all([
      this.#provider.getCustomer(input.customerId),
      this.#provider.getUsers(input.customerId, userIds),
      this.#provider.listProducts(input.customerId),
      this.#provider.getHoldings(input.customerId, userIds),
    ]);
    const plan = planChanges({ users, products, holdings, assign: input.assign, revoke: input.revoke });
    return { customer, plan, products };
  }

  async #decide(
    requestId: string,
    approverId: string,
    status: 'approved' | 'rejected',
    requestStatus: 'approved' | 'rejected',
    decisionReason?: string,
  ): Promise<DecisionResult> {
    const approval = await this.#store.getApproval(requestId);
    if (!approval) return { ok: false, why: 'not_found', approval: null };
    if (approval.requestedBy === approverId) return { ok: false, why: 'self_decision', approval };
    if (approval.status === 'expired') return { ok: false, why: 'expired', approval };
    if (approval.status !== 'pending') return { ok: false, why: 'already_decided', approval };
    if (isApprovalExpired(approval, this.#now())) {
      const expired = await this.#expire(requestId);
      return expired
        ? { ok: false, why: 'expired', approval: expired }
        : await this.#lostRace(requestId, approval);
    }
    const decided = await this.#store.decideApproval(requestId, ['pending'], {
      status,
      decidedBy: approverId,
      decidedAt: this.#now().toISOString(),
      ...(decisionReason === undefined ? {} : { decisionReason }),
    });
    if (!decided) return this.#lostRace(requestId, approval);
    if (requestStatus === 'approved') this.#startingHere.add(requestId);
    let request: ChangeRequest | null;
    try {
      request = await this.#store.transitionRequest(requestId, ['pending_approval'], requestStatus);
    } catch (error) {
      // The request's status is the decision of record: undo the approval's so both say "pending".
      this.#startingHere.delete(requestId);
      await this.#store.decideApproval(requestId, [status], undecided).catch(() => {});
      throw error;
    }
    if (request === null) this.#startingHere.delete(requestId);
    await this.#store.appendAudit({
      actor: approverId,
      action: status,
      requestId,
      outcome: request ? request.status : 'request_not_pending',
      ...(decisionReason === undefined ? {} : { details: { reason: decisionReason } }),
    });
    const current = request ?? (await this.#store.getRequest(requestId));
    if (!current) return { ok: false, why: 'not_found', approval: decided };
    return { ok: true, request: current, approval: decided };
  }

  /**
   * A stop between an approval's decision and its request's transition leaves the approval
   * decided and the request pending: the request's status is the decision of record, so an
   * approval or rejection goes back to pending (the manager decides again), an expiry completes.
   */
  async #reconcileDecisions(): Promise<void> {
    const decided = await this.#store.listApprovals({
      status: ['approved', 'rejected', 'expired'],
      limit: MANY,
    });
    for (const approval of decided) {
      const request = await this.#store.getRequest(approval.requestId);
      if (request?.status !== 'pending_approval') continue;
      if (approval.status === 'expired') {
        await this.#store.transitionRequest(approval.requestId, ['pending_approval'], 'expired');
      } else {
        await this.#store.decideApproval(approval.requestId, [approval.status], undecided);
      }
      await this.#store.appendAudit({
        actor: 'system',
        action: 'decision_reconciled',
        requestId: approval.requestId,
        outcome: approval.status === 'expired' ? 'expired' : 'pending',
      });
    }
  }

  async #lostRace(requestId: string, fallback: Approval): Promise<DecisionResult> {
    const now = (await this.#store.getApproval(requestId)) ?? fallback;
    return { ok: false, why: now.status === 'expired' ? 'expired' : 'already_decided', approval: now };
  }

  async #expire(requestId: string): Promise<Approval | null> {
    const expired = await this.#store.decideApproval(requestId, ['pending'], {
      status: 'expired',
      decidedAt: this.#now().toISOString(),
    });
    if (!expired) return null;
    await this.#store.transitionRequest(requestId, ['pending_approval'], 'expired');
    await this.#store.appendAudit({
      actor: 'system',
      action: 'approval_expired',
      requestId,
      outcome: 'expired',
    });
    return expired;
  }
}
