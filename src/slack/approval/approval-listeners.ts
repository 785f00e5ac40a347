/**
 * The approval step's listeners: Approve, Reject (opens the reason modal), View users and the
 * reason modal's submission. Buttons can be clicked by anyone who sees them, so each one checks
 * the clicker (signed payload) against the approvers at click time; the decision itself is the
 * service's compare-and-set, which is what makes double clicks, concurrent approvers and
 * repeated deliveries decide and run a request once.
 */
import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { renderRejectReasonModal, renderRevokeListModal } from '../../../blocks/approval-request.js';
import { slackDate, userMention } from '../../../blocks/elements.js';
import { ids } from '../../../blocks/ids.js';
import type { DecisionResult, LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import type { Approval, Store } from '../../store/store.js';
import { type RoleCheck, refusals } from '../access.js';
import { parseMetadata, RequestMetadata, StateValues } from '../payloads.js';
import type { RunTracker } from '../run-tracker.js';
import type { ApprovalNotifier } from './approval-notifier.js';

export interface ApprovalListenerDeps {
  service: LicensingService;
  store: Store;
  approvers: RoleCheck;
  notifier: ApprovalNotifier;
  runs: RunTracker;
  /** Runs an approved request, reporting in the operator's summary thread like any run. */
  runRequest: (requestId: string) => Promise<ChangeRequest>;
  /** Re-publishes a user's App Home, after they decided from it. */
  publishHome?: (userId: string) => Promise<void>;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export interface ApprovalListeners {
  approve(args: ButtonArgs): Promise<void>;
  reject(args: ButtonArgs): Promise<void>;
  viewUsers(args: ButtonArgs): Promise<void>;
  rejectReasonSubmitted(args: SubmitArgs): Promise<void>;
}

/** A request id as carried in a button value (a reference, looked up server-side). */
const RequestIdValue = z.string().regex(/^[a-z]+_[a-z0-9]{1,40}$/);

/** Longest reject reason kept (it is shown in two messages). */
const MAX_REASON = 1000;

export function approvalListeners(deps: ApprovalListenerDeps): ApprovalListeners {
  const { service, store, approvers, notifier, runs } = deps;

  /** After a decision taken on App Home, the clicker's Home drops the request. */
  function refreshHome(body: BlockAction, userId: string): void {
    if (body.container?.type !== 'view' || deps.publishHome === undefined) return;
    const publish = deps.publishHome;
    runs.track(`home of ${userId}`, () => publish(userId));
  }

  async function refuseNonApprover(args: ButtonArgs, requestId: string | null, attempted: string) {
    await store.appendAudit({
      actor: args.body.user.id,
      action: `approval.${attempted}_refused`,
      ...(requestId === null ? {} : { requestId }),
      outcome: 'not_approver',
    });
    await explain(args, `${refusals.approver} They are ${notifier.decidersText()}.`);
  }

  return {
    async approve(args) {
      await args.ack();
      const userId = args.body.user.id;
      const requestId = RequestIdValue.safeParse(args.action.value);
      if (!requestId.success) return explain(args, 'This button no longer refers to a request.');
      if (!(await approvers.allows(userId))) return refuseNonApprover(args, requestId.data, 'approve');
      const result = await service.approve(requestId.data, userId);
      if (!result.ok) {
        await explainRefusal(args, result, notifier);
        if (result.why === 'expired') {
          runs.track(`expiry of ${requestId.data}`, () => notifier.announceExpiry(requestId.data));
        }
        return;
      }
      runs.track(`approved request ${requestId.data}`, async () => {
        await notifier.announceDecision(requestId.data);
        const done = await deps.runRequest(requestId.data);
        await notifier.announceRunOutcome(requestId.data, service.counts(done));
      });
      refreshHome(args.body, userId);
    },

    async reject(args) {
      await args.ack();
      const userId = args.body.user.id;
      const requestId = RequestIdValue.safeParse(args.action.value);
      if (!requestId.success) return explain(args, 'This button no longer refers to a request.');
      if (!(await approvers.allows(userId))) return refuseNonApprover(args, requestId.data, 'reject');
      // Expire what is due first, so an expired request is not offered for a reason it cannot take.
      const expired = await service.expireApprovals();
      for (const { requestId: id } of expired) runs.track(`expiry of ${id}`, () => notifier.announceExpiry(id));
      const approval = await store.getApproval(requestId.data);
      const refusal = refusalBeforeDecision(approval, userId, notifier);
      if (refusal !== null) return explain(args, refusal);
      const request = await store.getRequest(requestId.data);
      // The trigger id lives 3 seconds and is good for one view: nothing slow happens before this call.
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: renderRejectReasonModal({
          requestId: requestId.data,
          ...(request === null ? {} : { customerName: request.customerName }),
        }),
      });
    },

    async viewUsers(args) {
      await args.ack();
      const userId = args.body.user.id;
      const requestId = RequestIdValue.safeParse(args.action.value);
      if (!requestId.success) return explain(args, 'This button no longer refers to a request.');
      const request = await store.getRequest(requestId.data);
      if (request === null) return explain(args, 'This request no longer exists.');
      // The list names the customer's users: only who may decide, and the requester, see it.
      if (request.requestedBy !== userId && !(await approvers.allows(userId))) {
        return explain(args, `${refusals.approver} They are ${notifier.decidersText()}.`);
      }
      await args.client.views.open({ trigger_id: args.body.trigger_id, view: renderRevokeListModal(request) });
    },

    async rejectReasonSubmitted(args) {
      const userId = args.body.user.id;
      const metadata = parseMetadata(RequestMetadata, args.view.private_metadata);
      const reason = new StateValues(args.view.state).text(ids.blocks.rejectReason, ids.actions.rejectReason);
      const inlineError = (text: string) =>
        args.ack({ response_action: 'errors', errors: { [ids.blocks.rejectReason]: text } });
      if (metadata === null) return inlineError('This form no longer refers to a request; close it.');
      if (reason === null) return inlineError('Say why the request is rejected; the operator will read it.');
      // Approver rights are checked again: they may have changed while the modal was open.
      if (!(await approvers.allows(userId))) {
        await store.appendAudit({
          actor: userId,
          action: 'approval.reject_refused',
          requestId: metadata.requestId,
          outcome: 'not_approver',
        });
        return inlineError(refusals.approver);
      }
      const result = await service.reject(metadata.requestId, userId, reason.slice(0, MAX_REASON));
      if (!result.ok) {
        await inlineError(refusalText(result, notifier));
        if (result.why === 'expired') {
          const id = metadata.requestId;
          runs.track(`expiry of ${id}`, () => notifier.announceExpiry(id));
        }
        return;
      }
      await args.ack();
      runs.track(`rejected request ${metadata.requestId}`, () =>
        notifier.announceDecision(metadata.requestId),
      );
    },
  };
}

