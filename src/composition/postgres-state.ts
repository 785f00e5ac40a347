/**
 * STORE=postgres: the replica's one pool, migrated, the pg-boss run queue on it, and the Postgres
 * store, which enqueues a run in the transaction that makes its request runnable (so the queue
 * starts before the store). state.ts loads this module only when STORE=postgres.
 */
import type { Config } from '../config.js';
import type { AppLogger } from '../logger.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { openDatabase } from './database.js';
import { orFail } from './fail.js';
import { startRunQueue } from './jobs.js';
import type { State } from './state.js';

export async function openPostgresState(config: Config, logger: AppLogger): Promise<Required<State>> {
  const pool = await orFail(openDatabase(config, logger));
  const queue = await startRunQueue(config, pool, logger);
  const store = new PostgresStore({
    pool,
    retentionDays: config.RETENTION_DAYS,
    logger: logger.child({ component: 'store' }),
    onRunnable: queue.onRunnable,
  });
  await orFail(store.open(), `Cannot open the store in schema ${config.DATABASE_SCHEMA}: `);
  return { store, pool, queue };
}
