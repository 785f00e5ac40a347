/**
 * The demo tenant as the bot runs it: the provider over the files in DATA_DIR, every change
 * journaled before it is reported, and a close() for shutdown.
 */
import { defaultLogger } from '../../logger.js';
import {
  type DemoLogger,
  type DemoTenantFile,
  type OpenDemoTenantOptions,
  openDemoTenant,
} from './demo-file.js';
import { DemoProvider, type DemoProviderOptions } from './demo-provider.js';

export interface DemoBackendOptions extends Omit<OpenDemoTenantOptions, 'logger'> {
  /** How long close() lets changes under way finish (default 5 s). */
  closeWaitMs?: number;
  /** How long close() retries writing the snapshot (default 5 s). */
  closeRetryMs?: number;
  /** Latency, faults and quota of the provider (tests and benchmarks). */
  provider?: Omit<DemoProviderOptions, 'data' | 'journal'>;
  logger?: DemoLogger;
}

export interface DemoBackend {
  provider: DemoProvider;
  tenant: DemoTenantFile;
  /**
   * Refuses new changes (a transient error), waits for those under way up to `closeWaitMs`, then
   * folds the log into the snapshot with a bounded retry and closes the log. Never rejects; the
   * lines say what was not tidied up, and every change reported as applied is on disk either way.
   */
  close(): Promise<{ problems: string[] }>;
}

export async function openDemoBackend(
  dataDir: string,
  options: DemoBackendOptions = {},
): Promise<DemoBackend> {
  const { closeWaitMs = 5_000, closeRetryMs = 5_000, provider: providerOptions, ...tenantOptions } = options;
  const logger = options.logger ?? defaultLogger();
  const tenant = await openDemoTenant(dataDir, { ...tenantOptions, logger });
  const provider = new DemoProvider({ ...providerOptions, data: tenant.data, journal: tenant.journal });
  let closed: Promise<{ problems: string[] }> | undefined;
  const close = async (): Promise<{ problems: string[] }> => {
    const problems: string[] = [];
    const running = await provider.stopChanges(closeWaitMs);
    if (running > 0) {
      const line = `${running} demo tenant change(s) still under way after ${closeWaitMs} ms: each is either in the change log before it closes or refused and undone.`;
      logger.warn(line);
      problems.push(line);
    }
    // The tenant logs its own problems.
    problems.push(...(await tenant.close({ retryForMs: closeRetryMs })).problems);
    return { problems };
  };
  return {
    provider,
    tenant,
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}
