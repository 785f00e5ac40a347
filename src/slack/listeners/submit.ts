/**
 * Submit of the manage-licenses step: check the change (refusing impossible ones inline), submit
 * it through the service (which claims the draft), show the submitted view, and hand the request
 * to the run orchestrator (src/slack/runs): its summary, then its approval request or its run.
 */

import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { BREAK_GLASS_REASON_REQUIRED, BREAK_GLASS_VALUE } from '../../../blocks/break-glass.js';
import { ids, patterns } from '../../../blocks/ids.js';
import type { ChangeInput, DraftSubmitResult } from '../../licensing/licensing-service.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { approvalReason } from '../../licensing/policy.js';
import { CANNOT_SAVE_TEXT, type Draft, StoreUnavailableError } from '../../store/store.js';
import { draftOf } from '../access.js';
import { announceBreakGlass } from '../approval/break-glass.js';
import { DraftMetadata, parseMetadata, StateValues } from '../payloads.js';
import { isLate, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { renderLicensesFor, tickedProducts } from './licenses-step.js';
import { halfPickErrors, replaceChoices, replacePicked, replaceProblemError } from './replace-choice.js';
import {
  ALREADY_SUBMITTED,
  alreadySubmittedView,
  repeatedOutcome,
  type Submitted,
  sendingView,
  submittedView,
} from './submitted-view.js';

type Errors = Record<string, string>;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

interface InputBlock {
  type: string;
  block_id?: string;
  element?: { options?: readonly { value?: string; text?: { text?: string } }[] };
}

function inputBlocks(view: { blocks: readonly unknown[] }): InputBlock[] {
  return (view.blocks as InputBlock[]).filter(
    (block) => block.type === 'input' && block.block_id !== undefined,
  );
}

/** The input block of `pattern` that offers `skuId`, and the product's name as shown there. */
function blockOffering(view: { blocks: readonly unknown[] }, pattern: RegExp, skuId: string) {
  for (const block of inputBlocks(view)) {
    if (!pattern.test(block.block_id ?? '')) continue;
    const option = block.element?.options?.find((candidate) => candidate.value === skuId);
    if (option) return { blockId: block.block_id as string, name: option.text?.text ?? skuId };
  }
  return null;
}

/** The block that carries errors about the change as a whole: the first assign group. */
function firstAssignBlock(view: { blocks: readonly unknown[] }): string | undefined {
  return inputBlocks(view).find((block) => patterns.assign.test(block.block_id ?? ''))?.block_id;
}

/** Plan problems as inline errors under the blocks they are about. */
export function problemErrors(
  view: { blocks: readonly unknown[] },
  problems: readonly PlanProblem[],
): Errors {
  const errors: Errors = {};
  const fallback = firstAssignBlock(view);
  const add = (blockId: string | undefined, message: string) => {
    const key = blockId ?? fallback ?? ids.blocks.reason;
    errors[key] = errors[key] ? `${errors[key]} ${message}` : message;
  };
  for (const problem of problems) {
    switch (problem.kind) {
      case 'empty':
        add(fallback, 'Tick at least one product to assign or to revoke, or choose one to replace.');
        break;
      case 'no_users':
        add(fallback, 'No user is selected any more. Start again with /licenses.');
        break;
      case 'both_ways': {
        const where = blockOffering(view, patterns.revoke, problem.skuId);
        add(where?.blockId, `${where?.name ?? problem.skuId} is ticked both to assign and to revoke.`);
        break;
      }
      case 'unknown_product': {
        const where = blockOffering(view, patterns.assign, problem.skuId);
        add(where?.blockId, `${where?.name ?? problem.skuId} is no longer offered for this customer.`);
        break;
      }
      case 'reason_required':
        add(
          ids.blocks.reason,
          problem.basis === undefined
            ? 'This request needs a manager’s approval: give a reason.'
            : `This request needs a manager’s approval: ${approvalReason(problem.basis)} Give a reason.`,
        );
        break;
      case 'unknown_customer':
        add(fallback, 'This customer is no longer available. Start again with /licenses.');
        break;
      default: {
        const nameOf = (skuId: string) => blockOffering(view, replacePattern, skuId)?.name ?? skuId;
        const error = replaceProblemError(problem, nameOf);
        if (error) add(error.blockId, error.text);
      }
    }
  }
  return errors;
}

/** The select that names every product a replacement may name. */
const replacePattern = new RegExp(`^${ids.blocks.replaceFrom}$`);

function changeInput(draft: Draft, state: unknown): ChangeInput {
  const { assign, revoke } = tickedProducts(state);
  const replace = replaceChoices(replacePicked(state), draft.disabledPlansBySku);
  return {
    customerId: draft.customerId ?? '',
    userIds: draft.selectedUserIds,
    assign: assign.map((skuId) => ({ skuId, disabledPlans: draft.disabledPlansBySku[skuId] ?? null })),
    revoke,
    ...(replace.length > 0 ? { replace } : {}),
  };
}

/** The break-glass box is ticked by an operator in BREAK_GLASS_USER_IDS (the signed user id). */
function breakGlassTicked(deps: ListenerDeps, userId: string, state: unknown): boolean {
  if (!deps.config.BREAK_GLASS_USER_IDS.includes(userId)) return false;
  return new StateValues(state)
    .selectedMany(ids.blocks.breakGlass, ids.actions.breakGlass)
    .includes(BREAK_GLASS_VALUE);
}

/**
 * Slack retries a submission it got no answer to in time: when the first delivery already took
 * effect (its draft is claimed and a request saved from it), answer as it did instead of
 * "This form has expired". Runs before requireOwnDraft on the submit route.
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

type Refused = { ok: false; errors: Errors; alreadySubmitted?: true };
type Outcome = Refused | Submitted;

/** One inline error on the block that carries errors about the change as a whole. */
function refusal(view: { blocks: readonly unknown[] }, text: string): Refused {
  return { ok: false, errors: { [firstAssignBlock(view) ?? ids.blocks.reason]: text } };
}

/** Checks the change, then submits it through the service, which claims the draft (or hands it back). */
async function submission(
  deps: ListenerDeps,
  { view, body, logger }: Pick<SubmitArgs, 'view' | 'body' | 'logger'>,
  draft: Draft,
): Promise<Outcome> {
  const userId = body.user.id;
  const reason = new StateValues(view.state).text(ids.blocks.reason, ids.actions.reason);
  // Authority is the signed user id against configuration; a ticked box alone (forgeable) is not.
  const breakGlass = breakGlassTicked(deps, userId, view.state);
  if (!deps.store.health().writable) return refusal(view, CANNOT_SAVE_TEXT);
  const halfPick = halfPickErrors(replacePicked(view.state));
  if (halfPick !== null) return { ok: false, errors: halfPick };
  const checked = await deps.service.prepare({ ...changeInput(draft, view.state), requestedBy: userId });
  if (!checked.ok) return { ok: false, errors: problemErrors(view, checked.problems) };
  if (checked.needsApproval && reason === null) {
    if (breakGlass) return { ok: false, errors: { [ids.blocks.reason]: BREAK_GLASS_REASON_REQUIRED } };
    return { ok: false, errors: problemErrors(view, [{ kind: 'reason_required', basis: checked.basis }]) };
  }
  let submitted: DraftSubmitResult;
  try {
    submitted = await deps.service.submitDraft(draft.id, userId, (claimed) => ({
      ...changeInput(claimed, view.state),
      requestedBy: userId,
      ...(reason === null ? {} : { reason }),
      ...(breakGlass ? { breakGlass } : {}),
      report: { channel: claimed.channelId },
    }));
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    logger.warn(`submission of draft ${draft.id} refused: ${error.message}`);
    return refusal(view, CANNOT_SAVE_TEXT);
  }
  if ('claimedElsewhere' in submitted) {
    // Another delivery of this submission claimed the draft: answer as that one does.
    if (submitted.earlier !== null) return repeatedOutcome(submitted.earlier);
    return { ...refusal(view, ALREADY_SUBMITTED), alreadySubmitted: true };
  }
  if (!submitted.ok) return { ok: false, errors: problemErrors(view, submitted.problems) };
  const { request, needsApproval } = submitted;
  const { assignments, planChanges, revocations } = checked;
  const broken = submitted.breakGlass === true ? { breakGlass: true as const } : {};
  return { ok: true, request, needsApproval, assignments, planChanges, revocations, ...broken };
}

/**
 * "Apply" / "Request approval" on the manage-licenses step. The answer is due within Slack's 3
 * seconds: when the check and the save take longer, a loading view answers and the outcome
 * replaces it by views.update (the form itself when the change was refused).
 */
export function submitLicenses(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const { view, client } = args;
    const { draft } = draftOf(args.context);
    const work = submission(deps, args, draft);
    const ready = await withinBudget(work);
    const late = isLate(ready);
    // Nothing is saved yet: the title must not say it was sent.
    if (late) await args.ack({ response_action: 'update', view: sendingView() });
    const outcome = late ? await work : ready;
    const show = async (shown: ModalView) => {
      if (late) await client.views.update({ view_id: view.id, view: shown });
      else await args.ack({ response_action: 'update', view: shown });
    };
    if (!outcome.ok) {
      if (!late) return args.ack({ response_action: 'errors', errors: outcome.errors });
      // The other delivery shows the submitted view; this one must not bring the form back.
      if (outcome.alreadySubmitted) return show(alreadySubmittedView());
      const error = Object.values(outcome.errors).join(' ');
      const { revoke } = tickedProducts(view.state);
      return show(
        await renderLicensesFor(deps, draft, { error, revoke, replace: replacePicked(view.state) }),
      );
    }
    await show(await submittedView(deps, draft.channelId, outcome));
    if (outcome.repeated) return;
    deps.orchestrator.submitted(outcome.request, outcome.needsApproval, async (summary) => {
      await client.views.update({
        view_id: view.id,
        view: await submittedView(deps, draft.channelId, outcome, summary),
      });
    });
    if (outcome.breakGlass) announceBreakGlass(deps, client, args.logger, outcome.request.id);
  };
}
