/**
 * Break-glass in the approvals channel: a request run without approval is posted there as "run
 * without approval" (who, what, why, the requester's thread), and an approver other than the
 * requester acknowledges it once. The acknowledgement is the audit row `break_glass_acknowledged`,
 * written under the store's lock for the request (every replica), so two clicks record it once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  Logger,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { renderBreakGlassNotice } from '../../../blocks/break-glass.js';
import { breakGlassRow } from '../../licensing/break-glass-row.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { ranWithoutApproval, WINDOW_STATUSES } from '../../licensing/policy.js';
import { MANY } from '../../licensing/service-types.js';
import { refusals } from '../access.js';
import type { ListenerDeps } from '../listeners/deps.js';
import { threadLinks } from './thread-link.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const RequestIdValue = z.string().regex(/^[a-z]+_[a-z0-9]{1,40}$/);

/** How long the notice waits for the requester's summary, to link its thread (then goes without). */
const SUMMARY_WAIT = { attempts: 40, intervalMs: 250 };

/** The request once its summary is posted (report.ts known), or as it is when that takes too long. */
async function withSummary(deps: ListenerDeps, requestId: string): Promise<ChangeRequest | null> {
  let request = await deps.store.getRequest(requestId);
  for (let i = 0; i < SUMMARY_WAIT.attempts && request !== null && request.report?.ts === undefined; i++) {
    await sleep(SUMMARY_WAIT.intervalMs);
    request = await deps.store.getRequest(requestId);
  }
  return request;
}

/** Audit action recorded once a request's "run without approval" notice is posted. */
const NOTICE_POSTED = 'break_glass_announced';

/** Requests whose notice is looked for at start: a stop loses at most the notices of its last hours. */
const RECOVERY_HOURS = 24;

/** Posts the "run without approval" notice of a saved break-glass request, in the background. */
export function announceBreakGlass(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  requestId: string,
): void {
  deps.runs.track(`break-glass notice of ${requestId}`, async () => {
    const channel = deps.approvals.channelId;
    if (channel === undefined) {
      logger.warn(
        `APPROVAL_CHANNEL_ID is not set: break-glass request ${requestId} is in the audit log only`,
      );
      return;
    }
    const request = await withSummary(deps, requestId);
    if (request === null) return;
    // Its `break_glass` audit row is on disk before anyone reads of it.
    await deps.store.flush();
    await postOnce(deps, client, logger, request, channel);
  });
}

/**
 * Posts the notice unless it was posted already (by this replica or another), under the request's
 * lock; its audit row is on disk before the lock goes. A stop between the post and that row posts
 * it again at the next start: approvers may read it twice, never not at all.
 */
async function postOnce(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  request: ChangeRequest,
  channel: string,
): Promise<void> {
  await deps.store.exclusive(`break-glass-notice|${request.id}`, async () => {
    const audit = await deps.store.listAudit({ requestId: request.id, limit: MANY });
    if (audit.some((entry) => entry.action === NOTICE_POSTED)) return;
    const threadLink = await threadLinks(client, logger)(request);
    try {
      const posted = await client.chat.postMessage({
        channel,
        ...renderBreakGlassNotice({ request, threadLink }),
        unfurl_links: false,
      });
      await deps.store.appendAudit({
        actor: 'system',
        action: NOTICE_POSTED,
        requestId: request.id,
        outcome: 'posted',
        details: { channel, ts: posted.ts },
      });
      await deps.store.flush();
    } catch (error) {
      logger.error(`posting the break-glass notice of ${request.id} in ${channel} failed`, error);
    }
  });
}

/**
 * At start: what a stop may have cut off after a break-glass request was saved (and its run
 * enqueued). Its `break_glass` audit row is written again from the request when it is missing, and
 * a notice not posted yet is posted. Returns how many requests needed either.
 */
