/**
 * Every callback_id, action_id and block_id the app uses, defined once: builders and listeners
 * import them, so a typo is a compile error instead of a silent no-route.
 *
 * Repeated blocks (product lines, checkbox groups of ≤ 10, approvals on App Home) carry an index
 * or a version in their ids; build them with the helpers below and match them in listeners with
 * the `patterns` regular expressions (Bolt accepts a RegExp as action_id / block_id).
 */

export const ids = {
  views: {
    customer: 'licenses_customer',
    users: 'licenses_users',
    manage: 'licenses_manage',
    holders: 'licenses_holders',
    plans: 'licenses_plans',
    selected: 'licenses_selected',
    submitted: 'licenses_submitted',
    rejectReason: 'approval_reject_reason',
    revokeList: 'approval_revoke_list',
  },
  actions: {
    /** external_select over customers (customer step). */
    customer: 'customer_select',
    /** multi_external_select over the customer's users; its block id carries a version (see userSearchBlockId). */
    userSearch: 'user_search',
    /** Checkboxes of the current browser page; block id carries page and version (see browseBlockId). */
    browsePick: 'browse_pick',
    /** Search text of the browser (input block with dispatch on enter). */
    browseQuery: 'browse_query',
    pageFirst: 'page_first',
    pagePrevious: 'page_previous',
    pageNext: 'page_next',
    pageLast: 'page_last',
    selectPage: 'select_page',
    clearSelection: 'clear_selection',
    /** Multiline input of pasted e-mails; block id carries a version (see pasteBlockId). */
    pasteEmails: 'paste_emails',
    addEmails: 'add_emails',
    viewSelected: 'view_selected',
    /** Prefixes: one button per product line, `${prefix}${index}`, value = skuId. */
    holdersPrefix: 'product_holders_',
    plansPrefix: 'service_plans_',
    buyMorePrefix: 'buy_more_',
    /** Prefixes of the checkbox groups: action id equals block id, `${prefix}${group}`. */
    assignPrefix: 'assign_',
    revokePrefix: 'revoke_',
    /** Reason for an approval (manage step). */
    reason: 'approval_reason',
    /** Service-plan checkbox groups: `${prefix}${group}`. */
    planOffPrefix: 'plans_off_',
    /** Paging of the pushed lists: `${prefix}_previous` / `${prefix}_next`, value = page index (see patterns). */
    selectedPage: 'selected_page',
    holdersPage: 'holders_page',
    /** Approval buttons; value = request id. On App Home each gets `_${index}` (see approveActionId). */
    approve: 'approval_approve',
    reject: 'approval_reject',
    viewRevokeList: 'approval_view_users',
    /** Reject-reason modal input. */
    rejectReason: 'reject_reason',
  },
  blocks: {
    customer: 'customer',
    customerNote: 'customer_note',
    userSearchPrefix: 'user_search_v',
    browseQuery: 'browse_query',
    browsePrefix: 'browse_',
    browseNav: 'browse_nav',
    browseSummary: 'browse_summary',
    pastePrefix: 'paste_v',
    pasteActions: 'paste_actions',
    notFound: 'not_found',
    selection: 'selection',
    selectionActions: 'selection_actions',
    productPrefix: 'product_',
    assignPrefix: 'assign_',
    revokePrefix: 'revoke_',
    reason: 'approval_reason',
    approvalWarning: 'approval_warning',
    planOffPrefix: 'plans_off_',
    approvalActions: 'approval_actions',
    rejectReason: 'reject_reason',
  },
} as const;

function indexed(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

function parseIndexed(prefix: string, id: string): number | null {
  if (!id.startsWith(prefix)) return null;
  const rest = id.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

/** Block id of the user typeahead; a new version resets the element after a pick. */
export function userSearchBlockId(version: number): string {
  return indexed(ids.blocks.userSearchPrefix, version);
}
export function parseUserSearchBlockId(blockId: string): number | null {
  return parseIndexed(ids.blocks.userSearchPrefix, blockId);
}

/** Block id of the paste input; a new version empties it after "Add e-mails". */
export function pasteBlockId(version: number): string {
  return indexed(ids.blocks.pastePrefix, version);
}
export function parsePasteBlockId(blockId: string): number | null {
  return parseIndexed(ids.blocks.pastePrefix, blockId);
}

/** Block id of the browser checkboxes: page and version, so Slack shows the new initial options. */
export function browseBlockId(page: number, version: number): string {
  return `${ids.blocks.browsePrefix}p${page}_v${version}`;
}
export function parseBrowseBlockId(blockId: string): { page: number; version: number } | null {
  const match = /^browse_p(\d+)_v(\d+)$/.exec(blockId);
  if (!match) return null;
  return { page: Number(match[1]), version: Number(match[2]) };
}

export function assignGroupId(group: number): string {
  return indexed(ids.blocks.assignPrefix, group);
}
export function revokeGroupId(group: number): string {
  return indexed(ids.blocks.revokePrefix, group);
}
export function planOffGroupId(group: number): string {
  return indexed(ids.blocks.planOffPrefix, group);
}
export function parseAssignGroupId(id: string): number | null {
  return parseIndexed(ids.blocks.assignPrefix, id);
}
export function parseRevokeGroupId(id: string): number | null {
  return parseIndexed(ids.blocks.revokePrefix, id);
}

export function productBlockId(index: number): string {
  return indexed(ids.blocks.productPrefix, index);
}
export function holdersActionId(index: number): string {
  return indexed(ids.actions.holdersPrefix, index);
}
export function plansActionId(index: number): string {
  return indexed(ids.actions.plansPrefix, index);
}
export function buyMoreActionId(index: number): string {
  return indexed(ids.actions.buyMorePrefix, index);
}

/** Approve / Reject action ids: plain in the approval message, `_${index}` on App Home (ids must be unique in a view). */
export function approveActionId(index?: number): string {
  return index === undefined ? ids.actions.approve : `${ids.actions.approve}_${index}`;
}
export function rejectActionId(index?: number): string {
  return index === undefined ? ids.actions.reject : `${ids.actions.reject}_${index}`;
}
export function viewRevokeListActionId(index?: number): string {
  return index === undefined ? ids.actions.viewRevokeList : `${ids.actions.viewRevokeList}_${index}`;
}

/** For Bolt routes: `app.action(patterns.holders, …)`, `app.view(…)` etc. */
export const patterns = {
  holders: /^product_holders_\d+$/,
  plans: /^service_plans_\d+$/,
  buyMore: /^buy_more_\d+$/,
  assign: /^assign_\d+$/,
  revoke: /^revoke_\d+$/,
  planOff: /^plans_off_\d+$/,
  userSearchBlock: /^user_search_v\d+$/,
  browseBlock: /^browse_p\d+_v\d+$/,
  pasteBlock: /^paste_v\d+$/,
  selectedPage: /^selected_page_(previous|next)$/,
  holdersPage: /^holders_page_(previous|next)$/,
  approve: /^approval_approve(_\d+)?$/,
  reject: /^approval_reject(_\d+)?$/,
  viewRevokeList: /^approval_view_users(_\d+)?$/,
} as const;
