/**
 * Submit of the manage-licenses step: check the change (refusing impossible ones inline), store
 * the request, show the submitted view, post the summary where /licenses ran (a DM when the bot
 * cannot post there) and run the request in the background, reporting in the summary's thread.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { AllMiddlewareArgs, Logger, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { ids, patterns } from '../../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../../blocks/loading.js';
import { renderRunSummary } from '../../../blocks/run-summary.js';
import { renderSubmitted, type SubmittedData } from '../../../blocks/submitted.js';
import { RunInterruptedError } from '../../licensing/executor.js';
import type { ChangeInput, LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { approvalReason } from '../../licensing/policy.js';
import { type Reporter, silentReporter } from '../../licensing/reporter.js';
import { type Approval, CANNOT_SAVE_TEXT, type Draft, StoreUnavailableError } from '../../store/store.js';
import { draftOf } from '../access.js';
import { DraftMetadata, parseMetadata, StateValues } from '../payloads.js';
import { SlackReporter } from '../slack-reporter.js';
import { isLate, slackErrorCode, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { renderLicensesFor, tickedProducts } from './licenses-step.js';

type Errors = Record<string, string>;

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
        add(fallback, 'Tick at least one product to assign or to revoke.');
        break;
      case 'no_users':
        add(fallback, 'No user is selected any more. Start again with /licenses.');
        break;
      case 'both_ways': {
        const where = blockOffering(view, patterns.revoke, problem.skuId);
        add(where?.blockId, `${where?.name ?? problem.skuId} is ticked both to assign and to revoke.`);
        break;
      }
      case 'not_enough': {
        const where = blockOffering(view, patterns.assign, problem.skuId);
        add(
          where?.blockId,
          `${where?.name ?? problem.skuId}: ${problem.needed} needed, only ${problem.available} available.`,
        );
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
    }
  }
  return errors;
}

function changeInput(draft: Draft, state: unknown): ChangeInput {
  const { assign, revoke } = tickedProducts(state);
  return {
    customerId: draft.customerId ?? '',
    userIds: draft.selectedUserIds,
    assign: assign.map((skuId) => ({ skuId, disabledPlans: draft.disabledPlansBySku[skuId] ?? null })),
    revoke,
  };
}

const ALREADY_SUBMITTED =
  'This request was already submitted: its summary is posted where you ran /licenses. Run /licenses again for another change.';

/** How long a second delivery waits for the first one's request to be saved. */
const REPEAT_WAIT_MS = 2_000;

/** Planned changes of a stored request, as the submitted view counts them. */
function plannedCounts(request: ChangeRequest): { assignments: number; revocations: number } {
  let assignments = 0;
  let revocations = 0;
  for (const item of request.items) {
    assignments += item.change.assign.length;
    revocations += item.change.revoke.length;
  }
  return { assignments, revocations };
}

/** The request an earlier delivery of this submission saved, waiting briefly while it is being saved. */
async function earlierSubmission(deps: ListenerDeps, draftId: string, userId: string) {
  const deadline = Date.now() + REPEAT_WAIT_MS;
  for (;;) {
    const request = await savedSubmission(deps, draftId, userId);
    if (request !== null || Date.now() >= deadline) return request;
    await sleep(100);
  }
}

/**
 * The request submitted from `draftId` by `userId`, once it is on disk: the first delivery may
 * still be saving it (and may yet be refused), so the store is flushed and asked again before
 * anyone is told it was sent.
 */
async function savedSubmission(deps: ListenerDeps, draftId: string, userId: string) {
  if ((await deps.store.findRequestByDraft(draftId)) === null) return null;
  const flushed = await deps.store.flush().then(
    () => true,
    () => false,
  );
  const request = flushed ? await deps.store.findRequestByDraft(draftId) : null;
  return request?.requestedBy === userId ? request : null;
}

/** The outcome a first delivery had, for a retried one: same view, nothing run twice. */
function repeatedOutcome(request: ChangeRequest): Extract<Outcome, { ok: true }> {
  return {
    ok: true,
    request,
    needsApproval: request.approvalRequired ?? request.status === 'pending_approval',
    ...plannedCounts(request),
    repeated: true,
  };
}

/**
 * Slack retries a submission it got no answer to in time: when the first delivery already took
 * effect (its draft is claimed and a request saved from it), answer as it did instead of
 * "This form has expired". Runs before requireOwnDraft on the submit route.
 */
export function answerRepeatedSubmission(deps: ListenerDeps) {
  return async (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const meta = parseMetadata(DraftMetadata, args.view.private_metadata);
    if (meta !== null && (await deps.store.getDraft(meta.draftId)) === null) {
      const request = await savedSubmission(deps, meta.draftId, args.body.user.id);
      if (request !== null) {
        const outcome = repeatedOutcome(request);
        await args.ack({
          response_action: 'update',
          view: submittedView(deps, request.report?.channel ?? request.requestedBy, outcome),
        });
        return;
      }
    }
    await args.next();
  };
}

