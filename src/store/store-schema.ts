/**
 * The versioned shapes of the store's files, parsed with zod on every read and on every write.
 *
 * Layout 2 (in DATA_DIR): `licensedesk.json` holds what every write rewrites, and only that:
 * drafts, request headers and approvals. A request's items live in `requests/<id>.json`, written
 * once; its results in `requests/<id>.results.jsonl`, appended to; the audit log in
 * `audit.jsonl`, appended to. Layout 1 kept everything in the main file; it is migrated when opened.
 */
import { z } from 'zod';
import { ChangeItem, ChangeRequest, FollowUpOf, RequestHeader } from '../licensing/model.js';

export const STORE_SCHEMA_VERSION = 2;

/**
 * The state of one open modal flow, kept server-side (private_metadata only carries its id).
 * Flow fields default to an empty flow, so a new draft needs only its owner and channel.
 */
/** The "Replace A with B" products chosen in the manage step; a side left empty is absent. */
const ReplacePick = z.object({ from: z.string().optional(), to: z.string().optional() });

export const Draft = z.object({
  id: z.string(),
  /** Slack user id of the operator who opened it; nobody else may use it. */
  ownerId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Where `/licenses` ran; the summary message goes there. */
  channelId: z.string(),
  customerId: z.string().nullable().default(null),
  customerName: z.string().nullable().default(null),
  selectedUserIds: z.array(z.string()).default([]),
  /** E-mails pasted that matched no user, shown until the selection changes. */
  notFoundEmails: z.array(z.string()).default([]),
  /** Users step: current browser page (0-based) and its search text. */
  page: z.number().int().nonnegative().default(0),
  browseQuery: z.string().default(''),
  /** Manage-licenses step: service plans the operator turned off, per product (absent = unchanged). */
  disabledPlansBySku: z.record(z.string(), z.array(z.string())).default({}),
  /**
   * Manage-licenses step: the products last ticked to revoke. A pushed view (service plans)
   * re-renders the step without seeing its state, and the approval notice depends on these.
   * Defaulted, so files written before it existed still parse.
   */
  revokeSkuIds: z.array(z.string()).default([]),
  /** Manage-licenses step: the "Replace A with B" products last chosen, kept for the same reason. */
  replacePick: ReplacePick.default({}),
  /**
   * The change the manage step submitted and its preview shows, awaiting confirmation: the ticks,
   * the replacement, the reason and whether break-glass was ticked (re-checked against
   * configuration on confirm). The preview's submit reads it; Back restores it. Null until the
   * manage step is submitted.
   */
  previewed: z
    .object({
      assign: z.array(z.string()),
      revoke: z.array(z.string()),
      reason: z.string().nullable(),
      breakGlass: z.boolean(),
      /** The "Replace A with B" products chosen (defaulted: drafts saved before it still parse). */
      replace: ReplacePick.default({}),
    })
    .nullable()
    .default(null),
  /** Root view of the modal, so pushed views can refresh it. */
  rootViewId: z.string().nullable().default(null),
  /**
   * A follow-up's modal (retry, undo): the request it is made from. Its parts are derived again
   * from the stored request when it is submitted, never read from the view. The link is not kept.
   */
  followUp: FollowUpOf.omit({ summaryLink: true }).optional(),
});
export type Draft = z.infer<typeof Draft>;
/** What createDraft takes: the store sets the id and times, and fields with a default may be left out. */
export type NewDraft = Omit<z.input<typeof Draft>, 'id' | 'createdAt' | 'expiresAt'>;

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const Approval = z.object({
  requestId: z.string(),
  status: ApprovalStatus,
  requestedBy: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  decisionReason: z.string().optional(),
  /** The approval message in the approvals channel. */
  message: z.object({ channel: z.string(), ts: z.string() }).optional(),
});
export type Approval = z.infer<typeof Approval>;

export const AuditEntry = z.object({
  at: z.string(),
  /** Who did it: a Slack user id, or `system`. Never empty: an audit row must name someone. */
  actor: z.string().min(1),
  action: z.string(),
  requestId: z.string().optional(),
  outcome: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Layout 2's main file. Lists rather than objects keyed by id: an id such as `__proto__` stays data. */
export const StoreFileV2 = z.object({
  version: z.literal(2),
  drafts: z.array(Draft),
  requests: z.array(RequestHeader),
  approvals: z.array(Approval),
});
export type StoreFileV2 = z.infer<typeof StoreFileV2>;

/**
 * Layout 1's file, read only to be migrated. Its audit rows may lack an actor: a Slack payload
 * without `user.id` once stored such a row, which made the file unreadable; migration names it.
 */
export const StoreFileV1 = z.object({
  version: z.literal(1),
  drafts: z.record(z.string(), Draft),
  requests: z.record(z.string(), ChangeRequest),
  approvals: z.record(z.string(), Approval),
  audit: z.array(AuditEntry.extend({ actor: z.string().optional() })),
});
export type StoreFileV1 = z.infer<typeof StoreFileV1>;

/** Every version the store can open; it writes only the latest. */
export const StoreFile = z.discriminatedUnion('version', [StoreFileV1, StoreFileV2]);
export type StoreFile = z.infer<typeof StoreFile>;

export function emptyStoreFile(): StoreFileV2 {
  return { version: STORE_SCHEMA_VERSION, drafts: [], requests: [], approvals: [] };
}

/** `requests/<id>.json`: what a request holds besides its header, written once when it is saved. */
export const RequestBody = z.object({
  id: z.string(),
  items: z.array(ChangeItem),
});
export type RequestBody = z.infer<typeof RequestBody>;
