/**
 * Partner Center's customers and each customer's users, kept for a while: Partner Center has
 * no user search, so a customer's whole user list is fetched once and searched here, and customer
 * ids met in a search are resolved without asking again.
 */
import type { Customer, TenantUser } from '../../licensing/model.js';
import { HttpError } from '../http.js';
import { compareUsers, LicenseProviderError } from '../license-provider.js';
import type { PcClient } from './pc-client.js';
import { toCustomer, toTenantUser } from './pc-mapping.js';
import { PcCustomer, PcUser, pcCollection } from './pc-wire.js';

export interface PcDirectoryOptions {
  /** How long a customer's user list is reused for searching and paging. */
  usersCacheMs: number;
  /** How long the customer list entries are reused to resolve ids. */
  customersCacheMs: number;
  /** Page size asked of Partner Center for users and customers. */
  pageSize: number;
  now: () => number;
}

export interface UserList {
  /** In the port's order. */
  users: TenantUser[];
  byId: Map<string, TenantUser>;
  expiresAt: number;
}

const CustomerPage = pcCollection(PcCustomer);
const UserPageWire = pcCollection(PcUser);

export class PcDirectory {
  private readonly customers = new Map<string, { customer: Customer; expiresAt: number }>();
  private readonly userLists = new Map<string, Promise<UserList>>();
  /** The size of each user list fetched, while it is fresh: Partner Center has no user count. */
  private readonly counts = new Map<string, { count: number; expiresAt: number }>();

  constructor(
    private readonly client: PcClient,
    private readonly options: PcDirectoryOptions,
  ) {}

  /** Customers whose company name or domain starts with the query (Partner Center's starts_with). */
  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    const q = query.trim();
    const size = Math.min(Math.max(limit, 1), this.options.pageSize);
    const urls =
      q === ''
        ? [this.client.url(`customers?size=${size}`)]
        : ['CompanyName', 'Domain'].map((field) =>
            this.client.url(
              `customers?size=${size}&filter=${encodeURIComponent(
                JSON.stringify({ Field: field, Value: q, Operator: 'starts_with' }),
              )}`,
            ),
          );
    const lists = await Promise.all(urls.map((url) => this.client.collect(url, CustomerPage, limit)));
    const found = new Map<string, Customer>();
    for (const item of lists.flat()) {
      const customer = this.remember(toCustomer(item));
      found.set(customer.id, customer);
    }
    return [...found.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .slice(0, limit);
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    const cached = this.customers.get(customerId);
    if (cached && cached.expiresAt > this.options.now()) return cached.customer;
    try {
      return this.remember(
        toCustomer(await this.client.read(this.client.customerUrl(customerId), PcCustomer)),
      );
    } catch (error) {
      if (
        error instanceof LicenseProviderError &&
        error.cause instanceof HttpError &&
        error.cause.status === 404
      ) {
        return null;
      }
      throw error;
    }
  }

  /** The customer's users, from the cache unless it expired or `refresh` is asked. */
  userList(customerId: string, refresh = false): Promise<UserList> {
    const cached = this.userLists.get(customerId);
    if (cached && !refresh) {
      return cached.then((list) =>
        list.expiresAt > this.options.now() ? list : this.userList(customerId, true),
      );
    }
    const loading = this.client
      .collect(
        this.client.customerUrl(customerId, `/users?size=${this.options.pageSize}`),
        UserPageWire,
        Number.POSITIVE_INFINITY,
      )
      .then((items) => {
        const users = items.map(toTenantUser).sort(compareUsers);
        const expiresAt = this.options.now() + this.options.usersCacheMs;
        this.counts.set(customerId, { count: users.length, expiresAt });
        return {
          users,
          byId: new Map(users.map((u) => [u.id, u])),
          expiresAt: this.options.now() + this.options.usersCacheMs,
        };
      });
    this.userLists.set(customerId, loading);
    loading.catch(() => this.userLists.delete(customerId));
    return loading;
  }

  /** How many users the customer has, when its user list was fetched and is still fresh; no call. */
  knownUserCount(customerId: string): number | undefined {
    const known = this.counts.get(customerId);
    return known && known.expiresAt > this.options.now() ? known.count : undefined;
  }

  private remember(customer: Customer): Customer {
    this.customers.set(customer.id, {
      customer,
      expiresAt: this.options.now() + this.options.customersCacheMs,
    });
    return customer;
  }
}
