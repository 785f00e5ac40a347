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
    /** What a change will do, between the manage step and the submission. */
    preview: 'licenses_preview',
    /** Pushed from a preview line: its users, who changes, who is a no-op, who fails and why. */
    previewUsers: 'licenses_preview_users',
    rejectReason: 'approval_reject_reason',
    revokeList: 'approval_revoke_list',
    /** A follow-up request's modal (retry, undo). */
    followUp: 'follow_up',
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
    /** "Add every user who…" (holds a product, holds nothing, has no usage location); block id carries a version. */
    selectBy: 'select_by',
    /** "Select these users" in the Who-has-it view; value = skuId. */
    selectHolders: 'select_holders',
    viewSelected: 'view_selected',
    /** Prefixes: one button per product line, `${prefix}${index}`, value = skuId. */
    holdersPrefix: 'product_holders_',
    plansPrefix: 'service_plans_',
    buyMorePrefix: 'buy_more_',
    /** Prefixes of the checkbox groups: action id equals block id, `${prefix}${group}`. */
    assignPrefix: 'assign_',
    revokePrefix: 'revoke_',
    /** Manage step, "Replace A with B": the product to replace and the product to give instead. */
    replaceFrom: 'replace_from',
    replaceTo: 'replace_to',
    /** Reason for an approval (manage step). */
    reason: 'approval_reason',
    /** Service-plan checkbox groups: `${prefix}${group}`. */
    planOffPrefix: 'plans_off_',
    /** Paging of the pushed lists: `${prefix}_previous` / `${prefix}_next`, value = page index (see patterns). */
    selectedPage: 'selected_page',
    holdersPage: 'holders_page',
    previewUsersPage: 'preview_users_page',
    /** Preview: one "Users" button per line, `${prefix}${index}`, value = `${op}:${skuId}`. */
    previewUsersPrefix: 'preview_users_',
    /** Preview: back to the manage step with its ticks. */
    previewBack: 'preview_back',
    /** Approval buttons; value = request id. On App Home each gets `_${index}` (see approveActionId). */
    approve: 'approval_approve',
    reject: 'approval_reject',
    viewRevokeList: 'approval_view_users',
    /** Reject-reason modal input. */
    rejectReason: 'reject_reason',
    /** Manage step: "Run now without approval (break-glass)" checkbox (break-glass operators only). */
    breakGlass: 'break_glass',
    /** Acknowledge of a break-glass request's message in the approvals channel; value = request id. */
    acknowledgeBreakGlass: 'break_glass_acknowledge',
    /** App Home filters of the requests list: which requests, which customer, clear the customer. */
    homeScope: 'home_scope',
    homeCustomer: 'home_customer',
    homeCustomerClear: 'home_customer_clear',
    /** "Retry failed (N)" on a finished request's summary; value = request id. */
    retryFailed: 'follow_up_retry',
    /** "Undo" on a finished request's summary; value = request id. */
    undo: 'follow_up_undo',
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
    selectByPrefix: 'select_by_v',
    notFound: 'not_found',
    selection: 'selection',
    selectionActions: 'selection_actions',
    productPrefix: 'product_',
    /** Approve / Reject buttons of one pending approval on App Home: `${prefix}${index}`. */
    homeApprovalPrefix: 'home_approval_',
    /** The filters above App Home's requests list. */
    homeFilter: 'home_filter',
    assignPrefix: 'assign_',
    revokePrefix: 'revoke_',
    reason: 'approval_reason',
    replaceFrom: 'replace_from',
    replaceTo: 'replace_to',
    approvalWarning: 'approval_warning',
    planOffPrefix: 'plans_off_',
    approvalActions: 'approval_actions',
    rejectReason: 'reject_reason',
    breakGlass: 'break_glass',
    breakGlassActions: 'break_glass_actions',
    /** The follow-up buttons of a finished request's summary (retry; undo). */
    followUpActions: 'follow_up_actions',
    /** Preview: line `${prefix}${index}`, and the Back button's actions block. */
    previewLinePrefix: 'preview_line_',
    previewActions: 'preview_actions',
  },
} as const;

/** An id repeated with a number, `${prefix}${n}`, with its parser and route pattern, all from the prefix. */
export interface NumberedId {
  (n: number): string;
  parse(id: string): number | null;
  readonly pattern: RegExp;
}

function numbered(prefix: string): NumberedId {
  const parsed = new RegExp(`^${prefix}(\\d+)$`);
  return Object.assign((n: number): string => `${prefix}${n}`, {
    parse: (id: string): number | null => {
      const match = parsed.exec(id);
      return match ? Number(match[1]) : null;
    },
    pattern: new RegExp(`^${prefix}\\d+$`),
  });
}

