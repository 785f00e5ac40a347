/**
 * LicenseProvider over Microsoft Graph v1.0 (reference §1): app-only tokens per customer tenant,
 * users through $search/$filter with @odata.nextLink paging, products from /subscribedSkus and
 * changes through one POST /users/{id}/assignLicense per user.
 */
import { z } from 'zod';
import type { LicensingRules } from '../../licensing/eligibility.js';
import type { Customer, Product, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import {
  compareUsers,
  type LicenseProvider,
  LicenseProviderError,
  type UserFilter,
  type UserFilterKind,
  type UserPage,
  type UserQuery,
} from '../license-provider.js';
import { MICROSOFT_PLAN_RULES } from '../microsoft-plan-rules.js';
import type { RemoteProviderOptions } from '../remote-provider-options.js';
import { ChangeFailures } from './change-failures.js';
import type { CustomerDirectory } from './customer-directory.js';
import { DirectoryFacts } from './directory-facts.js';
import type { GraphAuth } from './graph-auth.js';
import { GraphClient } from './graph-client.js';
import { classifyGraphError } from './graph-errors.js';
import { assignLicenseBody, toHoldings, toProduct, toTenantUser, unique } from './graph-mapping.js';
import { GraphSubscribedSkus, type GraphUser } from './graph-wire.js';
import { GRAPH_USER_FILTERS, userIdsWhere } from './user-filter.js';
import { UserSearches } from './user-search.js';

export interface GraphProviderOptions extends RemoteProviderOptions {
  auth: GraphAuth;
  customers: CustomerDirectory;
  /** How long a search's fetched pages and next link are reused for paging. */
  searchCacheMs?: number;
  /** How many searches are kept for paging (the least recently used go first). */
  searchCacheMax?: number;
  /** How long a customer's user count and subscription dates are reused (default 5 min). */
  factsCacheMs?: number;
  /** How long a customer search waits for user counts not known yet (default 800 ms). */
  countBudgetMs?: number;
}

export class GraphProvider implements LicenseProvider {
  readonly kind = 'graph' as const;
  readonly userFilters: readonly UserFilterKind[] = GRAPH_USER_FILTERS;
  private readonly client: GraphClient;
  private readonly searches: UserSearches;
  private readonly failures: ChangeFailures;
  private readonly facts: DirectoryFacts;

  constructor(private readonly options: GraphProviderOptions) {
    this.client = new GraphClient({
      auth: options.auth,
      baseUrl: options.baseUrl,
      ...(options.http ? { http: options.http } : {}),
      ...(options.readConcurrency === undefined ? {} : { readConcurrency: options.readConcurrency }),
    });
    this.searches = new UserSearches(this.client, {
      pageSize: options.pageSize ?? 200,
      ttlMs: options.searchCacheMs ?? 60_000,
      // A typeahead makes one search per keystroke; each keeps the pages it fetched (200 users each).
      max: options.searchCacheMax ?? 100,
      ...(options.now ? { now: options.now } : {}),
    });
    this.failures = new ChangeFailures(this.client);
    this.facts = new DirectoryFacts(this.client, {
      ...(options.factsCacheMs === undefined ? {} : { ttlMs: options.factsCacheMs }),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** The directory's customers, each with its user count when Graph tells it in time (/users/$count). */
  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    const customers = await this.options.customers.searchCustomers(query, limit);
    const counts = await this.facts.userCounts(
      customers.map((c) => c.tenantId),
      this.options.countBudgetMs ?? 800,
    );
    return customers.map((c) => {
      const userCount = counts.get(c.tenantId);
      return userCount === undefined ? c : { ...c, userCount };
    });
  }

  getCustomer(customerId: string): Promise<Customer | null> {
    return this.options.customers.getCustomer(customerId);
  }

  /** Microsoft's documented plan rules (microsoft-plan-rules.ts): the same for every customer. */
  async licensingRules(): Promise<LicensingRules> {
    return MICROSOFT_PLAN_RULES;
  }

  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    return this.searches.page(await this.tenantOf(customerId), query);
  }

  async listUserIds(customerId: string, filter: UserFilter): Promise<string[]> {
    return userIdsWhere(this.client, await this.tenantOf(customerId), filter);
  }

  async getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    const tenantId = await this.tenantOf(customerId);
    const users = await this.client.usersWhere(tenantId, 'id', unique(userIds));
    return users.map(toTenantUser).sort(compareUsers);
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    const tenantId = await this.tenantOf(customerId);
    const wanted = unique(emails.map((e) => e.trim()).filter((e) => e.length > 0));
    const byUpn = await this.client.usersWhere(tenantId, 'userPrincipalName', wanted);
    const matched = (users: GraphUser[], email: string) =>
      users.some(
        (u) =>
          u.userPrincipalName?.toLowerCase() === email.toLowerCase() ||
          u.mail?.toLowerCase() === email.toLowerCase(),
      );
    const rest = wanted.filter((e) => !matched(byUpn, e));
    const byMail = rest.length > 0 ? await this.client.usersWhere(tenantId, 'mail', rest) : [];
    const all = new Map<string, GraphUser>();
    for (const user of [...byUpn, ...byMail]) all.set(user.id, user);
    const users = [...all.values()];
    return {
      found: users.map(toTenantUser).sort(compareUsers),
      notFound: emails.filter((e) => e.trim().length > 0 && !matched(users, e.trim())),
    };
  }

  async listProducts(customerId: string): Promise<Product[]> {
    const tenantId = await this.tenantOf(customerId);
    const [body, dates] = await Promise.all([
      this.client.read(tenantId, '/subscribedSkus', GraphSubscribedSkus),
      this.facts.lifecycleDates(tenantId),
    ]);
    this.failures.learnProducts(tenantId, body.value);
    const products = body.value.flatMap((sku) => {
      const product = toProduct(sku);
      const nextLifecycleDate = product && dates.get(product.skuId);
      if (product && nextLifecycleDate) return [{ ...product, nextLifecycleDate }];
      return product ? [product] : [];
    });
    return products.sort((a, b) => a.name.localeCompare(b.name) || a.skuId.localeCompare(b.skuId));
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    const tenantId = await this.tenantOf(customerId);
    const users = await this.client.usersWhere(tenantId, 'id', unique(userIds));
    return new Map(users.map((user) => [user.id, toHoldings(user)]));
  }

  async applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void> {
    const tenantId = await this.tenantOf(customerId);
    try {
      await this.client.post(
        tenantId,
        `/users/${encodeURIComponent(userId)}/assignLicense`,
        assignLicenseBody(change),
        z.unknown(),
      );
    } catch (error) {
      throw await this.failures.toError(tenantId, userId, change, classifyGraphError(error), error);
    }
  }

  private async tenantOf(customerId: string): Promise<string> {
    const customer = await this.options.customers.getCustomer(customerId);
    if (!customer) throw new LicenseProviderError('provider_error', `Graph: unknown customer ${customerId}`);
    return customer.tenantId;
  }
}
