/** Pushed view: every selected user, sorted, as paged text. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { TenantUser } from '../src/licensing/model.js';
import { actions, button, context, plural, readOnlyModal, section } from './elements.js';
import { ids, pagingIds } from './ids.js';
import { escapeMrkdwn, oneLine, packLines, pagesOf } from './limits.js';
import { sortUsers, userLine } from './users-step.js';

/** Sections of users on one page of a pushed list (leaves room for the header lines and paging). */
const LIST_SECTIONS_PER_PAGE = 90;

export interface SelectedUsersData {
  draftId: string;
  customerName: string;
  users: readonly TenantUser[];
  /** 0-based page when the users do not fit one view (paging buttons `ids.actions.selectedPage`, value = page). */
  page?: number;
}

/**
 * One page of a pushed list: its sections, then paging buttons (`actionId`, only when needed).
 * `page` is 0-based and clamped to the pages there are.
 */
export function pagedList(texts: readonly string[], actionId: string, page = 0): KnownBlock[] {
  const all = pagesOf(texts, LIST_SECTIONS_PER_PAGE);
  const pages = Math.max(1, all.length);
  const shown = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return [...(all[shown] ?? []).map((text) => section(text)), ...pagingBlock(actionId, shown, pages)];
}

/** Paging buttons for a pushed list: value = the page to show. */
function pagingBlock(actionId: string, page: number, pages: number): KnownBlock[] {
  if (pages <= 1) return [];
  const paging = pagingIds(actionId);
  const buttons = [];
  if (page > 0)
    buttons.push(button({ actionId: paging.previous, text: '‹ Previous', value: String(page - 1) }));
  if (page < pages - 1)
    buttons.push(button({ actionId: paging.next, text: 'Next ›', value: String(page + 1) }));
  return [actions(buttons, paging.nav), context([`Page ${page + 1} of ${pages}`])];
}

/**
 * The "all selected users" modal; private_metadata `{ draftId }`; close "Back", no submit.
 * Paging buttons (only when needed) have action ids `selected_page_previous` / `selected_page_next`
 * (match with `patterns.selectedPage`), value = page to show.
 */
export function renderSelectedUsers(data: SelectedUsersData): ModalView {
  const sorted = sortUsers(data.users);
  const blocks: KnownBlock[] = [
    section(`*${plural(sorted.length, 'user')} selected* at ${escapeMrkdwn(oneLine(data.customerName))}`),
  ];
  if (sorted.length === 0) blocks.push(context(['No user is selected yet.']));
  blocks.push(
    ...pagedList(packLines(sorted.map((u) => `• ${userLine(u)}`)), ids.actions.selectedPage, data.page),
  );
  return readOnlyModal({ callbackId: ids.views.selected, title: 'Selected users', close: 'Back' }, blocks, {
    draftId: data.draftId,
  });
}
