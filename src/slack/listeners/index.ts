/**
 * The routing table: every command, options load, action, view and event the app answers, in
 * the order of the flow (and of manifest.yml). Access checks are per-route middleware: operator
 * first, then the draft's owner.
 */
import type { AnyMiddlewareArgs, App, BlockAction, ButtonAction, Context, Logger } from '@slack/bolt';
import { ids, patterns } from '../../../blocks/ids.js';
import { actingUserId, refusals, requireOwnDraft, requireRole } from '../access.js';
import { approvalListeners } from '../approval/approval-listeners.js';
import { acknowledgeBreakGlass } from '../approval/break-glass.js';
import { logEachRequest } from '../request-log.js';
import { auditCommand } from './audit-command.js';
import { customerSuggestions, openLicenses, submitCustomer } from './customer-step.js';
import type { ListenerDeps } from './deps.js';
import { openFollowUp, submitFollowUp } from './follow-up.js';
import { selectHolders } from './holders-select.js';
import { publishHome } from './home.js';
import { changeHomeFilter } from './home-filters.js';
import {
  acknowledge,
  holdersPage,
  revokeTicked,
  savePlans,
  showHolders,
  showPlans,
} from './licenses-step.js';
import { previewBack, previewLicenses, previewUsersPage, showPreviewUsers } from './preview-step.js';
import { requireStaff } from './staff.js';
import { answerRepeatedSubmission, submitLicenses } from './submit.js';
import {
  addEmails,
  browsePick,
  browseQuery,
  clearSelection,
  pickUsers,
  selectPage,
  submitUsers,
  turnPage,
  userSuggestions,
} from './users-step.js';
import { selectBy, selectBySuggestions } from './users-step-holdings.js';
import { selectedPage, viewSelected } from './users-step-selected.js';

