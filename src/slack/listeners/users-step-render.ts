/** The users step rendered from the draft, for its own listeners and for the customer step's "Next". */
import type { ModalView } from '@slack/types';
import type { HoldingsFilterData } from '../../../blocks/holdings-filter.js';
import { parseUserSearchBlockId } from '../../../blocks/ids.js';
import { pageCount, renderUsersStep, USERS_PAGE_SIZE } from '../../../blocks/users-step.js';
import type { Draft } from '../../store/store.js';
import { draftCustomerId } from '../access.js';
import type { ViewRef } from '../payloads.js';
import type { ListenerDeps } from './deps.js';

/** The filters the backend answers; the products only to name what "who hold …" just added. */
async function holdingsOf(
  deps: ListenerDeps,
  customerId: string,
  added: HoldingsFilterData['added'],
): Promise<HoldingsFilterData> {
  const kinds = deps.service.userFilters();
  const products = added && 'holds' in added.filter ? await deps.service.listProducts(customerId) : [];
  return { kinds, products, added: added ?? null };
}

/**
 * Renders the users step from the draft. A page past the end (the query or the directory
 * changed) is brought back to the last page, in the draft too, so paging stays consistent.
 */
export async function renderUsersFor(
  deps: ListenerDeps,
  draft: Draft,
  version: number,
  error?: string | null,
  added?: HoldingsFilterData['added'],
): Promise<ModalView> {
  const customerId = draftCustomerId(draft);
  const query = { query: draft.browseQuery, limit: USERS_PAGE_SIZE };
  const [first, selected, holdings] = await Promise.all([
    deps.service.searchUsers(customerId, { ...query, offset: draft.page * USERS_PAGE_SIZE }),
    deps.service.getUsers(customerId, draft.selectedUserIds),
    holdingsOf(deps, customerId, added),
  ]);
  let page = draft.page;
  let browsed = first;
  const last = pageCount(first.total) - 1;
  if (page > last) {
    page = last;
    browsed = await deps.service.searchUsers(customerId, { ...query, offset: page * USERS_PAGE_SIZE });
    await deps.store.updateDraft(draft.id, (current) => ({ ...current, page }));
  }
  return renderUsersStep({
    draftId: draft.id,
    customerName: draft.customerName ?? '',
    version,
    browser: { users: browsed.users, page, total: browsed.total, query: draft.browseQuery },
    selected,
    notFoundEmails: draft.notFoundEmails,
    holdings,
    error: error ?? null,
  });
}

/** The version the view was rendered with (it sits in the typeahead's block id). */
export function versionOf(view: ViewRef | null): number {
  for (const block of view?.blocks ?? []) {
    const version = block.block_id === undefined ? null : parseUserSearchBlockId(block.block_id);
    if (version !== null) return version;
  }
  return 0;
}
