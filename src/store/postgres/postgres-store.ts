/**
 * The Store on PostgreSQL (STORE=postgres), for several replicas sharing one database. A façade
 * over small modules, like the lowdb one: drafts (pg-drafts.ts), requests and their results
 * (pg-requests.ts), the state before a run (pg-prior-states.ts), approvals (pg-approvals.ts), audit (pg-audit.ts), retention (pg-archive.ts),
 * health and error mapping (pg-guard.ts); tables in src/db/migrations/ (001-store.ts, 004-prior-state.ts).
 *
 * Plain `pg` with rows parsed by the store's existing zod schemas (store-schema.ts, model.ts):
 * every record already has one schema, checked on write and on read, so a second typed layer
 * (Kysely) would only restate it. Queries are few and fixed, each next to its one use.
 *
 * - Every method resolves once its change is committed, coalesced ones included (they cost one
 *   round trip, not a file write), so flush() only waits for the calls in flight.
 * - Compare-and-set is one statement (takeDraft's DELETE … RETURNING, transitionRequest's and
 *   decideApproval's UPDATE … WHERE status = ANY(…)) or one transaction holding the row lock
 *   (updateDraft), never a read then a write in JavaScript.
 * - `onRunnable` runs inside the transaction that saves a request as 'approved' or moves one to
 *   'approved', on its client: a run enqueued there commits or rolls back with the state change.
 * - The store does not own the pool: close() leaves it open.
 */
import { AdvisoryLocks } from '../../db/advisory-lock.js';
import type { Pool } from '../../db/pool.js';
import type { ChangeRequest, ItemResult, PriorState, RequestHeader } from '../../licensing/model.js';
import { defaultLogger } from '../../logger.js';
import {
  type RequestFilter,
  type RequestTransition,
  type Store,
  StoreError,
  type StoreHealth,
} from '../store.js';
import type { StoreLogger } from '../store-health.js';
import type { Approval, AuditEntry, Draft, NewDraft } from '../store-schema.js';
import { type ApprovalPatch, PgApprovals } from './pg-approvals.js';
import { type ArchivedCounts, archiveOld } from './pg-archive.js';
import { PgAudit } from './pg-audit.js';
import { PgDrafts } from './pg-drafts.js';
import { PgGuard } from './pg-guard.js';
import { PgPriorStates } from './pg-prior-states.js';
import { type OnRunnable, PgRequests } from './pg-requests.js';

export type { OnRunnable } from './pg-requests.js';

export interface PostgresStoreOptions {
  /** The replica's one pool (src/db/pool.ts), migrated; shared with others, never ended here. */
  pool: Pool;
  /** Finished requests and audit rows older than this many days go to the archive (default 90). */
  retentionDays?: number;
  /** Default: the process-wide fallback logger (warnings and errors). */
  logger?: StoreLogger;
  now?: () => Date;
  /** Called inside the transaction that makes a request runnable; see the top. */
  onRunnable?: OnRunnable;
  /** How long an untouched draft lives; every update extends it (default 120). */
  draftTtlMinutes?: number;
  /** How long a draft lives while no customer is chosen (default 60, never longer than draftTtlMinutes). */
  firstStepDraftTtlMinutes?: number;
  /** Clients exclusive() may hold at once for its locks (default half the pool). */
  maxLockClients?: number;
}

const TABLES = ['drafts', 'requests', 'request_results', 'request_prior_state', 'approvals', 'audit'];

export class PostgresStore implements Store {
  readonly #pool: Pool;
  readonly #now: () => Date;
  readonly #retentionDays: number;
  readonly #guard: PgGuard;
  readonly #locks: AdvisoryLocks;
  readonly #drafts: PgDrafts;
  readonly #requests: PgRequests;
  readonly #priorStates: PgPriorStates;
  readonly #approvals: PgApprovals;
  readonly #audit: PgAudit;
  #state: 'new' | 'open' | 'closed' = 'new';

  constructor(options: PostgresStoreOptions) {
    const { pool } = options;
    const now = options.now ?? (() => new Date());
    const logger = options.logger ?? defaultLogger();
    const guard = new PgGuard({ logger, now });
    const ttlMs = (options.draftTtlMinutes ?? 120) * 60_000;
    const firstStepTtlMs = Math.min(ttlMs, (options.firstStepDraftTtlMinutes ?? 60) * 60_000);
    this.#pool = pool;
    this.#now = now;
    this.#retentionDays = options.retentionDays ?? 90;
    this.#guard = guard;
    this.#locks = new AdvisoryLocks(pool, { maxHeld: options.maxLockClients });
    this.#drafts = new PgDrafts({ pool, guard, now, logger, ttlMs, firstStepTtlMs });
    this.#requests = new PgRequests({ pool, guard, logger, onRunnable: options.onRunnable });
    this.#priorStates = new PgPriorStates({ pool, guard, logger });
    this.#approvals = new PgApprovals({ pool, guard, logger });
    this.#audit = new PgAudit({ pool, guard, logger, now });
  }

