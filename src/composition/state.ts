/**
 * Where the bot's state lives, by STORE: lowdb files in DATA_DIR; or (postgres) the replica's one
 * pool, migrated, the pg-boss run queue on it, and the Postgres store, which enqueues a run in the
 * transaction that makes its request runnable (so the queue starts before the store).
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { RunQueue } from '../jobs/index.js';
import type { AppLogger } from '../logger.js';
import type { Store } from '../store/store.js';
import { openLowdbStore } from './store.js';

export interface State {
  store: Store;
  /** STORE=postgres only. */
  pool?: Pool;
  /** STORE=postgres only. */
  queue?: RunQueue;
}

export async function openState(config: Config, logger: AppLogger): Promise<State> {
  if (config.STORE === 'lowdb') return { store: await openLowdbStore(config, logger) };
  // Loaded only for STORE=postgres: pg, pg-boss and their modules are start-up (about 70 ms) that
  // one process on lowdb does not need.
  const { openPostgresState } = await import('./postgres-state.js');
  return openPostgresState(config, logger);
}