type Outcome =
  | { ok: false; errors: Errors; alreadySubmitted?: true }
  | {
      ok: true;
      request: ChangeRequest;
      needsApproval: boolean;
      assignments: number;
      revocations: number;
      /** A retried delivery of a submission that already took effect: show it, start nothing. */
      repeated?: true;
    };

/** "Apply" / "Request approval" on the manage-licenses step. */
export function submitLicenses(deps: ListenerDeps) {
  return async ({
    ack,
    view,
    body,
    client,
    context,
    logger,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const { draft } = draftOf(context);
    const input = changeInput(draft, view.state);
    const reason = new StateValues(view.state).text(ids.blocks.reason, ids.actions.reason);
    const cannotSave = (): Outcome => ({
      ok: false,
      errors: { [firstAssignBlock(view) ?? ids.blocks.reason]: CANNOT_SAVE_TEXT },
    });
    const work = (async (): Promise<Outcome> => {
      if (!deps.store.health().writable) return cannotSave();
      const checked = await deps.service.prepare({ ...input, requestedBy: body.user.id });
      if (!checked.ok) return { ok: false, errors: problemErrors(view, checked.problems) };
      if (checked.needsApproval && reason === null) {
        return {
          ok: false,
          errors: problemErrors(view, [{ kind: 'reason_required', basis: checked.basis }]),
        };
      }
      // Claimed only once the change is valid, so that a refused submission leaves the draft for
      // the operator to fix; a second delivery of this submission finds it gone.
      const claimed = await deps.store.takeDraft(draft.id, body.user.id);
      if (claimed === null) {
        // Another delivery of this submission claimed it: answer as that one does.
        const earlier = await earlierSubmission(deps, draft.id, body.user.id);
        if (earlier !== null) return repeatedOutcome(earlier);
        const errors = { [firstAssignBlock(view) ?? ids.blocks.reason]: ALREADY_SUBMITTED };
        return { ok: false, errors, alreadySubmitted: true };
      }
      let submitted: Awaited<ReturnType<LicensingService['submit']>>;
      try {
        submitted = await deps.service.submit({
          ...changeInput(claimed, view.state),
          requestedBy: body.user.id,
          draftId: claimed.id,
          ...(reason === null ? {} : { reason }),
          report: { channel: claimed.channelId },
        });
      } catch (error) {
        await deps.store.restoreDraft(claimed);
        if (error instanceof StoreUnavailableError) {
          logger.warn(`submission of draft ${claimed.id} refused: ${error.message}`);
          return cannotSave();
        }
        throw error;
      }
      if (!submitted.ok) {
        await deps.store.restoreDraft(claimed);
        return { ok: false, errors: problemErrors(view, submitted.problems) };
      }
      return {
        ok: true,
        request: submitted.request,
        needsApproval: submitted.needsApproval,
        assignments: checked.assignments,
        revocations: checked.revocations,
      };
    })();
    const ready = await withinBudget(work);
    let outcome: Outcome;
    if (isLate(ready)) {
      await ack({
        response_action: 'update',
        view: renderLoading({
          callbackId: ids.views.submitted,
          // Nothing is saved yet: the title must not say it was sent.
          title: 'Sending request',
          text: 'Checking and saving the request…',
        }),
      });
      outcome = await work;
      if (!outcome.ok && outcome.alreadySubmitted) {
        // The other delivery shows the submitted view; this one must not bring the form back.
        await client.views.update({
          view_id: view.id,
          view: renderNotice({
            callbackId: ids.views.submitted,
            title: 'Request sent',
            text: ALREADY_SUBMITTED,
          }),
        });
        return;
      }
      if (!outcome.ok) {
        const error = Object.values(outcome.errors).join(' ');
        await client.views.update({
          view_id: view.id,
          view: await renderLicensesFor(deps, draft, { error, revoke: input.revoke }),
        });
        return;
      }
      await client.views.update({ view_id: view.id, view: submittedView(deps, draft.channelId, outcome) });
    } else {
      outcome = ready;
      if (!outcome.ok) {
        await ack({ response_action: 'errors', errors: outcome.errors });
        return;
      }
      await ack({ response_action: 'update', view: submittedView(deps, draft.channelId, outcome) });
    }
    if (outcome.repeated) return;
    const { request, needsApproval } = outcome;
    // Tracked, so that shutdown and tests can wait for the summary and the run behind it.
    deps.runs.track(`summary of ${request.id}`, async () => {
      const posted = await postSummary(client, draft.channelId, body.user.id, request).catch(
        async (error: unknown) => {
          // The modal already says the request is under way: it still runs, reported on App Home.
          logger.error(`posting the summary of ${request.id} failed`, error);
          await client.chat
            .postMessage({
              channel: body.user.id,
              text: `Request ${request.id} was saved, but its summary could not be posted. Its outcome will be on the LicenseDesk App Home.`,
            })
            .catch(() => {});
          return null;
        },
      );
      if (posted !== null) {
        await deps.service.setReportTarget(request.id, { channel: posted.channel, ts: posted.ts });
        if (posted.inDm) {
          await client.views.update({
            view_id: view.id,
            view: submittedView(deps, draft.channelId, outcome, posted),
          });
        }
      }
      if (needsApproval) await deps.approvals.postRequest(request.id);
      else startRun(deps, client, logger, request, posted);
    });
  };
}

function submittedView(
  deps: ListenerDeps,
  channelId: string,
  outcome: Extract<Outcome, { ok: true }>,
  posted?: { channel: string; inDm: boolean },
): ModalView {
  const data: SubmittedData = {
    requestId: outcome.request.id,
    customerName: outcome.request.customerName,
    status: outcome.needsApproval ? 'pending_approval' : 'running',
    resultsChannelId: posted?.channel ?? channelId,
    resultsInDm: posted?.inDm ?? false,
    assignments: outcome.assignments,
    revocations: outcome.revocations,
    ...(outcome.needsApproval && outcome.request.approvalBasis !== undefined
      ? { approvalReason: approvalReason(outcome.request.approvalBasis) }
      : {}),
    ...(outcome.needsApproval
      ? {
          approvers: deps.config.APPROVER_USER_IDS,
          approvalChannelId: deps.config.APPROVAL_CHANNEL_ID ?? null,
        }
      : {}),
  };
  return renderSubmitted(data);
}

/** Errors of chat.postMessage after which the summary goes to the operator's DM instead. */
const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Posts the request's summary in `channelId`, or in a DM with the operator when the bot cannot post there. */
async function postSummary(
  client: WebClient,
  channelId: string,
  userId: string,
  request: ChangeRequest,
): Promise<{ channel: string; ts: string; inDm: boolean }> {
  const message = renderRunSummary({ request });
  const post = async (channel: string) => {
    const response = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
    return { channel: response.channel ?? channel, ts: response.ts ?? '' };
  };
  try {
    return { ...(await post(channelId)), inDm: false };
  } catch (error) {
    if (!CANNOT_POST_HERE.has(slackErrorCode(error) ?? '')) throw error;
  }
  // Posting to a user id lands in the app's DM with them; no conversations.open (and no im:write) needed.
  return { ...(await post(userId)), inDm: true };
}

/**
 * The request's summary message: the one it already reports in, or a new one posted where it was
 * meant to report (or where /licenses ran) and remembered as its report target.
 */
export async function summaryOf(
  deps: ListenerDeps,
  client: WebClient,
  request: ChangeRequest,
): Promise<{ channel: string; ts: string }> {
  if (request.report?.ts !== undefined) return { channel: request.report.channel, ts: request.report.ts };
  const posted = await postSummary(
    client,
    request.report?.channel ?? request.requestedBy,
    request.requestedBy,
    request,
  );
  const summary = { channel: posted.channel, ts: posted.ts };
  await deps.service.setReportTarget(request.id, summary);
  return summary;
}

/**
 * Runs a request in the background, reporting in its summary's thread; an approved one also puts
 * its counts in the approval message's thread.
 */
/** The run's reporter: its summary and thread, or none when Slack refused the summary (the outcome is on App Home). */
export function reporterFor(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  summary: { channel: string; ts: string } | null,
  approval: Approval | null,
): Reporter {
  if (summary === null) return silentReporter;
  return new SlackReporter({
    client,
    logger,
    summary,
    approval,
    progressIntervalMs: deps.progressIntervalMs,
    messageIntervalMs: deps.messageIntervalMs,
  });
}

function startRun(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  request: ChangeRequest,
  summary: { channel: string; ts: string } | null,
  approval: Approval | null = null,
): void {
  const reporter = reporterFor(deps, client, logger, summary, approval);
  deps.runs.track(`run of ${request.id}`, async () => {
    let done: ChangeRequest;
    try {
      done = await deps.service.run(request.id, reporter);
    } catch (error) {
      if (error instanceof RunInterruptedError) {
        logger.info(error.message);
        return;
      }
      logger.error(`run of ${request.id} stopped`, error);
      if (summary === null) return;
      await client.chat.postMessage({
        channel: summary.channel,
        thread_ts: summary.ts,
        text: 'The run stopped because of an unexpected error. What was done is kept; it resumes when LicenseDesk restarts.',
      });
      return;
    }
    if (approval !== null) await deps.approvals.announceRunOutcome(request.id, deps.service.counts(done));
  });
}

/**
 * Continues the runs a stopped process left unfinished (running, or approved and never started);
 * each reports where it reported before, or in a new summary where /licenses ran.
 */
export async function resumeInterrupted(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
): Promise<number> {
  const requests = await deps.service.interruptedRequests();
  for (const request of requests) {
    // A summary Slack refuses must not keep this run, the others or the app from starting.
    const summary = await summaryOf(deps, client, request).catch((error: unknown) => {
      logger.error(`posting the summary of ${request.id} failed; it resumes without one`, error);
      return null;
    });
    logger.info(`resuming the run of ${request.id}`);
    startRun(deps, client, logger, request, summary, await deps.store.getApproval(request.id));
  }
  return requests.length;
}
