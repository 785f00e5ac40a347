/** The versioned shape of the store file, parsed with zod on every read. */
import { z } from 'zod';
import { ChangeRequest } from '../licensing/model.js';

export const STORE_SCHEMA_VERSION = 1;

/**
 * The state of one open modal flow, kept server-side (private_metadata only carries its id).
 * Flow fields default to an empty flow, so a new draft needs only its owner and channel.
 */
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
  /** Root view of the modal, so pushed views can refresh it. */
  rootViewId: z.string().nullable().default(null),
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
  actor: z.string(),
  action: z.string(),
  requestId: z.string().optional(),
  outcome: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const StoreFile = z.object({
  version: z.literal(STORE_SCHEMA_VERSION),
  drafts: z.record(z.string(), Draft),
  requests: z.record(z.string(), ChangeRequest),
  approvals: z.record(z.string(), Approval),
  audit: z.array(AuditEntry),
});
export type StoreFile = z.infer<typeof StoreFile>;

export function emptyStoreFile(): StoreFile {
  return { version: STORE_SCHEMA_VERSION, drafts: {}, requests: {}, approvals: {}, audit: [] };
}
