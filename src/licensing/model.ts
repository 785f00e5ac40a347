/**
 * The licensing domain: plain data shared by the service module, the providers, the store and
 * the Slack layer. Everything that crosses a boundary has a zod schema here; types are inferred.
 */
import { z } from 'zod';
import { Operation, Outcome } from './operation.js';
import { Verification } from './verification-schema.js';

/** The closed set of per-user, per-product failure reasons (DESIGN.md §5). */
export const FailureReason = z.enum([
  'insufficient_licenses',
  'usage_location_missing',
  'usage_location_not_allowed',
  'missing_prerequisite',
  'mutually_exclusive',
  'inherited_from_group',
  'user_not_found',
  'throttled',
  'provider_error',
]);
export type FailureReason = z.infer<typeof FailureReason>;

/** One plain-language sentence per failure reason, shown to operators. */
export const failureMessages: Record<FailureReason, string> = {
  insufficient_licenses: 'No license of this product is left to assign.',
  usage_location_missing: 'The user has no usage location, which licensing requires.',
  usage_location_not_allowed: "The product is not available in the user's country.",
  missing_prerequisite: 'The product needs another product the user does not have (or one that must stay).',
  mutually_exclusive: 'The product cannot be combined with a product the user already has.',
  inherited_from_group:
    'The license comes from a group membership and cannot be removed from the user directly.',
  user_not_found: 'The user no longer exists in the customer tenant.',
  throttled: 'The licensing service kept throttling the request; try again later.',
  provider_error: 'The licensing service refused the change.',
};

export const Customer = z.object({
  id: z.string().min(1),
  /** The customer's Entra tenant id; the executor paces writes per tenant. */
  tenantId: z.string().min(1),
  name: z.string().min(1),
  domain: z.string().optional(),
  /** How many users the customer's directory holds, when the provider knows it cheaply. */
  userCount: z.number().int().nonnegative().optional(),
});
export type Customer = z.infer<typeof Customer>;

export const TenantUser = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  /** User principal name / e-mail. */
  email: z.string(),
  /** ISO 3166 alpha-2, or null when the directory has none. */
  usageLocation: z.string().length(2).nullable(),
});
export type TenantUser = z.infer<typeof TenantUser>;

export const ServicePlan = z.object({
  id: z.string().min(1),
  name: z.string(),
  friendlyName: z.string().optional(),
});
export type ServicePlan = z.infer<typeof ServicePlan>;

export const ProductStatus = z.enum(['enabled', 'warning', 'suspended']);
export type ProductStatus = z.infer<typeof ProductStatus>;

export const Product = z.object({
  skuId: z.string().min(1),
  partNumber: z.string(),
  name: z.string(),
  status: ProductStatus,
  /** Purchased units that can be assigned (enabled + warning). */
  total: z.number().int().nonnegative(),
  consumed: z.number().int().nonnegative(),
  /** max(0, total - consumed); 0 for a suspended product. */
  available: z.number().int().nonnegative(),
  servicePlans: z.array(ServicePlan),
  /**
   * When the subscription next changes state (ISO 8601), e.g. the day a product in warning
   * expires; absent when the provider does not tell it.
   */
  nextLifecycleDate: z.string().datetime({ offset: true }).optional(),
});
export type Product = z.infer<typeof Product>;

/** A product a user holds, directly and/or through groups. */
export const UserLicense = z.object({
  skuId: z.string().min(1),
  /** Disabled plans of the direct assignment (or of the group one when only inherited). */
  disabledPlans: z.array(z.string()),
  direct: z.boolean(),
  viaGroups: z.array(z.string()),
});
export type UserLicense = z.infer<typeof UserLicense>;

/**
 * A user's licenses of the products a run was about to change, read before it changed any of
 * them (a product absent from `licenses` was not held): what an undo restores.
 */
export const PriorState = z.object({
  userId: z.string().min(1),
  licenses: z.array(UserLicense),
});
export type PriorState = z.infer<typeof PriorState>;