export async function recoverBreakGlass(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
): Promise<number> {
  const since = new Date(Date.now() - RECOVERY_HOURS * 3_600_000).toISOString();
  const headers = await deps.store.listRequestHeaders({
    status: WINDOW_STATUSES,
    createdSince: since,
    limit: MANY,
  });
  let recovered = 0;
  for (const header of headers.filter(ranWithoutApproval)) {
    const audit = await deps.store.listAudit({ requestId: header.id, limit: MANY });
    const has = (action: string) => audit.some((entry) => entry.action === action);
    // Acknowledged: posted (before its posts were recorded, the acknowledgement is the proof).
    const posted = has(NOTICE_POSTED) || has('break_glass_acknowledged');
    if (has('break_glass') && posted) continue;
    recovered++;
    if (!has('break_glass')) {
      await deps.store.appendAudit(breakGlassRow(header, { restored: true }));
      logger.warn(`break-glass request ${header.id} had no break_glass audit row: written from the request`);
    }
    if (!posted) announceBreakGlass(deps, client, logger, header.id);
  }
  return recovered;
}

/** Tells only the clicker, where they clicked. */
async function tell(args: ButtonArgs, text: string): Promise<void> {
  const channel = args.body.channel?.id;
  const user = args.body.user.id;
  if (channel !== undefined) await args.client.chat.postEphemeral({ channel, user, text });
  else await args.client.chat.postMessage({ channel: user, text });
}

/** Who acknowledged `requestId` first (recording `userId` when nobody had), under the request's lock. */
async function acknowledgeOnce(deps: ListenerDeps, requestId: string, userId: string) {
  return deps.store.exclusive(`break-glass-ack|${requestId}`, async () => {
    const audit = await deps.store.listAudit({ requestId, limit: MANY });
    const earlier = audit.find((entry) => entry.action === 'break_glass_acknowledged');
    if (earlier !== undefined) return { first: false, by: earlier.actor };
    await deps.store.appendAudit({
      actor: userId,
      action: 'break_glass_acknowledged',
      requestId,
      outcome: 'acknowledged',
    });
    // Durable before the lock goes: the next clicker reads it.
    await deps.store.flush();
    return { first: true, by: userId };
  });
}

async function acknowledgeClicked(deps: ListenerDeps, args: ButtonArgs): Promise<void> {
  const userId = args.body.user.id;
  const requestId = RequestIdValue.safeParse(args.action.value);
  const request = requestId.success ? await deps.store.getRequest(requestId.data) : null;
  const audit = request === null ? [] : await deps.store.listAudit({ requestId: request.id, limit: MANY });
  if (request === null || !audit.some((entry) => entry.action === 'break_glass')) {
    await tell(args, 'This button no longer refers to a request run without approval.');
    return;
  }
  const refused = async (why: string, text: string) => {
    await deps.store.appendAudit({
      actor: userId,
      action: 'acknowledge_refused',
      requestId: request.id,
      outcome: why,
    });
    await tell(args, text);
  };
  if (!(await deps.access.approvers.allows(userId))) return refused('not_approver', refusals.approver);
  if (userId === request.requestedBy) {
    return refused('self_acknowledge', 'You ran this request: another approver reviews and acknowledges it.');
  }
  const { first, by } = await acknowledgeOnce(deps, request.id, userId);
  if (!first) {
    await tell(args, `<@${by}> already acknowledged this request.`);
    return;
  }
  const channel = args.body.channel?.id;
  const ts = args.body.message?.ts;
  if (channel === undefined || ts === undefined) return;
  const threadLink = await threadLinks(args.client, args.logger)(request);
  await args.client.chat.update({
    channel,
    ts,
    ...renderBreakGlassNotice({ request, threadLink, acknowledgedBy: userId }),
  });
}

/** Acknowledge on a "run without approval" message: acked first, checked and recorded after. */
export function acknowledgeBreakGlass(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    deps.runs.track(`break-glass acknowledge by ${args.body.user.id}`, async () => {
      try {
        await acknowledgeClicked(deps, args);
      } catch (error) {
        args.logger.error(`acknowledging ${args.action.value ?? '?'} failed`, error);
        await tell(args, 'Sorry, something went wrong and nothing was recorded. Try again in a moment.');
      }
    });
  };
}
