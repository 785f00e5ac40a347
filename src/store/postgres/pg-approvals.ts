/** Approvals of requests in PostgreSQL, one row per request; decided by one compare-and-set UPDATE. */
import type { Pool } from '../../db/pool.js';
import type { StoreLogger } from '../store-health.js';
import { Approval, ApprovalStatus } from '../store-schema.js';
import type { PgGuard } from './pg-guard.js';
import { json, limitOf, parsedRow, removedFields, storable, unstorableId } from './pg-rows.js';

export type ApprovalPatch = Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>;

const PatchedFields = Approval.omit({ requestId: true });
const Patch = PatchedFields.partial().extend({ status: ApprovalStatus });

type DocRow = { request_id: string; doc: unknown };

export class PgApprovals {
  constructor(private readonly o: { pool: Pool; guard: PgGuard; logger: StoreLogger }) {}

  /** Saving an approval again replaces it, as in lowdb. */
  save(approval: Approval): Promise<void> {
    const { guard, pool, logger } = this.o;
    return guard.run('saveApproval', async () => {
      const saved = storable(Approval, approval, 'saveApproval', logger);
      await pool.query(
        `INSERT INTO approvals (request_id, doc) VALUES ($1, $2)
         ON CONFLICT (request_id) DO UPDATE SET doc = EXCLUDED.doc`,
        [saved.requestId, json(saved)],
      );
    });
  }

  get(requestId: string): Promise<Approval | null> {
    if (unstorableId(requestId)) return Promise.resolve(null);
    return this.o.guard.run('getApproval', async () => {
      const found = await this.o.pool.query<DocRow>(
        'SELECT request_id, doc FROM approvals WHERE request_id = $1',
        [requestId],
      );
      return found.rows[0] === undefined ? null : parsed(found.rows[0]);
    });
  }

  /** Most recent first. */
  list(filter: { status?: Approval['status'][]; limit: number }): Promise<Approval[]> {
    const limit = limitOf(filter.limit);
    return this.o.guard.run('listApprovals', async () => {
      const found = await this.o.pool.query<DocRow>(
        `SELECT request_id, doc FROM approvals
         WHERE $1::text[] IS NULL OR status = ANY($1::text[])
         ORDER BY created_at DESC, seq ASC LIMIT $2`,
        [filter.status === undefined ? null : [...filter.status], limit],
      );
      return found.rows.map(parsed);
    });
  }

  /** Compare-and-set in one UPDATE: of concurrent decisions (on any replica) one finds `from`. */
  decide(
    requestId: string,
    from: readonly Approval['status'][],
    patch: ApprovalPatch,
  ): Promise<Approval | null> {
    if (unstorableId(requestId)) return Promise.resolve(null);
    const { guard, pool, logger } = this.o;
    return guard.run('decideApproval', async () => {
      const fields = storable(Patch, patch, 'decideApproval', logger);
      const removed = removedFields(PatchedFields, patch, 'decideApproval', logger);
      const updated = await pool.query<DocRow>(
        `UPDATE approvals SET doc = (doc - $3::text[]) || $4::jsonb
         WHERE request_id = $1 AND status = ANY($2::text[]) RETURNING request_id, doc`,
        [requestId, [...from], removed, json(fields)],
      );
      return updated.rows[0] === undefined ? null : parsed(updated.rows[0]);
    });
  }
}

function parsed(row: DocRow): Approval {
  return parsedRow(Approval, row.doc, 'approvals', row.request_id);
}
