/**
 * Last-resort handlers for errors that escape every other handler (Bolt's, the receiver's, a
 * background run's). Node's default for both is to end the process, which for a bot that holds
 * open modals and runs in progress turns one bad request into an outage for everyone; these log
 * the error with what is known about it and keep the process serving.
 */
import type { Logger } from '@slack/bolt';

/** What the guards need of a process (the real one, or a stand-in in tests). */
export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}\n${error.stack ?? '(no stack)'}`;
  }
  let shown: string;
  try {
    shown = JSON.stringify(error) ?? String(error);
  } catch {
    shown = String(error);
  }
  return `a non-Error value (${typeof error}): ${shown.slice(0, 500)}`;
}

/**
 * Logs unhandled promise rejections and uncaught exceptions at error level, with the error's
 * name, message, cause and stack, and keeps the process running. Returns a function that removes
 * the handlers.
 */
export function installProcessGuards(
  logger: Pick<Logger, 'error'>,
  target: GuardedProcess = process,
): () => void {
  const onRejection = (reason: unknown) => {
    logger.error(`unhandled promise rejection, process keeps serving: ${describe(reason)}`);
  };
  const onException = (error: Error, origin: string) => {
    logger.error(`uncaught exception (${origin}), process keeps serving: ${describe(error)}`);
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
