/**
 * Submit of the preview ("Apply" / "Request approval" / "Run now"): the change the manage step
 * kept in the draft is checked again against the tenant as it is now, submitted through the
 * service (which claims the draft, so a twice-delivered confirm makes one request), the submitted
 * view is shown, and the request goes to the run orchestrator (src/slack/runs): its summary, then
 * its approval request or its run.
 */

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { BREAK_GLASS_REASON_REQUIRED } from '../../../blocks/break-glass.js';
import type { DraftSubmitResult, PreviewResult } from '../../licensing/licensing-service.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { CANNOT_SAVE_TEXT, type Draft, StoreUnavailableError } from '../../store/store.js';
import { draftOf } from '../access.js';
import { announceBreakGlass } from '../approval/break-glass.js';
import { DraftMetadata, parseMetadata } from '../payloads.js';
import { answerInTime } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { renderLicensesFor } from './licenses-step.js';
import { type Chosen, changeOf, previewView } from './preview-step.js';
import { problemErrors } from './submit-errors.js';
import {
  ALREADY_SUBMITTED,
  alreadySubmittedView,
  repeatedOutcome,
  type Submitted,
  sendingView,
  submittedView,
} from './submitted-view.js';

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Every change of the preview is now expected to fail: it is shown again, without its submit. */
export const ALL_WOULD_FAIL =
  'Every change is expected to fail, so nothing was submitted. Fix the causes below or go back and change the request.';

/**
 * Slack retries a submission it got no answer to in time: when the first delivery already took
 * effect (its draft is claimed and a request saved from it), answer as it did instead of
 * "This form has expired". Runs before requireOwnDraft on the submit routes.
 */
export function answerRepeatedSubmission(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const meta = parseMetadata(DraftMetadata, args.view.private_metadata);
    if (meta !== null && (await deps.store.getDraft(meta.draftId)) === null) {
      const request = await deps.service.submittedFrom(meta.draftId, args.body.user.id);
      if (request !== null) {
        const outcome = repeatedOutcome(request);
        await args.ack({
          response_action: 'update',
          view: await submittedView(deps, request.report?.channel ?? request.requestedBy, outcome),
        });
        return;
      }
    }
    await args.next();
  };
}

/**
 * Why the confirm was refused, and what shows instead: the preview again (every change would
 * fail), the already-submitted notice, or the manage step with the error at the top.
 */
type Refused = {
  ok: false;
  error: string;
  alreadySubmitted?: true;
  preview?: { chosen: Chosen; checked: Extract<PreviewResult, { ok: true }> };
};
type Outcome = Refused | Submitted;

const refused = (error: string): Refused => ({ ok: false, error });
/** Plan problems in words (the preview has no input to put them under). */
const problemText = (problems: readonly PlanProblem[]) =>
  Object.values(problemErrors({ blocks: [] }, problems)).join(' ');

/** Checks the previewed change again, then submits it through the service, which claims the draft. */
async function submission(
  deps: ListenerDeps,
  { body, logger }: Pick<SubmitArgs, 'body' | 'logger'>,
  draft: Draft,
): Promise<Outcome> {
  const userId = body.user.id;
  const chosen = draft.previewed;
  if (chosen === null) return refused('Tick the products again: this change was not checked.');
  // Authority is the signed user id against configuration, checked again: the draft only remembers the tick.
  const breakGlass = chosen.breakGlass && deps.config.BREAK_GLASS_USER_IDS.includes(userId);
  if (!deps.store.health().writable) return refused(CANNOT_SAVE_TEXT);
  const checked = await deps.service.preview({ ...changeOf(draft, chosen), requestedBy: userId });
  if (!checked.ok) return refused(problemText(checked.problems));
  if (checked.preview.allFail) return { ...refused(ALL_WOULD_FAIL), preview: { chosen, checked } };
  if (checked.needsApproval && chosen.reason === null) {
    if (breakGlass) return refused(BREAK_GLASS_REASON_REQUIRED);
    return refused(problemText([{ kind: 'reason_required', basis: checked.basis }]));
  }
  let submitted: DraftSubmitResult;
  try {
    submitted = await deps.service.submitDraft(draft.id, userId, (claimed) => ({
      ...changeOf(claimed, claimed.previewed ?? chosen),
      requestedBy: userId,
      ...(chosen.reason === null ? {} : { reason: chosen.reason }),
      ...(breakGlass ? { breakGlass } : {}),
      report: { channel: claimed.channelId },
    }));
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    logger.warn(`submission of draft ${draft.id} refused: ${error.message}`);
    return refused(CANNOT_SAVE_TEXT);
  }
  if ('claimedElsewhere' in submitted) {
    // Another delivery of this submission claimed the draft: answer as that one does.
    if (submitted.earlier !== null) return repeatedOutcome(submitted.earlier);
    return { ...refused(ALREADY_SUBMITTED), alreadySubmitted: true };
  }
  if (!submitted.ok) return refused(problemText(submitted.problems));
  const { request, needsApproval } = submitted;
  const { assignments, planChanges, revocations } = checked;
  const broken = submitted.breakGlass === true ? { breakGlass: true as const } : {};
  return { ok: true, request, needsApproval, assignments, planChanges, revocations, ...broken };
}

/** What a refused confirm shows. */
async function refusedView(deps: ListenerDeps, draft: Draft, outcome: Refused): Promise<ModalView> {
  // The other delivery shows the submitted view; this one must not bring the form back.
  if (outcome.alreadySubmitted) return alreadySubmittedView();
  if (outcome.preview)
    return previewView(draft, outcome.preview.chosen, outcome.preview.checked, outcome.error);
  const chosen = draft.previewed;
  return renderLicensesFor(deps, draft, { error: outcome.error, ...(chosen ? { chosen } : {}) });
}

/**
 * The preview's submit. The answer is due within Slack's 3 seconds: when the check and the save
 * take longer, a loading view answers and the outcome replaces it by views.update.
 */
export function submitLicenses(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const { draft } = draftOf(args.context);
    // Nothing is saved yet while late: the placeholder's title must not say it was sent.
    const { outcome, show } = await answerInTime(args, submission(deps, args, draft), sendingView);
    if (!outcome.ok) return show(await refusedView(deps, draft, outcome));
    await startSubmitted(deps, args, draft.channelId, outcome, show);
  };
}

/**
 * Shows the submitted view (by `show`) and hands the request to the run orchestrator: its
 * summary in `channelId`, then its approval request or its run (a retried delivery starts nothing).
 */
export async function startSubmitted(
  deps: ListenerDeps,
  { view, client, logger }: Pick<SubmitArgs, 'view' | 'client' | 'logger'>,
  channelId: string,
  outcome: Submitted,
  show: (shown: ModalView) => Promise<unknown>,
): Promise<void> {
  await show(await submittedView(deps, channelId, outcome));
  if (outcome.repeated) return;
  deps.orchestrator.submitted(outcome.request, outcome.needsApproval, async (summary) => {
    await client.views.update({
      view_id: view.id,
      view: await submittedView(deps, channelId, outcome, summary),
    });
  });
  if (outcome.breakGlass) announceBreakGlass(deps, client, logger, outcome.request.id);
}