/** Why `userId` cannot decide `approval` now (before asking for a reason); null when they can. */
function refusalBeforeDecision(
  approval: Approval | null,
  userId: string,
  notifier: ApprovalNotifier,
): string | null {
  if (approval === null) return 'This request no longer exists.';
  if (approval.status !== 'pending') return alreadyDecidedText(approval);
  if (approval.requestedBy === userId) return selfDecisionText(notifier);
  return null;
}

function selfDecisionText(notifier: ApprovalNotifier): string {
  return `You asked for this request, so someone else must decide on it: ${notifier.decidersText()}.`;
}

function alreadyDecidedText(approval: Approval): string {
  const who = approval.decidedBy === undefined ? '' : ` by ${userMention(approval.decidedBy)}`;
  const when = approval.decidedAt === undefined ? '' : ` ${slackDate(approval.decidedAt)}`;
  switch (approval.status) {
    case 'approved':
      return `This request was already approved${who}${when}.`;
    case 'rejected':
      return `This request was already rejected${who}${when}.`;
    case 'expired':
      return `This request expired ${slackDate(approval.expiresAt)} and can no longer be decided.`;
    case 'pending':
      return 'This request is still waiting for a decision.';
  }
}

/** The explanation for a decision the service refused. */
function refusalText(result: Extract<DecisionResult, { ok: false }>, notifier: ApprovalNotifier): string {
  switch (result.why) {
    case 'not_found':
      return 'This request no longer exists.';
    case 'self_decision':
      return selfDecisionText(notifier);
    case 'already_decided':
      return result.approval === null
        ? 'This request was already decided.'
        : alreadyDecidedText(result.approval);
    case 'expired':
      return result.approval === null
        ? 'This request expired and can no longer be decided.'
        : alreadyDecidedText({ ...result.approval, status: 'expired' });
  }
}

async function explainRefusal(
  args: ButtonArgs,
  result: Extract<DecisionResult, { ok: false }>,
  notifier: ApprovalNotifier,
): Promise<void> {
  await explain(args, refusalText(result, notifier));
}

/**
 * Tells only the clicker: an ephemeral message where they clicked, or a DM when the click came
 * from App Home (a view has no channel for an ephemeral).
 */
async function explain(args: ButtonArgs, text: string): Promise<void> {
  const channel = args.body.channel?.id;
  const client: WebClient = args.client;
  const userId = args.body.user.id;
  if (channel !== undefined) {
    await client.chat.postEphemeral({ channel, user: userId, text });
  } else {
    await client.chat.postMessage({ channel: userId, text });
  }
}