/** What the operator asked for one product. `disabledPlans: null` keeps a holder's current plans. */
export const AssignChoice = z.object({
  skuId: z.string().min(1),
  disabledPlans: z.array(z.string()).nullable(),
});
export type AssignChoice = z.infer<typeof AssignChoice>;

/** One user's change as sent to a provider: a single all-or-nothing call. */
export const UserChange = z.object({
  assign: z.array(z.object({ skuId: z.string().min(1), disabledPlans: z.array(z.string()) })),
  revoke: z.array(z.string().min(1)),
});
export type UserChange = z.infer<typeof UserChange>;

export { Mismatch, TenantFinding, Verification } from './verification-schema.js';
export { Operation, Outcome };

/** A product named in a failure's explanation. */
export const NamedProduct = z.object({ skuId: z.string().min(1), name: z.string() });
export type NamedProduct = z.infer<typeof NamedProduct>;

/**
 * What blocked a refused part, in words-ready form (names only, read from the customer's catalogue
 * when the refusal named service plans): `conflict`, the products it cannot be combined with;
 * `needs`, the plans it needs (any of) and the products that include them; `needed_by`, the
 * products the user holds that need what it takes away; `country`, the plans not sold where the
 * user is.
 */
export const FailureExplanation = z.object({
  kind: z.enum(['conflict', 'needs', 'needed_by', 'country']),
  products: z.array(NamedProduct),
  /** True when the user holds `products`; false for products of the same request or that would provide what is missing. */
  held: z.boolean(),
  /** Friendly names of the service plans concerned (`needs`, `needed_by`: the plans needed; `country`: those not sold there). */
  plans: z.array(z.string()),
  /** The user's usage location (`country`). */
  country: z.string().optional(),
});
export type FailureExplanation = z.infer<typeof FailureExplanation>;

/** The result for one user and one product. */
export const ItemResult = z.object({
  userId: z.string(),
  skuId: z.string(),
  op: Operation,
  outcome: Outcome,
  reason: FailureReason.optional(),
  /** The provider's own words for a failure, when it gave any (CSV and log only: it may name plan ids). */
  detail: z.string().optional(),
  /** What blocked a failure, named, when the provider's words could be translated. */
  blockedBy: FailureExplanation.optional(),
  /** The provider's remark on a change it applied (Partner Center's licenseWarnings). */
  note: z.string().optional(),
  /** A no-op of an undo: the user's license changed since the request it undoes, so it was left as it is. */
  changedSince: z.literal(true).optional(),
  at: z.string(),
});
export type ItemResult = z.infer<typeof ItemResult>;

/** "Replace `from` with `to`": `to` assigned and `from` revoked in one call (never split). */
export const Replacement = z.object({ from: z.string().min(1), to: z.string().min(1) });
export type Replacement = z.infer<typeof Replacement>;

/** One user's part of a request, as planned. */
export const ChangeItem = z.object({
  userId: z.string(),
  displayName: z.string(),
  email: z.string(),
  change: UserChange,
  /** Parts known to be no-ops when planned (already held / not held). */
  noops: z.array(z.object({ skuId: z.string(), op: Operation, changedSince: z.literal(true).optional() })),
  /**
   * Of `change.assign`, the products the user already holds directly and keeps, re-assigned with
   * other disabled plans: a plan change, not a new license. Absent in requests stored before it.
   */
  planChanges: z.array(z.string()).optional(),
  /**
   * For each product of `planChanges`, the names of the plans the change turns off, as the
   * customer's catalogue named them when planned (friendly name first): the summary, the thread and
   * the CSV name a plan change without reading the catalogue again, and no plan id reaches a
   * person. Absent in requests stored before it (they say "change plans").
   */
  plansOff: z.record(z.string(), z.array(z.string())).optional(),
  /** This user's replacements: `to` in `change.assign`, `from` in `change.revoke` (plan-replace.ts). */
  replaces: z.array(Replacement).optional(),
  /**
   * An undo's parts: each product's license as the request it undoes left it (its disabled plans
   * when held directly, null when not held directly). At run time a part whose product the user
   * holds otherwise was changed since, and is left as it is (a no-op), never clobbered.
   */
  asLeft: z.record(z.string(), z.object({ disabledPlans: z.array(z.string()) }).nullable()).optional(),
});
export type ChangeItem = z.infer<typeof ChangeItem>;

