/**
 * Retention in PostgreSQL: one transaction moves finished requests (whole: header, items,
 * results, approval and the state before their run), expired drafts and audit rows older than the retention into the
 * archive tables and deletes them, so a record is in one place or the other, never in neither
 * and never in both. The requests are locked first (FOR UPDATE), so a transition or a result
 * on another replica waits and then finds them gone.
 */
import { inTransaction, type Pool, type PoolClient } from '../../db/pool.js';
import { FINISHED_STATUSES } from '../retention.js';
import type { PgGuard } from './pg-guard.js';

const DAY_MS = 86_400_000;

export interface ArchivedCounts {
  requests: number;
  drafts: number;
  audit: number;
}

export async function archiveOld(options: {
  pool: Pool;
  guard: PgGuard;
  now: () => Date;
  retentionDays: number;
}): Promise<ArchivedCounts> {
  const { pool, guard } = options;
  const now = options.now();
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
  return guard.run('archiveOld', () =>
    inTransaction(pool, async (client) => ({
      requests: await archiveRequests(client, cutoff),
      drafts: await moved(
        client,
        `WITH gone AS (DELETE FROM drafts WHERE expires_at <= $1 RETURNING id, doc)
         INSERT INTO archived_drafts (id, doc) SELECT id, doc FROM gone`,
        [now],
      ),
      audit: await moved(
        client,
        `WITH gone AS (DELETE FROM audit WHERE at_time < $1 RETURNING id, doc)
         INSERT INTO archived_audit (id, doc) SELECT id, doc FROM gone ORDER BY id`,
        [cutoff],
      ),
    })),
  );
}

/** Finished before the cutoff (finishedAt, else createdAt, as lowdb's retention reads them). */
async function archiveRequests(client: PoolClient, cutoff: Date): Promise<number> {
  const locked = await client.query<{ id: string }>(
    `SELECT id FROM requests
     WHERE status = ANY($1::text[])
       AND store_time(COALESCE(header->>'finishedAt', header->>'createdAt')) < $2
     FOR UPDATE`,
    [[...FINISHED_STATUSES], cutoff],
  );
  const ids = locked.rows.map((row) => row.id);
  if (ids.length === 0) return 0;
  await client.query(
    `INSERT INTO archived_requests (id, request, approval, prior_state)
     SELECT r.id,
            r.header || jsonb_build_object('items', r.items, 'results',
              COALESCE((SELECT jsonb_object_agg(x.result_key, x.doc) FROM request_results x WHERE x.request_id = r.id), '{}'::jsonb)),
            (SELECT a.doc FROM approvals a WHERE a.request_id = r.id),
            (SELECT jsonb_agg(p.doc ORDER BY p.seq) FROM request_prior_state p WHERE p.request_id = r.id)
     FROM requests r WHERE r.id = ANY($1::text[])`,
    [ids],
  );
  await client.query('DELETE FROM request_results WHERE request_id = ANY($1::text[])', [ids]);
  await client.query('DELETE FROM request_prior_state WHERE request_id = ANY($1::text[])', [ids]);
  await client.query('DELETE FROM approvals WHERE request_id = ANY($1::text[])', [ids]);
  await client.query('DELETE FROM requests WHERE id = ANY($1::text[])', [ids]);
  return ids.length;
}

async function moved(client: PoolClient, sql: string, params: unknown[]): Promise<number> {
  return (await client.query(sql, params)).rowCount ?? 0;
}
