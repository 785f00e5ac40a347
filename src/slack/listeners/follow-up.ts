/**
 * "Retry failed (N)" on a finished request's summary: a modal of what is sent again, planned
 * against the tenant as it is now; its submission goes through the service like any change
 * ("Request sent", a summary "Retry of …" where the original reported, its thread, its approval).
 * Operators only (route middleware, the signed user id); the button names the request and nothing
 * else, so everything is read again from the store.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { BREAK_GLASS_REASON_REQUIRED } from '../../../blocks/break-glass.js';
import { RETRY_TITLE, renderFollowUpModal } from '../../../blocks/follow-up-modal.js';
import { ids } from '../../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../../blocks/loading.js';
import { resultsOfParts } from '../../licensing/follow-up.js';
import type { FollowUpRefusal } from '../../licensing/licensing-service.js';
import { type ChangeRequest, failureMessages } from '../../licensing/model.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { approvalReason } from '../../licensing/policy.js';
import { CANNOT_SAVE_TEXT, type Draft, StoreUnavailableError } from '../../store/store.js';
import { draftOf } from '../access.js';
import { ThreadLinks } from '../approval/thread-link.js';
import { RequestIdValue } from '../payloads.js';
import { isLate, showFromTrigger, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { chosenOf } from './preview-step.js';
import type { SubmitArgs } from './step-args.js';
import { startSubmitted } from './submit.js';
import {
  ALREADY_SUBMITTED,
  alreadySubmittedView,
  plannedCounts,
  repeatedOutcome,
  type Submitted,
  sendingView,
} from './submitted-view.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
/** A refused retry: the error under the reason (the modal's only input). */
type Refused = { ok: false; errors: Record<string, string>; alreadySubmitted?: true };

export const NOTHING_LEFT =
  'Nothing is left to retry: every change that failed for a reason a retry can get past is done by now.';

/** Why no retry can be made now, in words. */
export function refusalText(refused: FollowUpRefusal): string {
  switch (refused.why) {
    case 'not_found':
      return 'LicenseDesk no longer has this request, so it cannot be retried.';
    case 'not_finished':
      return 'This request has not finished yet: retry what failed once it has.';
    case 'in_progress': {
      const { status } = refused.pending;
      const state =
        status === 'pending_approval' ? 'waiting for approval' : status === 'approved' ? 'queued' : status;
      return `A retry of this request is already ${state} (request ${refused.pending.id}). Once it has finished, its own summary offers to retry what still fails.`;
    }
    case 'nothing_left':
      return NOTHING_LEFT;
    case 'too_late':
      return `It is too late for this: it could be done until ${refused.until.slice(0, 10)}.`;
  }
}

/** "Retry failed (N)": opens the retry modal from the click's trigger (3 s), planned in the meantime. */
export function openRetry(deps: ListenerDeps) {
  return async (args: ButtonArgs) => {
    const { ack, body, client, action, logger } = args;
    await ack();
    const requestId = RequestIdValue.safeParse(action.value);
    if (!requestId.success) return;
    const userId = body.user.id;
    const draft = await deps.store.createDraft({
      ownerId: userId,
      channelId: body.channel?.id ?? userId,
      followUp: { kind: 'retry', requestId: requestId.data },
    });
    const links = new ThreadLinks(client, logger);
    await showFromTrigger(client, 'open', body.trigger_id, retryView(deps, draft, links), () =>
      renderLoading({
        callbackId: ids.views.followUp,
        title: RETRY_TITLE,
        text: 'Planning the retry against the tenant as it is now…',
        draftId: draft.id,
      }),
    );
  };
}

function notice(text: string): ModalView {
  return renderNotice({ callbackId: ids.views.submitted, title: RETRY_TITLE, text });
}

/** The retry modal of the draft's request, or a notice of why there is none. */
async function retryView(deps: ListenerDeps, draft: Draft, links: ThreadLinks): Promise<ModalView> {
  const requestId = draft.followUp?.requestId ?? '';
  const prepared = await deps.service.prepareFollowUp('retry', requestId, draft.ownerId);
  if (!prepared.ok) return notice(refusalText(prepared.refused));
  const { original, parts, prepared: plan } = prepared;
  if (!plan.ok) return notice(problemText(plan.problems, false));
  const summaryLink = await links.of(original);
  return renderFollowUpModal({
    draftId: draft.id,
    original,
    summaryLink: summaryLink ?? null,
    retried: resultsOfParts(original, parts),
    planned: plan,
    needsApproval: plan.needsApproval,
    ...(plan.needsApproval ? { approvalReason: approvalReason(plan.basis) } : {}),
    breakGlass: deps.config.BREAK_GLASS_USER_IDS.includes(draft.ownerId),
    failureMessages,
  });
}

