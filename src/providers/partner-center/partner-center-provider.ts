/**
 * LicenseProvider over the Partner Center REST API (reference §2): App+User token, customers
 * with starts_with filters and continuation paging, users, Group1 subscribed SKUs, per-user
 * licences and one POST …/licenseupdates per user change.
 */
import type { LicensingRules } from '../../licensing/eligibility.js';
import type { Customer, Product, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import { mapLimited } from '../http.js';
import {
  compareUsers,
  type LicenseProvider,
  LicenseProviderError,
  type UserChangeOutcome,
  type UserPage,
  type UserQuery,
} from '../license-provider.js';
import { MICROSOFT_PLAN_RULES } from '../microsoft-plan-rules.js';
import type { RemoteProviderOptions } from '../remote-provider-options.js';
import { LicenseUpdates } from './license-updates.js';
import type { PartnerCenterAuth } from './pc-auth.js';
import { PcClient } from './pc-client.js';
import { PcDirectory } from './pc-directory.js';
import { plansOfSkus, toProduct, toUserLicense } from './pc-mapping.js';
import { PcSubscriptionDates } from './pc-subscriptions.js';
import {
  PcLicense,
  type PcSubscribedSku,
  PcSubscribedSku as PcSubscribedSkuSchema,
  pcCollection,
} from './pc-wire.js';

export interface PartnerCenterProviderOptions extends RemoteProviderOptions {
  auth: PartnerCenterAuth;
  /** How long a customer's user list is reused for searching and paging. */
  usersCacheMs?: number;
  /** How long the customer list entries are reused to resolve ids. */
  customersCacheMs?: number;
  /** How long a customer's subscription end dates are reused (default 5 min). */
  subscriptionsCacheMs?: number;
}

const SkuPage = pcCollection(PcSubscribedSkuSchema);
const LicensePage = pcCollection(PcLicense);

export class PartnerCenterProvider implements LicenseProvider {
  readonly kind = 'partner-center' as const;
  private readonly client: PcClient;
  private readonly directory: PcDirectory;
  private readonly updates: LicenseUpdates;
  private readonly subscriptionDates: PcSubscriptionDates;
  private readonly readConcurrency: number;

  constructor(options: PartnerCenterProviderOptions) {
    this.client = new PcClient({
      auth: options.auth,
      baseUrl: options.baseUrl,
      ...(options.http ? { http: options.http } : {}),
    });
    const now = options.now ?? Date.now;
    this.directory = new PcDirectory(this.client, {
      usersCacheMs: options.usersCacheMs ?? 60_000,
      customersCacheMs: options.customersCacheMs ?? 10 * 60_000,
      pageSize: options.pageSize ?? 500,
      now,
    });
    this.updates = new LicenseUpdates(this.client, now);
    this.readConcurrency = options.readConcurrency ?? 4;
    this.subscriptionDates = new PcSubscriptionDates(this.client, {
      ttlMs: options.subscriptionsCacheMs ?? 5 * 60_000,
      now,
      readConcurrency: this.readConcurrency,
    });
  }

  /**
   * Customers, each with its user count when its user list is at hand: Partner Center counts no
   * users, and fetching every customer's list for a typeahead would cost too much.
   */
  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    const customers = await this.directory.searchCustomers(query, limit);
    return customers.map((c) => {
      const userCount = this.directory.knownUserCount(c.id);
      return userCount === undefined ? c : { ...c, userCount };
    });
  }

  getCustomer(customerId: string): Promise<Customer | null> {
    return this.directory.getCustomer(customerId);
  }

  /** Microsoft's documented plan rules (microsoft-plan-rules.ts): the same for every customer. */
  async licensingRules(): Promise<LicensingRules> {
    return MICROSOFT_PLAN_RULES;
  }

  /** A word of the display name, or the e-mail, starts with the query (Partner Center has no user search). */
  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    const list = await this.directory.userList(customerId);
    const q = query.query.trim().toLowerCase();
    const matching =
      q === ''
        ? list.users
        : list.users.filter(
            (u) =>
              u.displayName.toLowerCase().startsWith(q) ||
              u.displayName
                .toLowerCase()
                .split(/\s+/)
                .some((word) => word.startsWith(q)) ||
              u.email.toLowerCase().startsWith(q),
          );
    return { users: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }

  async getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    let list = await this.directory.userList(customerId);
    if (userIds.some((id) => !list.byId.has(id))) list = await this.directory.userList(customerId, true);
    return [...new Set(userIds)]
      .flatMap((id) => {
        const user = list.byId.get(id);
        return user ? [user] : [];
      })
      .sort(compareUsers);
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    const list = await this.directory.userList(customerId);
    const byEmail = new Map(list.users.map((u) => [u.email.toLowerCase(), u]));
    const found = new Map<string, TenantUser>();
    const notFound: string[] = [];
    for (const email of emails) {
      if (email.trim() === '') continue;
      const user = byEmail.get(email.trim().toLowerCase());
      if (user) found.set(user.id, user);
      else notFound.push(email);
    }
    return { found: [...found.values()].sort(compareUsers), notFound };
  }

  /** The Group1 SKUs, each dated by its subscription's commitment end date when Partner Center tells it. */
  async listProducts(customerId: string): Promise<Product[]> {
    const [skus, dates] = await Promise.all([
      this.skus(customerId),
      this.subscriptionDates.forCustomer(customerId),
    ]);
    return skus
      .flatMap((sku) => {
        const product = toProduct(sku);
        const nextLifecycleDate = product && dates.get(product.skuId);
        if (product && nextLifecycleDate) return [{ ...product, nextLifecycleDate }];
        return product ? [product] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.skuId.localeCompare(b.skuId));
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    const plansOf = plansOfSkus(await this.skus(customerId));
    const answers = await mapLimited([...new Set(userIds)], this.readConcurrency, async (userId) => {
      try {
        const url = this.client.customerUrl(
          customerId,
          `/users/${encodeURIComponent(userId)}/licenses?licenseGroupIds=Group1`,
        );
        const licenses = await this.client.collect(url, LicensePage, Number.POSITIVE_INFINITY);
        return [userId, licenses.map((license) => toUserLicense(license, plansOf))] as const;
      } catch (error) {
        if (error instanceof LicenseProviderError && error.reason === 'user_not_found') return null;
        throw error;
      }
    });
    return new Map(answers.flatMap((answer) => (answer ? [answer] : [])));
  }

  applyUserChange(
    customerId: string,
    userId: string,
    change: UserChange,
  ): Promise<UserChangeOutcome | undefined> {
    return this.updates.apply(customerId, userId, change);
  }

  private skus(customerId: string): Promise<PcSubscribedSku[]> {
    // Only Group1 (Entra-managed) SKUs are listed, so a change can never mix licence groups.
    return this.client.collect(
      this.client.customerUrl(customerId, '/subscribedskus?licenseGroupIds=Group1'),
      SkuPage,
      Number.POSITIVE_INFINITY,
    );
  }
}
