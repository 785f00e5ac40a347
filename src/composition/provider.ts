/** The license backend LICENSE_PROVIDER names; the demo tenant lives in Postgres with STORE=postgres. */
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { AppLogger } from '../logger.js';
import { createProvider, type ProviderHandle } from '../providers/create-provider.js';
import { fail, failOnCoded } from './fail.js';

export async function startBackend(
  config: Config,
  logger: AppLogger,
  _pool: Pool | undefined,
): Promise<ProviderHandle> {
  return createProvider(config, { logger: logger.child({ component: 'provider' }) }).catch(
    (error: unknown) => {
      failOnCoded(error);
      // A corrupt demo tenant file and the like: the message names the file and what to do.
      fail(
        'provider_start_failed',
        `Cannot start the ${config.LICENSE_PROVIDER} backend: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
}
