/**
 * Rows that belong to one request (its results, its users' state before the run), written in one
 * statement. An unknown request is refused as lowdb refuses it (`invalid_value`): a batch learns
 * it from the foreign key, an empty batch by asking.
 */
import type { z } from 'zod';
import type { Pool, Queryable } from '../../db/pool.js';
import type { StoreLogger } from '../store-health.js';
import { refuse } from '../value-check.js';
import { isForeignKeyViolation, type PgGuard } from './pg-guard.js';
import { storable, unstorableId } from './pg-rows.js';

export interface RequestRowsWrite<S extends z.ZodType<unknown[]>> {
  /** The Store method, for its errors and log lines. */
  method: string;
  requestId: string;
  schema: S;
  rows: unknown;
  insert: (db: Queryable, requestId: string, valid: z.output<S>) => Promise<void>;
}

export function recordRequestRows<S extends z.ZodType<unknown[]>>(
  db: { pool: Pool; guard: PgGuard; logger: StoreLogger },
  write: RequestRowsWrite<S>,
): Promise<void> {
  const { guard, pool, logger } = db;
  const { method, requestId } = write;
  const unknown = () => refuse(method, `requestId: request ${requestId} is not in the store`, logger);
  return guard.run(method, async () => {
    if (unstorableId(requestId)) throw unknown();
    const valid = storable(write.schema, write.rows, method, logger);
    try {
      if (valid.length > 0) await write.insert(pool, requestId, valid);
      else if ((await pool.query('SELECT 1 FROM requests WHERE id = $1', [requestId])).rowCount === 0)
        throw unknown();
    } catch (error) {
      // The foreign key: the request is not there (never saved, or archived).
      if (isForeignKeyViolation(error)) throw unknown();
      throw error;
    }
  });
}