// One screen on purpose (over 60 lines): the routing table reads top to bottom like the manifest.
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.use(logEachRequest());
  const operator = requireRole(deps.access.operators, refusals.operator);
  const ownDraft = requireOwnDraft(deps.store);
  // The users and licenses steps need the draft's customer: a draft still at the customer step is refused.
  const ownCustomerDraft = requireOwnDraft(deps.store, { needsCustomer: true });
  const step = [operator, ownDraft] as const;
  const customerStep = [operator, ownCustomerDraft] as const;

  // 1. /licenses [customer] and the customer step
  // `/licenses audit [customer]` is answered first (operators and approvers); the rest opens the modal.
  app.command('/licenses', auditCommand(deps), operator, openLicenses(deps));
  app.options<'block_suggestion'>({ action_id: ids.actions.customer }, ...step, customerSuggestions(deps));
  app.view(ids.views.customer, ...step, submitCustomer(deps));

  // 2. Users step
  app.options<'block_suggestion'>(
    { block_id: patterns.userSearchBlock, action_id: ids.actions.userSearch },
    ...customerStep,
    userSuggestions(deps),
  );
  app.action<BlockAction>(
    { block_id: patterns.userSearchBlock, action_id: ids.actions.userSearch },
    ...customerStep,
    pickUsers(deps),
  );
  app.action<BlockAction>(
    { block_id: patterns.browseBlock, action_id: ids.actions.browsePick },
    ...customerStep,
    browsePick(deps),
  );
  app.action<BlockAction>(ids.actions.browseQuery, ...customerStep, browseQuery(deps));
  // Each paging button names the page it goes to.
  app.action<BlockAction>(ids.actions.pageFirst, ...customerStep, turnPage(deps));
  app.action<BlockAction>(ids.actions.pagePrevious, ...customerStep, turnPage(deps));
  app.action<BlockAction>(ids.actions.pageNext, ...customerStep, turnPage(deps));
  app.action<BlockAction>(ids.actions.pageLast, ...customerStep, turnPage(deps));
  app.action<BlockAction>(ids.actions.selectPage, ...customerStep, selectPage(deps));
  app.action<BlockAction>(ids.actions.clearSelection, ...customerStep, clearSelection(deps));
  app.action<BlockAction>(ids.actions.addEmails, ...customerStep, addEmails(deps));
  app.action<BlockAction>(ids.actions.viewSelected, ...customerStep, viewSelected(deps));
  app.options<'block_suggestion'>(
    { action_id: ids.actions.selectBy },
    ...customerStep,
    selectBySuggestions(deps),
  );
  app.action<BlockAction>(ids.actions.selectBy, ...customerStep, selectBy(deps));
  app.action<BlockAction>(patterns.selectedPage, ...customerStep, selectedPage(deps));
  app.view(ids.views.users, ...customerStep, submitUsers(deps));

  // 3. Manage licenses, with its pushed views (who has it, service plans)
  app.action<BlockAction>(patterns.revoke, ...customerStep, revokeTicked(deps));
  app.action<BlockAction>(patterns.replace, ...customerStep, revokeTicked(deps));
  app.action<BlockAction>(patterns.holders, ...customerStep, showHolders(deps));
  app.action<BlockAction>(patterns.holdersPage, ...customerStep, holdersPage(deps));
  app.action<BlockAction>(ids.actions.selectHolders, ...customerStep, selectHolders(deps));
  app.action<BlockAction>(patterns.plans, ...customerStep, showPlans(deps));
  app.view(ids.views.plans, ...customerStep, savePlans(deps));
  app.action<BlockAction>(patterns.buyMore, ...step, acknowledge);

  // 4. Preview (what will happen, with each line's users), then submit → summary and run.
  // A retried delivery of a submission that took effect is answered before the draft check.
  const repeated = answerRepeatedSubmission(deps);
  app.view(ids.views.manage, operator, repeated, ownCustomerDraft, previewLicenses(deps));
  app.action<BlockAction>(ids.actions.previewBack, ...customerStep, previewBack(deps));
  app.action<BlockAction>(patterns.previewUsers, ...customerStep, showPreviewUsers(deps));
  app.action<BlockAction>(patterns.previewUsersPage, ...customerStep, previewUsersPage(deps));
  app.view(ids.views.preview, operator, repeated, ownCustomerDraft, submitLicenses(deps));

  // Follow-ups of a finished request: "Retry failed" and "Undo" on its summary, then their modal's submit.
  app.action<BlockAction<ButtonAction>>(ids.actions.retryFailed, operator, openFollowUp(deps, 'retry'));
  app.action<BlockAction<ButtonAction>>(ids.actions.undo, operator, openFollowUp(deps, 'undo'));
  app.view(ids.views.followUp, operator, answerRepeatedSubmission(deps), ownDraft, submitFollowUp(deps));

  // 5. Approvals (src/slack/approval): approval message and App Home buttons, reject-reason modal.
  // Access is checked inside, after the ack: a refusal is an ephemeral, and a click must never wait on it.
  const approval = approvalListeners(deps);
  app.action<BlockAction<ButtonAction>>(patterns.approve, approval.approve);
  app.action<BlockAction<ButtonAction>>(patterns.reject, approval.reject);
  app.action<BlockAction<ButtonAction>>(patterns.viewRevokeList, approval.viewUsers);
  app.view(ids.views.rejectReason, approval.rejectReasonSubmitted);
  // Break-glass: Acknowledge on a "run without approval" message (approvers only, checked inside).
  app.action<BlockAction<ButtonAction>>(ids.actions.acknowledgeBreakGlass, acknowledgeBreakGlass(deps));

  // App Home
  app.event('app_home_opened', publishHome(deps));
  const staff = requireStaff(deps);
  app.action<BlockAction>(ids.actions.homeScope, staff, changeHomeFilter(deps));
  app.action<BlockAction>(ids.actions.homeCustomer, staff, changeHomeFilter(deps));
  app.action<BlockAction>(ids.actions.homeCustomerClear, staff, changeHomeFilter(deps));
  app.options<'block_suggestion'>({ action_id: ids.actions.homeCustomer }, staff, customerSuggestions(deps));

  app.error(answerFailures(app));
}

/**
 * One place for unexpected failures: log with context, tell the user, and rethrow so that a
 * request not acked yet is answered at once (HTTP 500) instead of after Slack's 3 s deadline.
 */
function answerFailures(app: App) {
  return async ({ error, logger, body, context }: FailedRequest) => {
    const fields = (body ?? {}) as { type?: unknown; command?: unknown; channel_id?: unknown };
    const userId = body === undefined ? undefined : actingUserId({ body } as AnyMiddlewareArgs);
    logger.error(
      'listener failed',
      { type: fields.type ?? fields.command, user: userId, team: context.teamId },
      error,
    );
    if (userId !== undefined) {
      const text =
        'Sorry, something went wrong and nothing more was done. Try again; if it keeps failing, tell your LicenseDesk admin.';
      try {
        if (typeof fields.channel_id === 'string') {
          await app.client.chat.postEphemeral({ channel: fields.channel_id, user: userId, text });
        } else {
          await app.client.chat.postMessage({ channel: userId, text });
        }
      } catch (notified) {
        logger.warn('telling the user about the failure failed too', notified);
      }
    }
    throw error;
  };
}

/** What Bolt's extended error handler receives (the type is not exported by @slack/bolt). */
interface FailedRequest {
  error: Error;
  logger: Logger;
  body: AnyMiddlewareArgs['body'] | undefined;
  context: Context;
}
