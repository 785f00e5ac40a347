/**
 * The port every licensing backend implements (demo tenant, Microsoft Graph, Partner Center).
 * Methods speak the domain model; adapters translate wire formats and map errors to a
 * FailureReason. Users are always returned in a stable order: display name, then id.
 */
import type { LicensingRules } from '../licensing/eligibility.js';
import type {
  Customer,
  FailureReason,
  Product,
  TenantUser,
  UserChange,
  UserLicense,
} from '../licensing/model.js';

export interface UserPage {
  users: TenantUser[];
  /** Users matching the query across all pages. */
  total: number;
}

export interface UserQuery {
  /** Prefix of the display name (any word) or of the e-mail; empty lists everyone. */
  query: string;
  offset: number;
  limit: number;
}

/**
 * Who to add to a selection by what they hold: holders of a product (directly or through a
 * group, as Graph's assignedLicenses counts them), users who hold nothing, users without a usage
 * location.
 */
export type UserFilter = { holds: string } | { holdsNothing: true } | { noUsageLocation: true };
export type UserFilterKind = 'holds' | 'holdsNothing' | 'noUsageLocation';

export function userFilterKind(filter: UserFilter): UserFilterKind {
  if ('holds' in filter) return 'holds';
  return 'holdsNothing' in filter ? 'holdsNothing' : 'noUsageLocation';
}

/** What a backend said about a change it applied (Partner Center's licenseWarnings). */
export interface UserChangeOutcome {
  /** One plain line per warning, for the per-user result's note. */
  warnings: string[];
}

export interface LicenseProvider {
  readonly kind: 'demo' | 'graph' | 'partner-center';
  /** Customers whose name (or domain) starts with the query, case-insensitive; empty lists the first ones. */
  searchCustomers(query: string, limit: number): Promise<Customer[]>;
  getCustomer(customerId: string): Promise<Customer | null>;
  searchUsers(customerId: string, query: UserQuery): Promise<UserPage>;
  /** Users by id; unknown ids are left out. */
  getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]>;
  /** Users by exact e-mail (case-insensitive); the e-mails not found are returned as they were given. */
  findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }>;
  /** Every user-assignable product the customer owns, with counts and service plans. */
  listProducts(customerId: string): Promise<Product[]>;
  /** For each given user id (found ones only), the products they hold. */
  getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>>;
  /** The filters listUserIds answers; absent or empty: none (the users step offers none). */
  readonly userFilters?: readonly UserFilterKind[];
  /**
   * Ids of every user of the customer the filter matches (any order). Only for the kinds in
   * `userFilters`; others are refused with a LicenseProviderError.
   */
  listUserIds?(customerId: string, filter: UserFilter): Promise<string[]>;
  /**
   * The licensing rules the backend enforces and knows ahead (plan dependencies, exclusions,
   * country limits by service-plan id), so a change can be predicted before it is sent. Absent:
   * none known (only usage locations and seats are predicted).
   */
  licensingRules?(customerId: string): Promise<LicensingRules>;
  /**
   * Applies one user's change as a single all-or-nothing call, like Graph's assignLicense.
   * Throws LicenseProviderError when refused. May resolve with warnings about an applied change.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: void keeps every Promise<void> adapter valid; only some report an outcome.
  applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void | UserChangeOutcome>;
}

/** The port's order of users: display name, then id. */
export function compareUsers(a: TenantUser, b: TenantUser): number {
  return a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id);
}

export interface LicenseProviderErrorOptions {
  /** Throttling, 5xx and time-outs: worth retrying. */
  transient?: boolean;
  /** Server-requested delay before retrying (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** The SKU the failure is about, when the backend names it. */
  skuId?: string;
  cause?: unknown;
}

/** A refusal or failure of the backend, carrying a stable failure reason. */
export class LicenseProviderError extends Error {
  readonly reason: FailureReason;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  readonly skuId: string | undefined;

  constructor(reason: FailureReason, message: string, options: LicenseProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LicenseProviderError';
    this.reason = reason;
    this.transient = options.transient ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.skuId = options.skuId;
  }
}

export function isLicenseProviderError(error: unknown): error is LicenseProviderError {
  return error instanceof LicenseProviderError;
}
