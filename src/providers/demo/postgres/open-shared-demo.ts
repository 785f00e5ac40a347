/**
 * The demo tenant as a replica runs it with STORE=postgres: seeded once in the database (or
 * loaded with every change replayed), served by a SharedDemoProvider, with a close() for
 * shutdown and a readiness check. The pool belongs to the caller, which closes it.
 */
import type { Pool } from '../../../db/pool.js';
import { defaultLogger } from '../../../logger.js';
import type { DemoLogger } from '../demo-file.js';
import type { DemoProviderOptions } from '../demo-provider.js';
import type { DemoTenantData } from '../demo-tenant.js';
import { generateDemoTenant } from '../generator.js';
import { loadSharedTenant } from './demo-tables.js';
import { SharedDemoProvider } from './shared-demo-provider.js';

export interface SharedDemoOptions {
  /** Seed of the generator, used only by the replica that seeds the tables. */
  seed?: number;
  /** What the tables are seeded with (default: generateDemoTenant with `seed`). */
  initial?: () => DemoTenantData;
  /** How long close() lets changes under way finish (default 5 s). */
  closeWaitMs?: number;
  /** Latency, faults and quota of the provider (tests and benchmarks). */
  provider?: Omit<DemoProviderOptions, 'data' | 'journal' | 'onChange'>;
  logger?: DemoLogger;
}

export interface SharedDemo {
  provider: SharedDemoProvider;
  /** Refuses new changes and waits (bounded) for those under way; every change reported is committed. */
  close(): Promise<{ problems: string[] }>;
  /** Ready while the database answers. */
  readiness(): Promise<{ ready: boolean; reason?: string }>;
}

export async function openSharedDemo(pool: Pool, options: SharedDemoOptions = {}): Promise<SharedDemo> {
  const logger = options.logger ?? defaultLogger();
  const create = () =>
    options.initial?.() ?? generateDemoTenant(options.seed === undefined ? {} : { seed: options.seed });
  const tenant = await loadSharedTenant(pool, create);
  logger.info(
    tenant.seeded
      ? 'Seeded the shared demo tenant in PostgreSQL.'
      : `Loaded the shared demo tenant from PostgreSQL (${tenant.replayed} change(s) replayed).`,
  );
  const provider = new SharedDemoProvider({
    ...options.provider,
    data: tenant.data,
    pool,
    positions: tenant.positions,
  });
  const closeWaitMs = options.closeWaitMs ?? 5_000;
  let closed: Promise<{ problems: string[] }> | undefined;
  const close = async () => {
    const running = await provider.stopChanges(closeWaitMs);
    if (running === 0) return { problems: [] };
    const line = `${running} demo tenant change(s) still under way after ${closeWaitMs} ms: each is committed or rolled back by the database.`;
    logger.warn(line);
    return { problems: [line] };
  };
  return {
    provider,
    close: () => {
      closed ??= close();
      return closed;
    },
    readiness: async () => {
      try {
        await pool.query('SELECT 1');
        return { ready: true };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { ready: false, reason: `demo tenant's database does not answer: ${reason}` };
      }
    },
  };
}
