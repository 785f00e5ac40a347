/**
 * A finished request's follow-ups from its summary: "Retry failed (N)" and "Undo" open one modal
 * of what is sent (the kind deciding the words and the parts), planned against the tenant as it is
 * now; its submission goes through the service like any change ("Request sent", a summary "Retry
 * of …" / "Undo of …" where the original reported, its thread, its approval). Operators only
 * (route middleware, the signed user id); the button names the request and nothing else, so
 * everything is read again from the store.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { FOLLOW_UP_TITLE, type FollowUpSent, renderFollowUpModal } from '../../../blocks/follow-up-modal.js';
import { ids } from '../../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../../blocks/loading.js';
import { resultsOfParts } from '../../licensing/follow-up.js';
import type { FollowUpPreparation } from '../../licensing/licensing-service.js';
import { type ChangeRequest, type FollowUpKind, failureMessages } from '../../licensing/model.js';
import { approvalReason } from '../../licensing/policy.js';
import { CANNOT_SAVE_TEXT, type Draft, StoreUnavailableError } from '../../store/store.js';
import { draftOf } from '../access.js';
import { type ThreadLinks, threadLinks } from '../approval/thread-link.js';
import { RequestIdValue, StateValues } from '../payloads.js';
import { answerInTime, showFromTrigger } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { problemText, refusalText } from './follow-up-words.js';
import { breakGlassTicked } from './preview-step.js';
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

const PLANNING: Record<FollowUpKind, string> = {
  retry: 'Planning the retry against the tenant as it is now…',
  undo: 'Planning the undo against the tenant as it is now…',
};

/** "Retry failed (N)" / "Undo": opens the follow-up's modal from the click's trigger (3 s), planned in the meantime. */
export function openFollowUp(deps: ListenerDeps, kind: FollowUpKind) {
  return async (args: ButtonArgs) => {
    const { ack, body, client, action, logger } = args;
    await ack();
    const requestId = RequestIdValue.safeParse(action.value);
    if (!requestId.success) return;
    const userId = body.user.id;
    const draft = await deps.store.createDraft({
      ownerId: userId,
      channelId: body.channel?.id ?? userId,
      followUp: { kind, requestId: requestId.data },
    });
    const links = threadLinks(client, logger);
    await showFromTrigger(client, 'open', body.trigger_id, followUpView(deps, kind, draft, links), () =>
      renderLoading({
        callbackId: ids.views.followUp,
        title: FOLLOW_UP_TITLE[kind],
        text: PLANNING[kind],
        draftId: draft.id,
      }),
    );
  };
}

function notice(kind: FollowUpKind, text: string): ModalView {
  return renderNotice({ callbackId: ids.views.submitted, title: FOLLOW_UP_TITLE[kind], text });
}

/** What the modal lists as sent: the failures a retry sends again, or the parts an undo puts back. */
function sentOf(kind: FollowUpKind, prepared: FollowUpPreparation & { ok: true }): FollowUpSent {
  return kind === 'retry'
    ? { kind, retried: resultsOfParts(prepared.original, prepared.parts) }
    : { kind, undone: prepared.parts };
}

/** The follow-up modal of the draft's request, or a notice of why there is none. */
async function followUpView(
  deps: ListenerDeps,
  kind: FollowUpKind,
  draft: Draft,
  links: ThreadLinks,
): Promise<ModalView> {
  const requestId = draft.followUp?.requestId ?? '';
  const prepared = await deps.service.prepareFollowUp(kind, requestId, draft.ownerId);
  if (!prepared.ok) return notice(kind, refusalText(kind, prepared.refused, deps.config.UNDO_DAYS));
  const { original, prepared: plan } = prepared;
  if (!plan.ok) return notice(kind, problemText(kind, plan.problems, false));
  const summaryLink = await links(original);
  return renderFollowUpModal({
    ...sentOf(kind, prepared),
    draftId: draft.id,
    original,
    summaryLink: summaryLink ?? null,
    planned: plan,
    needsApproval: plan.needsApproval,
    ...(plan.needsApproval ? { approvalReason: approvalReason(plan.basis) } : {}),
    breakGlass: deps.config.BREAK_GLASS_USER_IDS.includes(draft.ownerId),
    failureMessages,
  });
}

/** Where the follow-up reports: where the original did, unless that was its requester's DM and someone else follows it up. */
function reportChannel(original: ChangeRequest | null, draft: Draft): string {
  const channel = original?.report?.channel;
  if (channel === undefined) return draft.channelId;
  return channel.startsWith('D') && original?.requestedBy !== draft.ownerId ? draft.ownerId : channel;
}

/** A refused follow-up: the error under the reason, or the other delivery's notice. */
type Refused = { ok: false; errors: Record<string, string>; alreadySubmitted?: true };

function refused(text: string): Refused {
  return { ok: false, errors: { [ids.blocks.reason]: text } };
}

/** Submits the follow-up the draft names (the service claims the draft and derives the parts again). */
async function followUpSubmission(
  deps: ListenerDeps,
  { view, body, logger, client }: Pick<SubmitArgs, 'view' | 'body' | 'logger' | 'client'>,
  draft: Draft,
): Promise<Refused | Submitted> {
  const userId = body.user.id;
  const kind = draft.followUp?.kind ?? 'retry';
  const reason = new StateValues(view.state).text(ids.blocks.reason, ids.actions.reason);
  const breakGlass = breakGlassTicked(deps, userId, view.state);
  if (!deps.store.health().writable) return refused(CANNOT_SAVE_TEXT);
  const original = await deps.store.getRequest(draft.followUp?.requestId ?? '');
  const summaryLink = original === null ? undefined : await threadLinks(client, logger)(original);
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
    logger.warn(`${kind} from draft ${draft.id} refused: ${error.message}`);
    return refused(CANNOT_SAVE_TEXT);
  }
  if ('claimedElsewhere' in submitted) {
    if (submitted.earlier !== null) return repeatedOutcome(submitted.earlier);
    return { ...refused(ALREADY_SUBMITTED), alreadySubmitted: true };
  }
  if (!submitted.ok) {
    return refused(
      'refused' in submitted
        ? refusalText(kind, submitted.refused, deps.config.UNDO_DAYS)
        : problemText(kind, submitted.problems, breakGlass),
    );
  }
  const { request, needsApproval } = submitted;
  const broken = submitted.breakGlass === true ? { breakGlass: true as const } : {};
  return { ok: true, request, needsApproval, ...plannedCounts(request), ...broken };
}

/** "Retry" / "Undo" / "Request approval" on the follow-up modal: answered like the manage step's submit. */
export function submitFollowUp(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const { draft } = draftOf(args.context);
    const work = followUpSubmission(deps, args, draft);
    const { outcome, late, show } = await answerInTime(args, work, sendingView);
    if (!outcome.ok) {
      if (!late) return args.ack({ response_action: 'errors', errors: outcome.errors });
      if (outcome.alreadySubmitted) return show(alreadySubmittedView());
      return show(notice(draft.followUp?.kind ?? 'retry', Object.values(outcome.errors).join(' ')));
    }
    await startSubmitted(deps, args, outcome.request.report?.channel ?? draft.channelId, outcome, show);
  };
}
