/**
 * The store STORE names: lowdb files in DATA_DIR (one process), or the Postgres store on the
 * replica's pool, whose transition to 'approved' also enqueues the run (onRunnable).
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { AppLogger } from '../logger.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { type OnRunnable, PostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { orFail } from './fail.js';

export async function openLowdbStore(config: Config, logger: AppLogger): Promise<Store> {
  const store = new LowdbStore({
    dataDir: config.DATA_DIR,
    retentionDays: config.RETENTION_DAYS,
    logger: logger.child({ component: 'store' }),
  });
  await orFail(store.open(), `Cannot open the store in ${config.DATA_DIR}: `);
  return store;
}

/** The Postgres store on the replica's pool (migrated already); it does not end the pool. */
export async function openPostgresStore(
  config: Config,
  logger: AppLogger,
  pool: Pool,
  onRunnable: OnRunnable | undefined,
): Promise<Store> {
  const store = new PostgresStore({
    pool,
    retentionDays: config.RETENTION_DAYS,
    logger: logger.child({ component: 'store' }),
    ...(onRunnable === undefined ? {} : { onRunnable }),
  });
  await orFail(store.open(), `Cannot open the store in schema ${config.DATABASE_SCHEMA}: `);
  return store;
}
