/**
 * The store STORE names: lowdb files in DATA_DIR (one process), or the Postgres store on the
 * replica's pool, whose transition to 'approved' also enqueues the run (onRunnable).
 */
import type { Config } from '../config.js';
import type { Pool, PoolClient } from '../db/pool.js';
import type { CodedError } from '../errors.js';
import type { AppLogger } from '../logger.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { Store } from '../store/store.js';
import { orFail } from './fail.js';

/** Called inside the transaction that makes a request 'approved' (enqueues its run there). */
export type OnRunnable = (client: PoolClient, requestId: string) => Promise<void>;

class StoreStartError extends Error implements CodedError {
  override readonly name = 'StoreStartError';
  readonly code = 'store_unsupported';
}

export async function openLowdbStore(config: Config, logger: AppLogger): Promise<Store> {
  const store = new LowdbStore({
    dataDir: config.DATA_DIR,
    retentionDays: config.RETENTION_DAYS,
    logger: logger.child({ component: 'store' }),
  });
  await orFail(store.open(), `Cannot open the store in ${config.DATA_DIR}: `);
  return store;
}

export async function openPostgresStore(
  _config: Config,
  _logger: AppLogger,
  _pool: Pool,
  _onRunnable: OnRunnable | undefined,
): Promise<Store> {
  return orFail(
    Promise.reject(
      new StoreStartError('STORE=postgres: this build has no Postgres store yet; use STORE=lowdb'),
    ),
  );
}