/** A plan problem of a retry, in words (every one is shown under the reason: the only input). */
function problemText(problems: readonly PlanProblem[], breakGlass: boolean): string {
  const [problem] = problems;
  switch (problem?.kind) {
    case 'empty':
      return NOTHING_LEFT;
    case 'no_users':
      return 'None of these users is in the customer’s directory any more: nothing to retry.';
    case 'reason_required':
      if (breakGlass) return BREAK_GLASS_REASON_REQUIRED;
      return problem.basis === undefined
        ? 'This retry needs a manager’s approval: give a reason.'
        : `This retry needs a manager’s approval: ${approvalReason(problem.basis)} Give a reason.`;
    case 'unknown_customer':
      return 'This customer is no longer available.';
    default:
      return 'A product of this request is no longer offered for this customer: it cannot be retried.';
  }
}

/** Where the retry reports: where the original did, unless that was its requester's DM and someone else retries. */
function reportChannel(original: ChangeRequest | null, draft: Draft): string {
  const channel = original?.report?.channel;
  if (channel === undefined) return draft.channelId;
  return channel.startsWith('D') && original?.requestedBy !== draft.ownerId ? draft.ownerId : channel;
}

function refused(text: string): Refused {
  return { ok: false, errors: { [ids.blocks.reason]: text } };
}

/** Submits the retry the draft names (the service claims the draft and derives the parts again). */
async function retrySubmission(
  deps: ListenerDeps,
  { view, body, logger, client }: Pick<SubmitArgs, 'view' | 'body' | 'logger' | 'client'>,
  draft: Draft,
): Promise<Refused | Submitted> {
  const userId = body.user.id;
  // Break-glass only for BREAK_GLASS_USER_IDS: the signed user id, not the ticked box alone.
  const { reason, breakGlass } = chosenOf(deps, userId, view.state);
  if (!deps.store.health().writable) return refused(CANNOT_SAVE_TEXT);
  const original = await deps.store.getRequest(draft.followUp?.requestId ?? '');
  const summaryLink = original === null ? undefined : await new ThreadLinks(client, logger).of(original);
  let submitted: Awaited<ReturnType<ListenerDeps['service']['submitFollowUp']>>;
  try {
    submitted = await deps.service.submitFollowUp(draft.id, userId, {
      requestedBy: userId,
      report: { channel: reportChannel(original, draft) },
      ...(reason === null ? {} : { reason }),
      ...(breakGlass ? { breakGlass } : {}),
      ...(summaryLink === undefined ? {} : { summaryLink }),
    });
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    logger.warn(`retry from draft ${draft.id} refused: ${error.message}`);
    return refused(CANNOT_SAVE_TEXT);
  }
  if ('claimedElsewhere' in submitted) {
    if (submitted.earlier !== null) return repeatedOutcome(submitted.earlier);
    return { ...refused(ALREADY_SUBMITTED), alreadySubmitted: true };
  }
  if (!submitted.ok) {
    return refused(
      'refused' in submitted ? refusalText(submitted.refused) : problemText(submitted.problems, breakGlass),
    );
  }
  const { request, needsApproval } = submitted;
  const broken = submitted.breakGlass === true ? { breakGlass: true as const } : {};
  return { ok: true, request, needsApproval, ...plannedCounts(request), ...broken };
}

/** "Retry" / "Request approval" on the retry modal: answered like the manage step's submit. */
export function submitRetry(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const { view, client } = args;
    const { draft } = draftOf(args.context);
    const work = retrySubmission(deps, args, draft);
    const ready = await withinBudget(work);
    const late = isLate(ready);
    if (late) await args.ack({ response_action: 'update', view: sendingView() });
    const outcome = late ? await work : ready;
    const show = async (shown: ModalView) => {
      if (late) await client.views.update({ view_id: view.id, view: shown });
      else await args.ack({ response_action: 'update', view: shown });
    };
    if (!outcome.ok) {
      if (!late) return args.ack({ response_action: 'errors', errors: outcome.errors });
      if (outcome.alreadySubmitted) return show(alreadySubmittedView());
      return show(notice(Object.values(outcome.errors).join(' ')));
    }
    await startSubmitted(deps, args, outcome.request.report?.channel ?? draft.channelId, outcome, show);
  };
}
