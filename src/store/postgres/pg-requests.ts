/**
 * Change requests in PostgreSQL: the header as a document (its status, owner, customer, time
 * and draft as generated columns), the items as another, each result in its own row keyed by
 * resultKey. Saving is one transaction; a transition is one compare-and-set UPDATE. Reads put
 * the request back together and parse it with ChangeRequest.
 */
import { z } from 'zod';
import { inTransaction, type Pool, type PoolClient, type Queryable } from '../../db/pool.js';
import { ChangeRequest, ItemResult, RequestHeader } from '../../licensing/model.js';
import { resultKey } from '../../licensing/result-key.js';
import type { RequestFilter, RequestTransition } from '../store.js';
import type { StoreLogger } from '../store-health.js';
import { refuse } from '../value-check.js';
import { CallerError, isDatabaseError, type PgGuard } from './pg-guard.js';
import { json, limitOf, parsedRow, removedFields, storable, unstorableId } from './pg-rows.js';
import { recordRequestRows } from './request-rows.js';

/** Called in the transaction that makes a request runnable (saved as, or moved to, 'approved'). */
export type OnRunnable = (client: PoolClient, requestId: string) => Promise<void>;

export interface PgRequestsOptions {
  pool: Pool;
  guard: PgGuard;
  logger: StoreLogger;
  onRunnable?: OnRunnable;
}

const ItemResults = z.array(ItemResult);
const RESULT_ROWS = { method: 'recordResults', schema: ItemResults, insert: upsertResults };
const PatchedFields = RequestHeader.omit({ id: true, status: true });
/** A transition's patch with its target status, each field checked as the header checks it. */
const HeaderPatch = PatchedFields.partial().extend({ status: RequestHeader.shape.status });

/** A whole request: its results in the order they first landed, as lowdb keeps them. */
const WHOLE = `SELECT r.id, r.header, r.items,
  COALESCE((SELECT json_object_agg(x.result_key, x.doc ORDER BY x.seq)
            FROM request_results x WHERE x.request_id = r.id), '{}'::json) AS results`;
const NEWEST_FIRST = 'ORDER BY r.created_at DESC, r.seq ASC';

interface WholeRow {
  id: string;
  header: unknown;
  items: unknown;
  results: unknown;
}

export class PgRequests {
  constructor(private readonly o: PgRequestsOptions) {}

  /** One transaction: the header, the results it carries, and the run's hook when it is saved runnable. */
  save(request: ChangeRequest): Promise<void> {
    const { guard, pool, logger } = this.o;
    return guard.run('saveRequest', async () => {
      const { items, results, ...header } = storable(ChangeRequest, request, 'saveRequest', logger);
      await inTransaction(pool, async (client) => {
        const inserted = await client.query(
          'INSERT INTO requests (id, header, items) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
          [header.id, json(header), json(items)],
        );
        if (inserted.rowCount === 0) {
          throw refuse('saveRequest', `id: request ${header.id} exists already`, logger);
        }
        await upsertResults(client, header.id, Object.values(results));
        if (header.status === 'approved') await this.#runnable(client, header.id);
      });
    });
  }

  get(id: string): Promise<ChangeRequest | null> {
    if (unstorableId(id)) return Promise.resolve(null);
    return this.#one('getRequest', `${WHOLE} FROM requests r WHERE r.id = $1`, [id]);
  }

  findByDraft(draftId: string): Promise<ChangeRequest | null> {
    if (unstorableId(draftId)) return Promise.resolve(null);
    return this.#one('findRequestByDraft', `${WHOLE} FROM requests r WHERE r.draft_id = $1`, [draftId]);
  }

  list(filter: RequestFilter): Promise<ChangeRequest[]> {
    const { where, params } = whereOf(filter);
    return this.o.guard.run('listRequests', async () => {
      const found = await this.o.pool.query<WholeRow>(
        `${WHOLE} FROM requests r ${where} ${NEWEST_FIRST} LIMIT $${params.length}`,
        params,
      );
      return found.rows.map(whole);
    });
  }

  listHeaders(filter: RequestFilter): Promise<RequestHeader[]> {
    const { where, params } = whereOf(filter);
    return this.o.guard.run('listRequestHeaders', async () => {
      const found = await this.o.pool.query<{ id: string; header: unknown }>(
        `SELECT r.id, r.header FROM requests r ${where} ${NEWEST_FIRST} LIMIT $${params.length}`,
        params,
      );
      return found.rows.map((row) => parsedRow(RequestHeader, row.header, 'requests', row.id));
    });
  }

