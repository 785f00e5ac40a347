/**
 * How a run tells the outside world what happens. The Slack layer implements it with a summary
 * message and its thread; tests use a recording reporter. Implementations must not throw for a
 * failed notification in a way that stops the run: the executor logs and carries on.
 */
import type { ChangeItem, ChangeRequest, ItemResult, RunCounts } from './model.js';

export interface Reporter {
  started(request: ChangeRequest, counts: RunCounts): Promise<void>;
  /** Called at most every few seconds while a run progresses. */
  progress(request: ChangeRequest, counts: RunCounts): Promise<void>;
  /** One user's results, as they land. Implementations batch: never one message per user. */
  itemDone(request: ChangeRequest, item: ChangeItem, results: readonly ItemResult[]): Promise<void>;
  finished(request: ChangeRequest, counts: RunCounts): Promise<void>;
}

/** A reporter that does nothing, for runs nobody watches. */
export const silentReporter: Reporter = {
  async started() {},
  async progress() {},
  async itemDone() {},
  async finished() {},
};
