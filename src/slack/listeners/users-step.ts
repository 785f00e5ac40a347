/**
 * The users step: a typeahead over the customer's users, a paged browser whose selection survives
 * paging, pasted e-mails, and the selection kept in the draft (not in private_metadata).
 */
import type { ModalView } from '@slack/types';
import { ids, parseBrowseBlockId, patterns } from '../../../blocks/ids.js';
import { renderLoading } from '../../../blocks/loading.js';
import { userOptions } from '../../../blocks/option-lists.js';
import { USERS_PAGE_SIZE } from '../../../blocks/users-step.js';
import type { TenantUser } from '../../licensing/model.js';
import type { Draft } from '../../store/store.js';
import { draftCustomerId, draftOf } from '../access.js';
import { actionOf, pageOf, parseEmailList, StateValues, SuggestionQuery, viewOf } from '../payloads.js';
import { isLate, OPTIONS_BUDGET_MS, replaceOnSubmit, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { renderLicensesFor } from './licenses-step.js';
import { addUsers, changeAndRefresh, type DraftChange } from './users-step-change.js';
import { renderUsersFor, versionOf } from './users-step-render.js';

/** Routed from index.ts with the other users-step listeners. */

import { type ActionArgs, type SubmitArgs, type SuggestionArgs, submittedStep } from './step-args.js';

const MAX_USER_OPTIONS = 100;

/** Adds the users `find` finds to the selection, then resets the inputs. */
function addFound(
  deps: ListenerDeps,
  args: ActionArgs,
  find: (draft: Draft) => Promise<readonly TenantUser[]>,
): Promise<void> {
  return changeAndRefresh(
    deps,
    args,
    async (draft) => {
      const found = (await find(draft)).map((user) => user.id);
      return (current) => addUsers(current, found);
    },
    true,
  );
}

async function pageUsers(deps: ListenerDeps, draft: Draft, page: number): Promise<TenantUser[]> {
  const { users } = await deps.service.searchUsers(draftCustomerId(draft), {
    query: draft.browseQuery,
    offset: page * USERS_PAGE_SIZE,
    limit: USERS_PAGE_SIZE,
  });
  return users;
}

/** Options load of the user typeahead (by name or e-mail). */
export function userSuggestions(deps: ListenerDeps) {
  return async ({ options, ack, context }: SuggestionArgs) => {
    const { draft } = draftOf(context);
    const query = SuggestionQuery.parse(options.value);
    const page = await withinBudget(
      deps.service.searchUsers(draftCustomerId(draft), { query, offset: 0, limit: MAX_USER_OPTIONS }),
      OPTIONS_BUDGET_MS,
    );
    await ack({ options: isLate(page) ? [] : userOptions(page.users) });
  };
}

/** A pick in the typeahead adds to the selection, then the typeahead is emptied. */
export function pickUsers(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const action = actionOf(args.action);
    if (action === null) return;
    const picked = action.selected_options?.map((option) => option.value) ?? [];
    await addFound(deps, args, (draft) => deps.service.getUsers(draftCustomerId(draft), picked));
  };
}

/** Ticks on the current browser page: that page's part of the selection becomes what is ticked. */
export function browsePick(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const action = actionOf(args.action);
    const where = action === null ? null : parseBrowseBlockId(action.block_id);
    if (action === null || where === null) return;
    const ticked = new Set(action.selected_options?.map((option) => option.value) ?? []);
    await changeAndRefresh(
      deps,
      args,
      async (draft) => {
        const users = await pageUsers(deps, draft, where.page);
        const onPage = new Set(users.map((user) => user.id));
        const added = users.filter((user) => ticked.has(user.id)).map((user) => user.id);
        return (current) => ({
          ...current,
          selectedUserIds: [
            ...new Set([...current.selectedUserIds.filter((id) => !onPage.has(id)), ...added]),
          ],
          notFoundEmails: [],
        });
      },
      false,
    );
  };
}

/** Enter in the browser's search box: filter the browser, back to its first page. */
export function browseQuery(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const action = actionOf(args.action);
    if (action === null) return;
    const query = (action.value ?? '').trim().slice(0, 200);
    await changeAndRefresh(
      deps,
      args,
      () => (current) => ({ ...current, browseQuery: query, page: 0 }),
      false,
    );
  };
}

/**
 * First / Previous / Next / Last go to the page their button names, not one past the draft's
 * page, so a double click or a click in a stale view lands where the button said. A page past
 * the end is brought back to the last one by renderUsersFor.
 */
export function turnPage(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const page = pageOf(actionOf(args.action));
    if (page === null) return;
    await changeAndRefresh(deps, args, () => (current) => ({ ...current, page }), false);
  };
}

/** "Select all on this page": the page the button was shown with. */
export function selectPage(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const page = pageOf(actionOf(args.action));
    if (page === null) return;
    await addFound(deps, args, (draft) => pageUsers(deps, draft, page));
  };
}

export function clearSelection(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    await changeAndRefresh(
      deps,
      args,
      () => (current) => ({ ...current, selectedUserIds: [], notFoundEmails: [] }),
      true,
    );
  };
}

/** Adds the pasted e-mails that match users; the others are listed, never dropped silently. */
async function pastedEmailsChange(deps: ListenerDeps, draft: Draft, text: string): Promise<DraftChange> {
  const { emails, invalid } = parseEmailList(text);
  const { found, notFound } =
    emails.length === 0
      ? { found: [], notFound: [] }
      : await deps.service.findUsersByEmail(draftCustomerId(draft), emails);
  return (current) => ({
    ...addUsers(
      current,
      found.map((user) => user.id),
    ),
    notFoundEmails: [...notFound, ...invalid],
  });
}

function pastedText(state: unknown): string | null {
  return new StateValues(state).text(patterns.pasteBlock, ids.actions.pasteEmails);
}

/** "Add e-mails": reads the paste box from the view state. */
export function addEmails(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const text = pastedText(viewOf(args.body)?.state) ?? '';
    await changeAndRefresh(deps, args, (draft) => pastedEmailsChange(deps, draft, text), true);
  };
}

/** "Next" on the users step: e-mails still in the paste box are added first (and shown). */
export function submitUsers(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const step = await submittedStep(args);
    if (step === null) return;
    const { draft, view } = step;
    const text = pastedText(view.state);
    const version = versionOf(view);
    const work = (async (): Promise<ModalView> => {
      if (text !== null) {
        const change = await pastedEmailsChange(deps, draft, text);
        const saved = (await deps.store.updateDraft(draft.id, change)) ?? change(draft);
        return renderUsersFor(deps, saved, version + 1);
      }
      if (draft.selectedUserIds.length === 0) {
        return renderUsersFor(deps, draft, version, 'Select at least one user.');
      }
      // The manage step opens with nothing ticked, so no tick of an earlier one counts.
      const fresh = await deps.store.updateDraft(draft.id, (current) => ({
        ...current,
        revokeSkuIds: [],
        replacePick: {},
        previewed: null,
      }));
      return renderLicensesFor(deps, fresh ?? draft);
    })();
    await replaceOnSubmit(args.ack, args.client, view.id, work, () =>
      renderLoading({
        callbackId: ids.views.manage,
        title: 'Manage licenses',
        text: 'Loading products…',
        draftId: draft.id,
      }),
    );
  };
}
