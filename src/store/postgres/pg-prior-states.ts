/**
 * The state of a request's users before its run changed them, in PostgreSQL: one row per request
 * and user, inserted with ON CONFLICT DO NOTHING, so the first write wins on every replica at once.
 * Read back in the order recorded.
 */
import { z } from 'zod';
import type { Pool, Queryable } from '../../db/pool.js';
import { PriorState } from '../../licensing/model.js';
import type { StoreLogger } from '../store-health.js';
import type { PgGuard } from './pg-guard.js';
import { json, parsedRow, unstorableId } from './pg-rows.js';
import { recordRequestRows } from './request-rows.js';

const PRIOR_STATE_ROWS = { method: 'recordPriorState', schema: z.array(PriorState), insert: insertFirst };

export class PgPriorStates {
  constructor(private readonly o: { pool: Pool; guard: PgGuard; logger: StoreLogger }) {}

  /** One statement: the users not recorded yet are inserted, the others keep their first record. */
  record(requestId: string, states: readonly PriorState[]): Promise<void> {
    return recordRequestRows(this.o, PRIOR_STATE_ROWS, requestId, states);
  }

  read(requestId: string): Promise<PriorState[]> {
    if (unstorableId(requestId)) return Promise.resolve([]);
    const { guard, pool } = this.o;
    return guard.run('getPriorState', async () => {
      const found = await pool.query<{ user_id: string; doc: unknown }>(
        'SELECT user_id, doc FROM request_prior_state WHERE request_id = $1 ORDER BY seq',
        [requestId],
      );
      return found.rows.map((row) =>
        parsedRow(PriorState, row.doc, 'request_prior_state', `${requestId}, ${row.user_id}`),
      );
    });
  }
}

/** Inserts the states in the order given; a user recorded already (now or earlier) keeps the first. */
async function insertFirst(db: Queryable, requestId: string, states: readonly PriorState[]): Promise<void> {
  await db.query(
    `INSERT INTO request_prior_state (request_id, user_id, doc)
     SELECT $1, t.u, t.d FROM unnest($2::text[], $3::jsonb[]) WITH ORDINALITY AS t(u, d, n) ORDER BY t.n
     ON CONFLICT (request_id, user_id) DO NOTHING`,
    [requestId, states.map((state) => state.userId), states.map(json)],
  );
}