  /**
   * Checks that the store's tables are there (migrate() made them). A database that does not
   * answer does not fail open(): health() says so, and the next call that gets through restores it.
   */
  async open(): Promise<void> {
    if (this.#state === 'open') return;
    const found = await this.#guard
      .run('open', () =>
        this.#pool.query<{ name: string }>(
          'SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL',
          [TABLES],
        ),
      )
      .catch((error: unknown) => {
        if (error instanceof StoreError && error.code === 'store_unavailable') return null;
        throw error;
      });
    const missing = found?.rows.map((row) => row.name) ?? [];
    if (missing.length > 0) {
      throw new StoreError(
        `The database has no store table ${missing.join(', ')} in its search path: apply the migrations (src/db/migrate.ts) first.`,
        { code: 'store_corrupt' },
      );
    }
    this.#state = 'open';
  }

  health(): StoreHealth {
    return this.#guard.health();
  }

  async createDraft(draft: NewDraft): Promise<Draft> {
    return this.#open().#drafts.create(draft);
  }

  async getDraft(id: string): Promise<Draft | null> {
    return this.#open().#drafts.get(id);
  }

  async updateDraft(id: string, change: (draft: Draft) => Draft): Promise<Draft | null> {
    return this.#open().#drafts.update(id, change);
  }

  async takeDraft(id: string, ownerId: string): Promise<Draft | null> {
    return this.#open().#drafts.take(id, ownerId);
  }

  async restoreDraft(draft: Draft): Promise<Draft> {
    return this.#open().#drafts.restore(draft);
  }

  async saveRequest(request: ChangeRequest): Promise<void> {
    await this.#open().#requests.save(request);
  }

  async getRequest(id: string): Promise<ChangeRequest | null> {
    return this.#open().#requests.get(id);
  }

  async findRequestByDraft(draftId: string): Promise<ChangeRequest | null> {
    return this.#open().#requests.findByDraft(draftId);
  }

  async listRequests(filter: RequestFilter): Promise<ChangeRequest[]> {
    return this.#open().#requests.list(filter);
  }

  async listRequestHeaders(filter: RequestFilter): Promise<RequestHeader[]> {
    return this.#open().#requests.listHeaders(filter);
  }

  async transitionRequest(...args: RequestTransition): Promise<ChangeRequest | null> {
    return this.#open().#requests.transition(...args);
  }

  async recordResults(requestId: string, results: readonly ItemResult[]): Promise<void> {
    await this.#open().#requests.record(requestId, results);
  }

  async recordPriorState(requestId: string, states: readonly PriorState[]): Promise<void> {
    await this.#open().#priorStates.record(requestId, states);
  }

  async getPriorState(requestId: string): Promise<PriorState[]> {
    return this.#open().#priorStates.read(requestId);
  }

  async saveApproval(approval: Approval): Promise<void> {
    await this.#open().#approvals.save(approval);
  }

  async getApproval(requestId: string): Promise<Approval | null> {
    return this.#open().#approvals.get(requestId);
  }

  async listApprovals(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]> {
    return this.#open().#approvals.list(filter);
  }

  async decideApproval(
    requestId: string,
    from: readonly Approval['status'][],
    patch: ApprovalPatch,
  ): Promise<Approval | null> {
    return this.#open().#approvals.decide(requestId, from, patch);
  }

  async appendAudit(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    await this.#open().#audit.append(entry);
  }

  async listAudit(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]> {
    return this.#open().#audit.list(filter);
  }

  async archiveOld(): Promise<ArchivedCounts> {
    this.#open();
    return archiveOld({
      pool: this.#pool,
      guard: this.#guard,
      now: this.#now,
      retentionDays: this.#retentionDays,
    });
  }

  /**
   * A session advisory lock on `key` held while `work` runs, across every replica on the
   * database (advisory-lock.ts). Failing to take the lock is StoreUnavailableError; what `work`
   * throws is passed on as it is.
   */
  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    this.#open();
    let started = false;
    try {
      return await this.#locks.run(key, () => {
        started = true;
        return work();
      });
    } catch (error) {
      throw started ? error : this.#guard.mapped('exclusive', error);
    }
  }

  /** Every call resolves committed; this waits for those in flight, and checks the database answers when it did not. */
  async flush(): Promise<void> {
    this.#open();
    await this.#guard.settled();
    if (!this.#guard.health().writable) await this.#guard.run('flush', () => this.#pool.query('SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.#state !== 'open') return;
    await this.#guard.settled();
    this.#state = 'closed';
  }

  /** This store, once open; StoreError `store_closed` otherwise. */
  #open(): this {
    if (this.#state === 'open') return this;
    throw new StoreError('The store is not open: call open() first.', { code: 'store_closed' });
  }
}
