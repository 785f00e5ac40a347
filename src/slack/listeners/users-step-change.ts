/** The users step's common tail: a change of the draft, then the view re-rendered from it. */
import type { HoldingsFilterData } from '../../../blocks/holdings-filter.js';
import type { Draft } from '../../store/store.js';
import type { ListenerDeps } from './deps.js';
import { type ActionArgs, refreshView, stepOf } from './step-args.js';
import { renderUsersFor, versionOf } from './users-step-render.js';

/** A change of the draft: computed from the current draft at write time, so quick clicks compose. */
export type DraftChange = (current: Draft) => Draft;

/**
 * The common tail of every users-step action: apply the change to the draft, then re-render the
 * view (guarded by its hash). `reset` bumps the version so Slack drops the typeahead, paste box and
 * checkbox state for the new initial values. `added` says what an "Add every user who…" added.
 */
export async function changeAndRefresh(
  deps: ListenerDeps,
  args: ActionArgs,
  plan: (draft: Draft) => DraftChange | Promise<DraftChange>,
  reset: boolean,
  added?: HoldingsFilterData['added'],
): Promise<void> {
  const step = stepOf(args);
  if (step === null) return;
  const { draft, view } = step;
  const change = await plan(draft);
  const saved = (await deps.store.updateDraft(draft.id, change)) ?? change(draft);
  const version = versionOf(view) + (reset ? 1 : 0);
  await refreshView(
    args.client,
    view,
    () => renderUsersFor(deps, saved, version, null, added),
    async () =>
      renderUsersFor(deps, (await deps.store.getDraft(draft.id)) ?? saved, version + 1, null, added),
  );
}

export function addUsers(current: Draft, userIds: readonly string[]): Draft {
  return {
    ...current,
    selectedUserIds: [...new Set([...current.selectedUserIds, ...userIds])],
    notFoundEmails: [],
  };
}
