/**
 * The license backend LICENSE_PROVIDER names. With STORE=postgres the demo tenant lives in the
 * database (seeded once, shared by every replica) instead of DATA_DIR.
 */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { AppLogger } from '../logger.js';
import { createProvider, type ProviderHandle } from '../providers/create-provider.js';
import { fail, failOnCoded } from './fail.js';

export async function startBackend(
  config: Config,
  logger: AppLogger,
  pool: Pool | undefined,
): Promise<ProviderHandle> {
  return createProvider(config, {
    logger: logger.child({ component: 'provider' }),
    ...(pool === undefined ? {} : { pool }),
  }).catch((error: unknown) => {
    failOnCoded(error);
    // A corrupt demo tenant file and the like: the message names the file and what to do.
    fail(
      'provider_start_failed',
      `Cannot start the ${config.LICENSE_PROVIDER} backend: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}
