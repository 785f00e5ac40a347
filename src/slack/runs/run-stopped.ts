/**
 * The one failure path of a run that stopped for a reason nobody planned for, in one process or
 * on the job queue: logged, audited as `run_stopped`, and told in the summary's thread (in a DM
 * with the operator when the request has no summary).
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChangeRequest } from '../../licensing/model.js';
import type { Store } from '../../store/store.js';
import { RUN_STOPPED_TEXT } from './run-messages.js';
import type { SummaryMessage } from './summary-message.js';

export interface RunStoppedDeps {
  logger: Logger;
  store: Store;
  client: WebClient;
}

export async function tellRunStopped(
  { logger, store, client }: RunStoppedDeps,
  request: ChangeRequest,
  summary: SummaryMessage | null,
  error: unknown,
): Promise<void> {
  logger.error(`run of ${request.id} stopped`, error);
  await store.appendAudit({
    actor: 'system',
    action: 'run_stopped',
    requestId: request.id,
    outcome: 'error',
  });
  await client.chat.postMessage({
    channel: summary?.channel ?? request.requestedBy,
    ...(summary === null ? {} : { thread_ts: summary.ts }),
    text: RUN_STOPPED_TEXT,
  });
}
