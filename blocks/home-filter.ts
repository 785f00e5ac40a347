/** App Home's filters of the requests list (operators and approvers): which requests, which customer. */
import type { ActionsBlock, ExternalSelect, StaticSelect } from '@slack/types';
import { actions, button, option, plain } from './elements.js';
import { ids } from './ids.js';
import { limits, oneLine, truncate } from './limits.js';
import { customerOption } from './option-lists.js';

export const HOME_SCOPES = ['mine', 'pending', 'all'] as const;
export type HomeScope = (typeof HOME_SCOPES)[number];

/** What the requests list shows: mine / waiting for approval / everyone's, optionally one customer's. */
export interface HomeFilter {
  scope: HomeScope;
  customer: { id: string; name: string } | null;
}

export const DEFAULT_HOME_FILTER: HomeFilter = { scope: 'mine', customer: null };

const SCOPE_TEXT: Record<HomeScope, string> = {
  mine: 'My requests',
  pending: 'Waiting for approval',
  all: 'All requests',
};

/** The list's header: "Your recent requests", "Waiting for approval · Contoso", … (≤ 150). */
export function homeListTitle(filter: HomeFilter): string {
  const base = filter.scope === 'mine' ? 'Your recent requests' : SCOPE_TEXT[filter.scope];
  if (filter.customer === null) return base;
  return truncate(`${base} · ${oneLine(filter.customer.name)}`, limits.headerText);
}

/** The filter controls: a scope select, a customer typeahead and, when one is chosen, "Any customer". */
export function homeFilterBlock(filter: HomeFilter): ActionsBlock {
  const scopes = HOME_SCOPES.map((scope) => option(SCOPE_TEXT[scope], scope));
  const scope: StaticSelect = {
    type: 'static_select',
    action_id: ids.actions.homeScope,
    placeholder: plain('Show', limits.placeholder),
    options: scopes,
    initial_option: scopes[HOME_SCOPES.indexOf(filter.scope)] ?? scopes[0],
  };
  const customer: ExternalSelect = {
    type: 'external_select',
    action_id: ids.actions.homeCustomer,
    placeholder: plain('Any customer', limits.placeholder),
    min_query_length: 0,
    ...(filter.customer === null ? {} : { initial_option: customerOption(filter.customer) }),
  };
  const clear =
    filter.customer === null
      ? []
      : [button({ actionId: ids.actions.homeCustomerClear, text: 'Any customer' })];
  return actions([scope, customer, ...clear], ids.blocks.homeFilter);
}
