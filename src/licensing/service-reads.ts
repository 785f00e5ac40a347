/**
 * The façade's reads of the tenant as it is (customers, users, products), for the modal's steps:
 * straight from the LicenseProvider, no plan and no store. LicensingService extends it.
 */
import type { LicenseProvider, UserFilter, UserPage, UserQuery } from '../providers/license-provider.js';
import type { Customer, TenantUser } from './model.js';
import { UserCache } from './user-cache.js';

/** How long the views reuse a user read from the directory (names and e-mails change rarely). */
const USER_CACHE_MS = 30_000;

export class TenantReads {
  readonly #provider: LicenseProvider;
  readonly #users = new UserCache({ ttlMs: USER_CACHE_MS, max: 50_000 });

  constructor(provider: LicenseProvider) {
    this.#provider = provider;
  }

  searchCustomers(query: string, limit: number): Promise<Customer[]> {
    return this.#provider.searchCustomers(query, limit);
  }

  getCustomer(customerId: string): Promise<Customer | null> {
    return this.#provider.getCustomer(customerId);
  }

  searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    return this.#provider.searchUsers(customerId, query);
  }

  /** Users by id for the views: a user read in the last USER_CACHE_MS is not read again (user-cache.ts). */
  getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    return this.#users.get(customerId, userIds, (missing) => this.#provider.getUsers(customerId, missing));
  }

  /** The filters the backend can select users by (none: the users step offers none). */
  userFilters(): NonNullable<LicenseProvider['userFilters']> {
    return this.#provider.listUserIds ? (this.#provider.userFilters ?? []) : [];
  }

  /** Ids of the customer's users the filter matches; [] where the backend has no such filter. */
  async listUserIds(customerId: string, filter: UserFilter): Promise<string[]> {
    return (await this.#provider.listUserIds?.(customerId, filter)) ?? [];
  }

  listProducts(customerId: string): ReturnType<LicenseProvider['listProducts']> {
    return this.#provider.listProducts(customerId);
  }

  findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    return this.#provider.findUsersByEmail(customerId, emails);
  }
}
