/**
 * On SIGINT / SIGTERM, in this order: no new Slack work, the runs (or the job workers) stop and
 * record what is in flight, the license backend is saved, the store is saved, the pool ends last
 * (everything above may still write through it). Each step runs even if an earlier one failed; a
 * stop that hangs ends in a forced exit.
 */
import type { AppLogger } from '../logger.js';

/** After this, a stop that hangs ends with a forced exit. */
const SHUTDOWN_LIMIT_MS = 25_000;

export interface ShutdownStep {
  /** What the log says when it fails: "shutdown: <what> failed". */
  what: string;
  work: () => Promise<unknown>;
}

/** Installs the handlers; `steps` run in order, `before` first (timers, which cannot fail). */
export function installShutdown(logger: AppLogger, before: () => void, steps: readonly ShutdownStep[]): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping (runs under way resume at the next start)`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting now`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
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
