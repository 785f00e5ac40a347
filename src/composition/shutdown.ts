/**
 * On SIGINT / SIGTERM, in this order: no new Slack work, the runs (or the job workers) stop and
 * record what is in flight, the license backend is saved, the store is saved, the pool ends last
 * (everything above may still write through it). Each step runs even if an earlier one failed; a
 * stop that hangs ends in a forced exit.
 */
import type { Pool } from '../db/pool.js';
import type { RunQueue } from '../jobs/index.js';
import type { LicensingService } from '../licensing/licensing-service.js';
import type { AppLogger } from '../logger.js';
import type { ProviderHandle } from '../providers/create-provider.js';
import type { SlackApp } from '../slack/app.js';
import type { Store } from '../store/store.js';

/** After this, a stop that hangs ends with a forced exit. */
const SHUTDOWN_LIMIT_MS = 25_000;

export interface ShutdownStep {
  /** What the log says when it fails: "shutdown: <what> failed". */
  what: string;
  work: () => Promise<unknown>;
}

/**
 * Installs the handlers; `steps` run in order, `before` first (timers, which cannot fail). A
 * signal that comes while the app still starts (`startedUp` pending) waits for the start to end,
 * so nothing the start still does runs on a closed store or pool.
 */
export function installShutdown(
  logger: AppLogger,
  before: () => void,
  steps: readonly ShutdownStep[],
  startedUp: Promise<unknown> = Promise.resolve(),
): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping (runs under way resume at the next start)`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting now`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await startedUp.catch(() => {});
    before();
    let failed = false;
    for (const { what, work } of steps) {
      try {
        await work();
      } catch (error) {
        failed = true;
        logger.error(`shutdown: ${what} failed`, error);
      }
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

export interface Stoppable {
  slack: SlackApp;
  service: LicensingService;
  queue?: RunQueue | undefined;
  backend: ProviderHandle;
  store: Store;
  pool?: Pool | undefined;
}

/**
 * No new work, then the runs stop taking items and record what is in flight (their jobs are
 * retried elsewhere), then the tenant and the store are saved (the store even when the tenant
 * could not be), the pool last.
 */
export function shutdownSteps(parts: Stoppable, runsStopMs: number): ShutdownStep[] {
  const { slack, service, queue, backend, store, pool } = parts;
  return [
    { what: 'stopping the Slack listener', work: () => slack.stop() },
    { what: 'stopping the runs', work: () => service.stop(runsStopMs) },
    ...(queue === undefined
      ? []
      : [{ what: 'stopping the job workers', work: () => queue.stop(runsStopMs) }]),
    { what: 'saving the license backend', work: () => backend.close() },
    { what: 'saving the store', work: () => store.close() },
    ...(pool === undefined ? [] : [{ what: 'closing the database pool', work: () => pool.end() }]),
  ];
}
