/**
 * Selecting users by what they hold: "Add every user who…" on the users step (the backend's
 * filters). Thousands of ids go to the draft in the store; the view only carries the draft id.
 */
import { parseFilterValue } from '../../../blocks/holdings-filter.js';
import { draftCustomerId, draftOf } from '../access.js';
import { actionOf } from '../payloads.js';
import type { ListenerDeps } from './deps.js';
import type { ActionArgs } from './step-args.js';
import { addUsers, changeAndRefresh } from './users-step-change.js';

/** A choice in "Add every user who…": every matching user joins the selection, then the select is reset. */
export function selectBy(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const filter = parseFilterValue(actionOf(args.action)?.selected_option?.value);
    if (filter === null) return;
    const { draft } = draftOf(args.context);
    const matched = await deps.service.listUserIds(draftCustomerId(draft), filter);
    await changeAndRefresh(deps, args, () => (current) => addUsers(current, matched), true, {
      filter,
      matched: matched.length,
    });
  };
}
