/**
 * Where runs take their write slots: per customer tenant (TENANT_WRITES_PER_SECOND) and across all
 * of them (APP_WRITES_PER_SECOND). One process keeps both budgets in memory (TenantPacer); replicas
 * keep them in the database (PostgresWritePacer), so every replica draws from the same budgets
 * and a Retry-After one of them sees holds the tenant back for all.
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { TenantPacer, type WritePacer } from '../licensing/pacer.js';
import type { AppLogger } from '../logger.js';

export async function createPacer(
  config: Config,
  pool: Pool | undefined,
  logger: AppLogger,
): Promise<WritePacer> {
  const rates = { appRatePerSecond: config.APP_WRITES_PER_SECOND };
  if (pool === undefined) {
    return new TenantPacer({ ratePerSecond: config.TENANT_WRITES_PER_SECOND, ...rates });
  }
  const { PostgresWritePacer } = await import('../db/write-budget.js');
  return new PostgresWritePacer({
    pool,
    tenantRatePerSecond: config.TENANT_WRITES_PER_SECOND,
    ...rates,
    logger: logger.child({ component: 'write-budget' }),
  });
}
