/** Audit rows in PostgreSQL, listed newest first (by insertion, as lowdb lists them). */
import type { Pool } from '../../db/pool.js';
import type { StoreLogger } from '../store-health.js';
import { AuditEntry } from '../store-schema.js';
import type { PgGuard } from './pg-guard.js';
import { json, limitOf, parsedRow, storable, unstorableId } from './pg-rows.js';

type DocRow = { id: string; doc: unknown };

export class PgAudit {
  constructor(private readonly o: { pool: Pool; guard: PgGuard; logger: StoreLogger; now: () => Date }) {}

  append(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    const { guard, pool, logger, now } = this.o;
    return guard.run('appendAudit', async () => {
      const row = storable(
        AuditEntry,
        { ...entry, at: entry.at ?? now().toISOString() },
        'appendAudit',
        logger,
      );
      // Retention's clock: the row's time when it is one (Date.parse, as lowdb's retention reads it).
      const time = Date.parse(row.at);
      await pool.query('INSERT INTO audit (at_time, request_id, doc) VALUES ($1, $2, $3)', [
        Number.isNaN(time) ? null : new Date(time),
        row.requestId ?? null,
        json(row),
      ]);
    });
  }

  list(filter: { requestId?: string; limit: number }): Promise<AuditEntry[]> {
    const { requestId } = filter;
    if (requestId !== undefined && unstorableId(requestId)) return Promise.resolve([]);
    const limit = limitOf(filter.limit);
    return this.o.guard.run('listAudit', async () => {
      const found = await this.o.pool.query<DocRow>(
        `SELECT id, doc FROM audit WHERE $1::text IS NULL OR request_id = $1 ORDER BY id DESC LIMIT $2`,
        [requestId ?? null, limit],
      );
      return found.rows.map((row) => parsedRow(AuditEntry, row.doc, 'audit', row.id));
    });
  }
}
