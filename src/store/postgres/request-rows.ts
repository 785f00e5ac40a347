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

/** One kind of a request's rows: the Store method that writes them, their schema, their insert. */
export interface RequestRows<S extends z.ZodType<unknown[]>> {
  method: string;
  schema: S;
  insert: (db: Queryable, requestId: string, valid: z.output<S>) => Promise<void>;
}

export function recordRequestRows<S extends z.ZodType<unknown[]>>(
  db: { pool: Pool; guard: PgGuard; logger: StoreLogger },
  kind: RequestRows<S>,
  requestId: string,
  rows: unknown,
): Promise<void> {
  const { guard, pool, logger } = db;
  const { method } = kind;
  const unknown = () => refuse(method, `requestId: request ${requestId} is not in the store`, logger);
  return guard.run(method, async () => {
    if (unstorableId(requestId)) throw unknown();
    const valid = storable(kind.schema, rows, method, logger);
    try {
      if (valid.length > 0) await kind.insert(pool, requestId, valid);
      else if ((await pool.query('SELECT 1 FROM requests WHERE id = $1', [requestId])).rowCount === 0)
        throw unknown();
    } catch (error) {
      // The foreign key: the request is not there (never saved, or archived).
      if (isForeignKeyViolation(error)) throw unknown();
      throw error;
    }
  });
}
