/**
 * The approval step's listeners: Approve, Reject (opens the reason modal), View users and the
 * reason modal's submission. Buttons can be clicked by anyone who sees them, so each one checks
 * the clicker (signed payload) against the approvers at click time; the decision itself is the
 * service's compare-and-set, which is what makes double clicks, concurrent approvers and
 * repeated deliveries decide and run a request once. Every click is acked first.
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
import { ids } from '../../../blocks/ids.js';
import { CANNOT_SAVE_TEXT, StoreUnavailableError } from '../../store/store.js';
import { refusals } from '../access.js';
import type { ListenerDeps } from '../listeners/deps.js';
import { homeFilterOf, publishHomeOf } from '../listeners/home.js';
import { parseMetadata, RequestMetadata, StateValues } from '../payloads.js';
import type { ApprovalNotifier } from './approval-notifier.js';
import { isOwnDecisionAgain, refusalBeforeDecision, refusalText } from './decision-refusals.js';

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

const NO_REQUEST_TEXT = 'This button no longer refers to a request.';

/** Longest reject reason kept (it is shown in two messages). */
const MAX_REASON = 1000;

/** The approval step's handlers over the listener deps; approvalListeners() hands Bolt its entry points. */
class ApprovalHandlers {
  readonly #deps: ListenerDeps;
  readonly #service: ListenerDeps['service'];
  readonly #store: ListenerDeps['store'];
  readonly #runs: ListenerDeps['runs'];
  readonly #approvers: ListenerDeps['access']['approvers'];
  readonly #notifier: ApprovalNotifier;

  constructor(deps: ListenerDeps) {
    this.#deps = deps;
    this.#service = deps.service;
    this.#store = deps.store;
    this.#runs = deps.runs;
    this.#approvers = deps.access.approvers;
    this.#notifier = deps.approvals;
  }

  async approve(args: ButtonArgs): Promise<void> {
    await args.ack();
    this.#afterAck(args, 'approve', () => this.#approveClicked(args));
  }

  async reject(args: ButtonArgs): Promise<void> {
    await args.ack();
    this.#afterAck(args, 'reject', () => this.#rejectClicked(args));
  }

  async viewUsers(args: ButtonArgs): Promise<void> {
    await args.ack();
    this.#afterAck(args, 'view users', () => this.#viewUsersClicked(args));
  }