  /**
   * Compare-and-set in one UPDATE: the status must be one of `from` when the row is written (a
   * concurrent transition on any replica waits for the row and then finds it changed). A patch
   * key given as undefined removes the field, as `{ ...current, ...patch }` does in lowdb.
   */
  transition(...[id, from, to, patch = {}]: RequestTransition): Promise<ChangeRequest | null> {
    if (unstorableId(id)) return Promise.resolve(null);
    const { guard, pool, logger, onRunnable } = this.o;
    return guard.run('transitionRequest', async () => {
      const fields = storable(HeaderPatch, { ...patch, status: to }, 'transitionRequest', logger);
      const removed = removedFields(PatchedFields, patch, 'transitionRequest', logger);
      const sql = `WITH u AS (
          UPDATE requests r SET header = (r.header - $3::text[]) || $4::jsonb
          WHERE r.id = $1 AND r.status = ANY($2::text[]) RETURNING r.id, r.header, r.items, r.seq)
        ${WHOLE} FROM u r`;
      const params = [id, [...from], removed, json(fields)];
      if (to !== 'approved' || onRunnable === undefined) {
        const updated = await pool.query<WholeRow>(sql, params);
        return updated.rows[0] === undefined ? null : whole(updated.rows[0]);
      }
      return inTransaction(pool, async (client) => {
        const updated = await client.query<WholeRow>(sql, params);
        if (updated.rows[0] === undefined) return null;
        await this.#runnable(client, id);
        return whole(updated.rows[0]);
      });
    });
  }

  /** One upsert statement: a result for a part that has one replaces it. */
  record(requestId: string, results: readonly ItemResult[]): Promise<void> {
    return recordRequestRows(this.o, RESULT_ROWS, requestId, results);
  }

  async #one(method: string, sql: string, params: unknown[]): Promise<ChangeRequest | null> {
    return this.o.guard.run(method, async () => {
      const found = await this.o.pool.query<WholeRow>(sql, params);
      return found.rows[0] === undefined ? null : whole(found.rows[0]);
    });
  }

  /** The hook, inside the caller's transaction: its own failure rolls the change back. */
  async #runnable(client: PoolClient, requestId: string): Promise<void> {
    const hook = this.o.onRunnable;
    if (hook === undefined) return;
    try {
      await hook(client, requestId);
    } catch (error) {
      throw isDatabaseError(error) ? error : new CallerError(error);
    }
  }
}

/** Upserts the results in one statement, keyed by resultKey; of two for one part in a batch the last wins. */
async function upsertResults(
  db: Queryable,
  requestId: string,
  results: readonly ItemResult[],
): Promise<void> {
  if (results.length === 0) return;
  const byKey = new Map<string, ItemResult>();
  for (const result of results) byKey.set(resultKey(result.userId, result.skuId, result.op), result);
  await db.query(
    `INSERT INTO request_results (request_id, result_key, doc)
     SELECT $1, t.k, t.d FROM unnest($2::text[], $3::jsonb[]) WITH ORDINALITY AS t(k, d, n) ORDER BY t.n
     ON CONFLICT (request_id, result_key) DO UPDATE SET doc = EXCLUDED.doc`,
    [requestId, [...byKey.keys()], [...byKey.values()].map(json)],
  );
}

function whole(row: WholeRow): ChangeRequest {
  const header = typeof row.header === 'object' && row.header !== null ? row.header : {};
  return parsedRow(ChangeRequest, { ...header, items: row.items, results: row.results }, 'requests', row.id);
}

/** The filter as a WHERE clause; the last parameter is the limit. */
function whereOf(filter: RequestFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(params.length));
  };
  if (filter.requestedBy !== undefined) add((n) => `r.requested_by = $${n}`, filter.requestedBy);
  if (filter.customerId !== undefined) add((n) => `r.customer_id = $${n}`, filter.customerId);
  if (filter.status !== undefined) add((n) => `r.status = ANY($${n}::text[])`, [...filter.status]);
  if (filter.createdSince !== undefined) add((n) => `r.created_at >= $${n}`, filter.createdSince);
  params.push(limitOf(filter.limit));
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}
