/** Fakes a test starts for itself (Graph, Partner Center…), closed when that test finishes, passed or failed. */
import { onTestFinished } from 'vitest';

/** Registers `closable.close()` to run when the current test finishes; returns `closable`. */
export function closedAfterTest<T extends { close(): Promise<void> }>(closable: T): T {
  onTestFinished(() => closable.close());
  return closable;
}