/** A plain id that gets `_${index}` where it repeats in one view (App Home), with its route pattern. */
function optionallyNumbered(base: string): ((index?: number) => string) & { readonly pattern: RegExp } {
  return Object.assign((index?: number): string => (index === undefined ? base : `${base}_${index}`), {
    pattern: new RegExp(`^${base}(_\\d+)?$`),
  });
}

/** The Previous / Next buttons of a pushed list and their actions block: `${base}_previous` etc. */
export function pagingIds(base: string): { previous: string; next: string; nav: string } {
  return { previous: `${base}_previous`, next: `${base}_next`, nav: `${base}_nav` };
}

function pagingPattern(base: string): RegExp {
  return new RegExp(`^${base}_(previous|next)$`);
}

/** Block id of the user typeahead; a new version resets the element after a pick. */
export const userSearchBlockId = numbered(ids.blocks.userSearchPrefix);
export const parseUserSearchBlockId = userSearchBlockId.parse;

/** Block id of the paste input; a new version empties it after "Add e-mails". */
export const pasteBlockId = numbered(ids.blocks.pastePrefix);

const browse = new RegExp(`^${ids.blocks.browsePrefix}p(\\d+)_v(\\d+)$`);

/** Block id of the browser checkboxes: page and version, so Slack shows the new initial options. */
export function browseBlockId(page: number, version: number): string {
  return `${ids.blocks.browsePrefix}p${page}_v${version}`;
}
export function parseBrowseBlockId(blockId: string): { page: number; version: number } | null {
  const match = browse.exec(blockId);
  return match ? { page: Number(match[1]), version: Number(match[2]) } : null;
}

/** Block id of "Add every user who…"; a new version resets the select after a choice. */
export const selectByBlockId = numbered(ids.blocks.selectByPrefix);

/** Checkbox groups of the manage step and of the service plans (≤ 10 options a group). */
export const assignGroupId = numbered(ids.blocks.assignPrefix);
export const revokeGroupId = numbered(ids.blocks.revokePrefix);
export const planOffGroupId = numbered(ids.blocks.planOffPrefix);

/** Section of product `index` (detailed layout) or of compact chunk `index`. */
export const productBlockId = numbered(ids.blocks.productPrefix);
/** The buttons under product line (or compact chunk) `index`. */
export function productActionsBlockId(index: number): string {
  return `${productBlockId(index)}_actions`;
}
/** Section `part` of compact chunk `chunk` (a chunk's lines may need more than one section). */
export function productChunkBlockId(chunk: number, part: number): string {
  return `${productBlockId(chunk)}_${part}`;
}
/** The buttons of product line `index`. */
export const holdersActionId = numbered(ids.actions.holdersPrefix);
export const plansActionId = numbered(ids.actions.plansPrefix);
export const buyMoreActionId = numbered(ids.actions.buyMorePrefix);

/** A preview's line `index` and its "Users" button. */
export const previewLineBlockId = numbered(ids.blocks.previewLinePrefix);
export const previewUsersActionId = numbered(ids.actions.previewUsersPrefix);

/** Approve / Reject action ids: plain in the approval message, `_${index}` on App Home (ids must be unique in a view). */
export const approveActionId = optionallyNumbered(ids.actions.approve);
export const rejectActionId = optionallyNumbered(ids.actions.reject);
export const viewRevokeListActionId = optionallyNumbered(ids.actions.viewRevokeList);
/** The actions block of pending approval `index` on App Home. */
export const homeApprovalBlockId = numbered(ids.blocks.homeApprovalPrefix);

/** For Bolt routes: `app.action(patterns.holders, …)`, `app.view(…)` etc. */
export const patterns = {
  holders: holdersActionId.pattern,
  plans: plansActionId.pattern,
  buyMore: buyMoreActionId.pattern,
  assign: assignGroupId.pattern,
  revoke: revokeGroupId.pattern,
  /** Either select of the manage step's "Replace A with B". */
  replace: new RegExp(`^(${ids.actions.replaceFrom}|${ids.actions.replaceTo})$`),
  planOff: planOffGroupId.pattern,
  userSearchBlock: userSearchBlockId.pattern,
  browseBlock: new RegExp(`^${ids.blocks.browsePrefix}p\\d+_v\\d+$`),
  pasteBlock: pasteBlockId.pattern,
  selectBy: selectByBlockId.pattern,
  selectedPage: pagingPattern(ids.actions.selectedPage),
  holdersPage: pagingPattern(ids.actions.holdersPage),
  previewUsers: previewUsersActionId.pattern,
  previewUsersPage: pagingPattern(ids.actions.previewUsersPage),
  approve: approveActionId.pattern,
  reject: rejectActionId.pattern,
  viewRevokeList: viewRevokeListActionId.pattern,
} as const;
