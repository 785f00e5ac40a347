/** The users step: search, a paged browser, pasted e-mails and the selection, for one customer. */
import type { Button, Checkboxes, KnownBlock, ModalView } from '@slack/types';
import type { TenantUser } from '../src/licensing/model.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  divider,
  modal,
  mrkdwn,
  plain,
  plural,
  section,
} from './elements.js';
import { type HoldingsFilterData, holdingsFilterBlocks } from './holdings-filter.js';
import { browseBlockId, ids, pasteBlockId, userSearchBlockId } from './ids.js';
import { encodeMetadata, escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';
import { userOption } from './option-lists.js';

/** Users per browser page (one checkboxes element holds at most 10 options). */
export const USERS_PAGE_SIZE = 10;
/** Selected users listed inline before the "View all N selected" button. */
export const SELECTION_INLINE = 20;
/** Pasted e-mails not found that are listed by name (the rest are counted). */
const NOT_FOUND_LISTED = 50;

export interface UsersStepData {
  draftId: string;
  customerName: string;
  /**
   * Bumped by the listener after each typeahead pick, "Add e-mails", "Select all on this page" or
   * "Clear selection": it goes into the block ids of the typeahead, the paste box and the browser
   * checkboxes so Slack resets them (same block_id would keep the old client state).
   */
  version: number;
  browser: {
    /** The users of the current page (≤ 10), in provider order. */
    users: readonly TenantUser[];
    /** 0-based. */
    page: number;
    /** Users matching `query` over all pages. */
    total: number;
    query: string;
  };
  /** Every selected user (any order; shown sorted by display name). */
  selected: readonly TenantUser[];
  /** Pasted e-mails that matched no user. */
  notFoundEmails: readonly string[];
  /** "Add every user who…": the filters the backend answers (absent: none). */
  holdings?: HoldingsFilterData;
  /** A problem to show at the top (e.g. "Select at least one user"). */
  error?: string | null;
}

/** Number of browser pages for `total` users (at least 1). */
export function pageCount(total: number, pageSize: number = USERS_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Users sorted by display name (then e-mail, then id), case- and accent-insensitive. */
export function sortUsers<T extends Pick<TenantUser, 'id' | 'displayName' | 'email'>>(
  users: readonly T[],
): T[] {
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  return [...users].sort(
    (a, b) =>
      collator.compare(a.displayName, b.displayName) ||
      collator.compare(a.email, b.email) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** "Name (email)" escaped for mrkdwn. */
export function userLine(user: Pick<TenantUser, 'displayName' | 'email'>): string {
  const email = truncate(oneLine(user.email), 100);
  const name = truncate(oneLine(user.displayName), 100) || email;
  return email && email !== name ? `${escapeMrkdwn(name)} (${escapeMrkdwn(email)})` : escapeMrkdwn(name);
}

/** The typeahead over the customer's users. */
function searchBlocks(version: number): KnownBlock[] {
  // Typeahead in an actions block so each pick arrives as block_actions and joins the selection.
  const typeahead = {
    type: 'multi_external_select' as const,
    action_id: ids.actions.userSearch,
    placeholder: plain('Type a name or e-mail', limits.placeholder),
    min_query_length: 1,
  };
  return [
    section('*Search by name or e-mail* to add users:'),
    actions([typeahead], userSearchBlockId(version)),
  ];
}

/** The paged browser: filter, checkboxes of the page (ticked where selected), page summary and buttons. */
function browserBlocks(data: UsersStepData, selectedIds: ReadonlySet<string>): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  blocks.push(divider());
  blocks.push(section('*Browse the users*'));
  blocks.push({
    type: 'input',
    block_id: ids.blocks.browseQuery,
    optional: true,
    dispatch_action: true,
    label: plain('Filter (press Enter)', limits.label),
    element: {
      type: 'plain_text_input',
      action_id: ids.actions.browseQuery,
      placeholder: plain('Beginning of a name or e-mail', limits.placeholder),
      dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      ...(data.browser.query ? { initial_value: truncate(data.browser.query, limits.plainTextInput) } : {}),
    },
  });

  const pages = pageCount(data.browser.total);
  const page = Math.min(Math.max(0, data.browser.page), pages - 1);
  const pageUsers = data.browser.users.slice(0, limits.checkboxOptions);
  if (pageUsers.length === 0) {
    blocks.push(
      context([data.browser.query ? 'No user matches this filter.' : 'This customer has no users.']),
    );
  } else {
    const options = pageUsers.map(userOption);
    const initial = options.filter((o) => selectedIds.has(o.value ?? ''));
    const checkboxes: Checkboxes = {
      type: 'checkboxes',
      action_id: ids.actions.browsePick,
      options,
      ...(initial.length > 0 ? { initial_options: initial } : {}),
    };
    blocks.push(actions([checkboxes], browseBlockId(page, data.version)));
  }
  blocks.push(
    context(
      [
        `Page ${page + 1} of ${pages} · ${plural(data.browser.total, data.browser.query ? 'matching user' : 'user')}`,
      ],
      ids.blocks.browseSummary,
    ),
  );
  blocks.push(...navBlocks(page, pages, pageUsers, selectedIds));
  return blocks;
}

/** First / Previous / Next / Last, "Select all on this page" and "Clear selection", as they apply. */
function navBlocks(
  page: number,
  pages: number,
  pageUsers: readonly TenantUser[],
  selectedIds: ReadonlySet<string>,
): KnownBlock[] {
  const nav: Button[] = [];
  if (page > 0) {
    nav.push(button({ actionId: ids.actions.pageFirst, text: '« First', value: '0' }));
    nav.push(button({ actionId: ids.actions.pagePrevious, text: '‹ Previous', value: String(page - 1) }));
  }
  if (page < pages - 1) {
    nav.push(button({ actionId: ids.actions.pageNext, text: 'Next ›', value: String(page + 1) }));
    nav.push(button({ actionId: ids.actions.pageLast, text: 'Last »', value: String(pages - 1) }));
  }
  if (pageUsers.length > 0 && pageUsers.some((u) => !selectedIds.has(u.id))) {
    nav.push(
      button({ actionId: ids.actions.selectPage, text: 'Select all on this page', value: String(page) }),
    );
  }
  if (selectedIds.size > 0) {
    nav.push(
      button({
        actionId: ids.actions.clearSelection,
        text: 'Clear selection',
        style: 'danger',
        confirm: confirmDialog({
          title: 'Clear the selection?',
          text: `This removes all ${plural(selectedIds.size, 'selected user')} from the selection.`,
          confirm: 'Clear selection',
          deny: 'Keep them',
          style: 'danger',
        }),
      }),
    );
  }
  return nav.length > 0 ? [actions(nav, ids.blocks.browseNav)] : [];
}

/** The paste box and the pasted e-mails that matched no user. */
function pasteBlocks(data: UsersStepData): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  blocks.push(divider());
  blocks.push({
    type: 'input',
    block_id: pasteBlockId(data.version),
    optional: true,
    label: plain('Paste e-mails', limits.label),
    hint: plain('One per line, or separated by commas or spaces; then press "Add e-mails".', limits.hint),
    element: {
      type: 'plain_text_input',
      action_id: ids.actions.pasteEmails,
      multiline: true,
      placeholder: plain('alice@contoso.com, bob@contoso.com', limits.placeholder),
    },
  });
  blocks.push(
    actions([button({ actionId: ids.actions.addEmails, text: 'Add e-mails' })], ids.blocks.pasteActions),
  );

  if (data.notFoundEmails.length > 0) {
    const listed = data.notFoundEmails
      .slice(0, NOT_FOUND_LISTED)
      .map((e) => `• ${escapeMrkdwn(truncate(oneLine(e), 120))}`);
    const texts = packLinesCapped(
      [
        `:warning: *${plural(data.notFoundEmails.length, 'pasted e-mail')} matched no user of this customer:*`,
        ...listed,
      ],
      1,
      (n) => `…and ${n} more`,
      limits.sectionText,
      data.notFoundEmails.length - listed.length,
    );
    blocks.push({ type: 'section', block_id: ids.blocks.notFound, text: mrkdwn(texts[0] ?? ' ') });
  }
  return blocks;
}

/** The selection: the first users inline, then a button to view them all. */
function selectionBlocks(selected: readonly TenantUser[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  blocks.push(divider());
  const sorted = sortUsers(selected);
  if (sorted.length === 0) {
    blocks.push(
      section('*Selected: none yet.* Search, browse or paste e-mails above, then press *Next*.', {
        blockId: ids.blocks.selection,
      }),
    );
  } else {
    const lines = sorted.slice(0, SELECTION_INLINE).map((u) => `• ${userLine(u)}`);
    const texts = packLinesCapped(
      [`*Selected: ${plural(sorted.length, 'user')}*`, ...lines],
      1,
      (n) => `…and ${n} more`,
      limits.sectionText,
      sorted.length - lines.length,
    );
    blocks.push({ type: 'section', block_id: ids.blocks.selection, text: mrkdwn(texts[0] ?? ' ') });
    if (sorted.length > SELECTION_INLINE) {
      blocks.push(
        actions(
          [button({ actionId: ids.actions.viewSelected, text: `View all ${sorted.length} selected` })],
          ids.blocks.selectionActions,
        ),
      );
    }
  }
  return blocks;
}

/** The users-step modal; private_metadata `{ draftId }`; submit "Next". */
export function renderUsersStep(data: UsersStepData): ModalView {
  const selectedIds = new Set(data.selected.map((u) => u.id));
  const blocks: KnownBlock[] = [section(`*Customer:* ${escapeMrkdwn(data.customerName)}`)];
  if (data.error) blocks.push(section(`:warning: ${escapeMrkdwn(data.error)}`));
  blocks.push(
    ...searchBlocks(data.version),
    ...(data.holdings ? holdingsFilterBlocks(data.holdings, data.version) : []),
    ...browserBlocks(data, selectedIds),
    ...pasteBlocks(data),
    ...selectionBlocks(data.selected),
  );
  return modal({
    callbackId: ids.views.users,
    title: 'Choose users',
    submit: 'Next',
    close: 'Cancel',
    blocks,
    privateMetadata: encodeMetadata({ draftId: data.draftId }),
  });
}