export const RequestStatus = z.enum([
  'pending_approval',
  'approved',
  'rejected',
  'expired',
  'running',
  'completed',
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

/** Why a request needs (or does not need) approval, as the policy counted it at submit time. */
export const ApprovalBasis = z.object({
  /** Users × products revoked. */
  revocations: z.number().int().nonnegative(),
  /** Users × products whose enabled service plans shrink (re-assigned with plans turned off). */
  planRemovals: z.number().int().nonnegative(),
  /** This request's own count: revocations + plan removals. */
  own: z.number().int().nonnegative(),
  /** The same operator's earlier requests on this customer in the window that count. */
  earlierRequests: z.number().int().nonnegative(),
  earlierRevocations: z.number().int().nonnegative(),
  /** own + earlierRevocations. */
  total: z.number().int().nonnegative(),
  threshold: z.number().int().positive(),
  windowHours: z.number().positive(),
  needsApproval: z.boolean(),
});
export type ApprovalBasis = z.infer<typeof ApprovalBasis>;

/** Where a request reports (the Slack layer fills it; the service only carries it). */
export const ReportTarget = z.object({
  channel: z.string(),
  ts: z.string().optional(),
  /**
   * Runs on several replicas: how many of the run's closing posts are made (the approval thread's
   * outcome, then the thread's messages and CSV), so a finisher that takes over continues after them.
   */
  posted: z.number().int().nonnegative().optional(),
});
export type ReportTarget = z.infer<typeof ReportTarget>;

/** What a follow-up request does to the request it is made from: sends its failed parts again, or undoes it. */
export const FollowUpKind = z.enum(['retry', 'undo']);
export type FollowUpKind = z.infer<typeof FollowUpKind>;

/** The earlier request a follow-up is made from. */
export const FollowUpOf = z.object({
  kind: FollowUpKind,
  requestId: z.string().min(1),
  /** Permalink of the earlier request's summary message, when the Slack layer got one (the service only carries it). */
  summaryLink: z.string().min(1).optional(),
});
export type FollowUpOf = z.infer<typeof FollowUpOf>;

export const ChangeRequest = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  tenantId: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  status: RequestStatus,
  reason: z.string().optional(),
  products: z.array(z.object({ skuId: z.string(), name: z.string() })),
  /** The replacements asked for, whoever they apply to (the surfaces word them as one change). */
  replacements: z.array(Replacement).optional(),
  items: z.array(ChangeItem),
  /** Results keyed by `resultKey` (result-key.ts); present once that part has landed. */
  results: z.record(z.string(), ItemResult),
  report: ReportTarget.optional(),
  /** The modal draft it was submitted from: a retried delivery of that submission finds it. */
  draftId: z.string().optional(),
  /** Revocations as the approval policy counted them when it was submitted (plan removals included). */
  revocations: z.number().int().nonnegative().optional(),
  /** True when it went through (or waits for) a manager's approval. */
  approvalRequired: z.boolean().optional(),
  /** What the approval decision was based on. */
  approvalBasis: ApprovalBasis.optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** The results checked against the tenant after the run, saved before anyone is told of it. */
  verification: Verification.optional(),
  /** Set on a follow-up (a retry of the failed parts, an undo): the request it was made from. */
  followUpOf: FollowUpOf.optional(),
});
export type ChangeRequest = z.infer<typeof ChangeRequest>;

/** A request without its per-user items and results: what listings and the approval window read. */
export const RequestHeader = ChangeRequest.omit({ items: true, results: true });
export type RequestHeader = z.infer<typeof RequestHeader>;

/** Counts over a request's results. */
export interface RunCounts {
  total: number;
  done: number;
  success: number;
  noop: number;
  failed: number;
}
