/**
 * Selecting users by what they hold: "Add every user who…" on the users step (the backend's
 * filters). Thousands of ids go to the draft in the store; the view only carries the draft id.
 */
import { filterOptions, parseFilterValue } from '../../../blocks/holdings-filter.js';
import { draftCustomerId, draftOf } from '../access.js';
import { actionOf, SuggestionQuery } from '../payloads.js';
import { isLate, OPTIONS_BUDGET_MS, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import type { ActionArgs, SuggestionArgs } from './step-args.js';
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

/** Options load of "Add every user who…": the filters the backend answers, its products by what was typed. */
export function selectBySuggestions(deps: ListenerDeps) {
  return async ({ options, ack, context }: SuggestionArgs) => {
    const { draft } = draftOf(context);
    const kinds = deps.service.userFilters();
    const products = kinds.includes('holds')
      ? await withinBudget(deps.service.listProducts(draftCustomerId(draft)), OPTIONS_BUDGET_MS)
      : [];
    const query = SuggestionQuery.parse(options.value);
    await ack({ options: filterOptions({ kinds, products: isLate(products) ? [] : products }, query) });
  };
}
