/** STORE=lowdb: the store's files in DATA_DIR (one process; postgres-state.ts opens the other). */
import type { Config } from '../config.js';
import type { AppLogger } from '../logger.js';
import { LowdbStore } from '../store/lowdb-store.js';
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
