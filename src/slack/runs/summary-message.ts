/**
 * A request's summary message: posted where /licenses ran, or in a DM with the operator when the
 * bot cannot post there, and remembered on the request as where its run reports.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { renderRunSummary } from '../../../blocks/run-summary.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { countResults } from '../../licensing/run-counts.js';
import { slackErrorCode } from '../views.js';
import { summaryNotPostedText } from './run-messages.js';

/** Where a summary message is. */
export interface SummaryMessage {
  channel: string;
  ts: string;
}

/** A summary message, and whether it went to the operator's DM just now instead of where it was meant. */
export interface PostedSummary extends SummaryMessage {
  movedToDm: boolean;
}

/** Errors of chat.postMessage after which the summary goes to the operator's DM instead. */
const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Posts the request's summary in `channelId`, or in a DM with `userId` when the bot cannot post there. */
export async function postSummary(
  client: WebClient,
  channelId: string,
  userId: string,
  request: ChangeRequest,
): Promise<PostedSummary> {
  const message = renderRunSummary({ request, counts: countResults(request) });
  const post = async (channel: string) => {
    const response = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
    return { channel: response.channel ?? channel, ts: response.ts ?? '' };
  };
  try {
    return { ...(await post(channelId)), movedToDm: false };
  } catch (error) {
    if (!CANNOT_POST_HERE.has(slackErrorCode(error) ?? '')) throw error;
  }
  // Posting to a user id lands in the app's DM with them; no conversations.open (and no im:write) needed.
  return { ...(await post(userId)), movedToDm: true };
}

/**
 * The request's summary message: the one it already reports in, or a new one posted where it was
 * meant to report (or in the requester's DM) and remembered as its report target.
 */
export async function summaryOf(
  service: LicensingService,
  client: WebClient,
  request: ChangeRequest,
): Promise<PostedSummary> {
  const { report } = request;
  if (report?.ts !== undefined) return { channel: report.channel, ts: report.ts, movedToDm: false };
  const posted = await postSummary(
    client,
    report?.channel ?? request.requestedBy,
    request.requestedBy,
    request,
  );
  await service.setReportTarget(request.id, { channel: posted.channel, ts: posted.ts });
  return posted;
}

/** What a request does without a summary, as the log says it. */
export type GoesOn = 'runs' | 'waits for approval' | 'resumes';

/**
 * The request's summary message, or null when Slack refused it (the request goes on without one,
 * its outcome on App Home); `tellRequester` DMs the operator that it could not be posted.
 */
export async function summaryOrNull(
  deps: { service: LicensingService; client: WebClient; logger: Pick<Logger, 'error'> },
  request: ChangeRequest,
  goesOn: GoesOn,
  { tellRequester = false } = {},
): Promise<PostedSummary | null> {
  const { service, client, logger } = deps;
  try {
    return await summaryOf(service, client, request);
  } catch (error) {
    logger.error(`posting the summary of ${request.id} failed; it ${goesOn} without one`, error);
    if (tellRequester) {
      await client.chat
        .postMessage({ channel: request.requestedBy, text: summaryNotPostedText(request.id) })
        .catch(() => {});
    }
    return null;
  }
}