  /** A decision taken on App Home drops the request from the decider's Home. */
  #refreshHome(body: BlockAction, client: WebClient, userId: string): void {
    if (body.container?.type !== 'view') return;
    // With the Home's filter, kept in its private_metadata.
    const filter = homeFilterOf(body.view?.private_metadata);
    this.#runs.track(`home of ${userId}`, () => publishHomeOf(this.#deps, client, userId, filter));
  }

  /** Refused attempts are audited too: who tried to decide what, and why it was refused. */
  #auditRefusal(actor: string, requestId: string, attempted: 'approve' | 'reject', why: string) {
    return this.#store.appendAudit({ actor, action: `${attempted}_refused`, requestId, outcome: why });
  }

  async #refuseNonApprover(args: ButtonArgs, requestId: string, attempted: 'approve' | 'reject') {
    await this.#auditRefusal(args.body.user.id, requestId, attempted, 'not_approver');
    await explain(args, `${refusals.approver} They are ${this.#notifier.decidersText()}.`);
  }

  /**
   * Work after a click's ack is tracked like runs, so shutdown and tests can wait for it; a
   * failure is logged and the clicker is told, as the app's error handler does before an ack.
   */
  #afterAck(args: ButtonArgs, what: string, work: () => Promise<void>): void {
    this.#runs.track(`${what} by ${args.body.user.id}`, async () => {
      try {
        await work();
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          args.logger.warn(`${what} of ${args.action.value ?? '?'} refused: ${error.message}`);
          await explain(args, CANNOT_SAVE_TEXT);
          return;
        }
        args.logger.error(`${what} of ${args.action.value ?? '?'} by ${args.body.user.id} failed`, error);
        await explain(args, 'Sorry, something went wrong and nothing more was done. Try again in a moment.');
      }
    });
  }

  /** Expiry found by a click is announced once, in the background (see ApprovalNotifier.announceExpiry). */
  #announceExpiry(requestId: string): void {
    this.#runs.track(`expiry of ${requestId}`, () => this.#notifier.announceExpiry(requestId));
  }

  /** The request a decision button names, when the clicker may decide; null once they were told why not. */
  async #decisionTarget(args: ButtonArgs, attempted: 'approve' | 'reject'): Promise<string | null> {
    const requestId = RequestIdValue.safeParse(args.action.value);
    if (!requestId.success) {
      await explain(args, NO_REQUEST_TEXT);
      return null;
    }
    if (!(await this.#approvers.allows(args.body.user.id))) {
      await this.#refuseNonApprover(args, requestId.data, attempted);
      return null;
    }
    return requestId.data;
  }

  async #approveClicked(args: ButtonArgs): Promise<void> {
    const userId = args.body.user.id;
    const id = await this.#decisionTarget(args, 'approve');
    if (id === null) return;
    if (!this.#store.health().writable) return explain(args, CANNOT_SAVE_TEXT);
    const result = await this.#service.approve(id, userId);
    if (!result.ok) {
      await this.#auditRefusal(userId, id, 'approve', result.why);
      if (isOwnDecisionAgain(result.approval, userId, 'approved')) return;
      await explain(args, refusalText(result, this.#notifier));
      if (result.why === 'expired') this.#announceExpiry(id);
      return;
    }
    this.#deps.orchestrator.approved(id);
    this.#refreshHome(args.body, args.client, userId);
  }

  async #rejectClicked(args: ButtonArgs): Promise<void> {
    const userId = args.body.user.id;
    const id = await this.#decisionTarget(args, 'reject');
    if (id === null) return;
    // Expire what is due first, so an expired request is not offered for a reason it cannot take.
    for (const expired of await this.#service.expireApprovals()) this.#announceExpiry(expired.requestId);
    const approval = await this.#store.getApproval(id);
    const refusal = refusalBeforeDecision(approval, userId, this.#notifier);
    if (refusal !== null) {
      await this.#auditRefusal(userId, id, 'reject', refusal.why);
      if (isOwnDecisionAgain(approval, userId, 'rejected')) return;
      return explain(args, refusal.text);
    }
    const request = await this.#store.getRequest(id);
    // The trigger id lives 3 seconds and is good for one view: nothing slow happens before this call.
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: renderRejectReasonModal({
        requestId: id,
        ...(request === null ? {} : { customerName: request.customerName }),
      }),
    });
  }

  async #viewUsersClicked(args: ButtonArgs): Promise<void> {
    const userId = args.body.user.id;
    const requestId = RequestIdValue.safeParse(args.action.value);
    if (!requestId.success) return explain(args, NO_REQUEST_TEXT);
    const request = await this.#store.getRequest(requestId.data);
    if (request === null) return explain(args, 'This request no longer exists.');
    // The list names the customer's users: only who may decide, and the requester, see it.
    if (request.requestedBy !== userId && !(await this.#approvers.allows(userId))) {
      return explain(args, `${refusals.approver} They are ${this.#notifier.decidersText()}.`);
    }
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: renderRevokeListModal(request) });
  }

  /** The reject-reason modal's submission: answered inline, decided once. */
  async rejectReasonSubmitted(args: SubmitArgs): Promise<void> {
    const userId = args.body.user.id;
    const metadata = parseMetadata(RequestMetadata, args.view.private_metadata);
    const reason = new StateValues(args.view.state).text(ids.blocks.rejectReason, ids.actions.rejectReason);
    const inlineError = (text: string) =>
      args.ack({ response_action: 'errors', errors: { [ids.blocks.rejectReason]: text } });
    if (metadata === null) return inlineError('This form no longer refers to a request; close it.');
    if (reason === null) return inlineError('Say why the request is rejected; the operator will read it.');
    const id = metadata.requestId;
    // Approver rights are checked again: they may have changed while the modal was open.
    if (!(await this.#approvers.allows(userId))) {
      await this.#auditRefusal(userId, id, 'reject', 'not_approver');
      return inlineError(refusals.approver);
    }
    if (!this.#store.health().writable) return inlineError(CANNOT_SAVE_TEXT);
    const result = await this.#service
      .reject(id, userId, reason.slice(0, MAX_REASON))
      .catch((error: unknown) => {
        if (error instanceof StoreUnavailableError) return null;
        throw error;
      });
    if (result === null) return inlineError(CANNOT_SAVE_TEXT);
    if (!result.ok) {
      await this.#auditRefusal(userId, id, 'reject', result.why);
      await inlineError(refusalText(result, this.#notifier));
      if (result.why === 'expired') this.#announceExpiry(id);
      return;
    }
    await args.ack();
    this.#runs.track(`rejected request ${id}`, () => this.#notifier.announceDecision(id));
  }
}

export function approvalListeners(deps: ListenerDeps): ApprovalListeners {
  const handlers = new ApprovalHandlers(deps);
  return {
    approve: (args) => handlers.approve(args),
    reject: (args) => handlers.reject(args),
    viewUsers: (args) => handlers.viewUsers(args),
    rejectReasonSubmitted: (args) => handlers.rejectReasonSubmitted(args),
  };
}

/**
 * Tells only the clicker: an ephemeral message where they clicked, or a DM when the click came
 * from App Home (a view has no channel for an ephemeral).
 */
async function explain(args: ButtonArgs, text: string): Promise<void> {
  const channel = args.body.channel?.id;
  const userId = args.body.user.id;
  if (channel !== undefined) {
    await args.client.chat.postEphemeral({ channel, user: userId, text });
  } else {
    await args.client.chat.postMessage({ channel: userId, text });
  }
}
