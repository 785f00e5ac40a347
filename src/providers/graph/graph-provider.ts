/**
 * LicenseProvider over Microsoft Graph v1.0 (reference §1): app-only tokens per customer tenant,
 * users through $search/$filter with @odata.nextLink paging, products from /subscribedSkus and
 * changes through one POST /users/{id}/assignLicense per user.
 */
import { z } from 'zod';
import type {
  Customer,
  Product,
  ProductStatus,
  TenantUser,
  UserChange,
  UserLicense,
} from '../../licensing/model.js';
import { HttpClient, type HttpClientOptions, HttpError, mapLimited, parseRetryAfter } from '../http.js';
import type { LicenseProvider, UserPage, UserQuery } from '../license-provider.js';
import { LicenseProviderError } from '../license-provider.js';
import { toProviderError } from '../provider-failure.js';
import type { CustomerDirectory } from './customer-directory.js';
import type { GraphAuth } from './graph-auth.js';
import { classifyGraphError, type GraphFailure } from './graph-errors.js';
import {
  GraphBatchResponse,
  type GraphSubscribedSku,
  GraphSubscribedSkus,
  type GraphUser,
  GraphUserPage,
  USER_SELECT,
} from './graph-wire.js';
import { planFriendlyName, productName } from './sku-names.js';

export interface GraphProviderOptions {
  auth: GraphAuth;
  customers: CustomerDirectory;
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  http?: Omit<HttpClientOptions, 'name'>;
  /** $top of user pages (Graph's maximum is 999). */
  pageSize?: number;
  /** How long a search's fetched pages and next link are reused for paging. */
  searchCacheMs?: number;
  /** Parallel reads when fetching users by id or e-mail. */
  readConcurrency?: number;
  now?: () => number;
}

/** One user's change inside a $batch call, and its outcome (null = applied). */
export interface BatchItem {
  userId: string;
  change: UserChange;
}

interface SearchEntry {
  users: TenantUser[];
  nextLink: string | undefined;
  total: number;
  expiresAt: number;
  lock: Promise<unknown>;
}

const ADVANCED = { ConsistencyLevel: 'eventual' };
/** Graph accepts at most 15 values in one `in (…)` filter. */
const IN_CHUNK = 15;
const BATCH_MAX = 20;

export class GraphProvider implements LicenseProvider {
  readonly kind = 'graph' as const;
  private readonly http: HttpClient;
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly searchCacheMs: number;
  private readonly readConcurrency: number;
  private readonly now: () => number;
  private readonly searches = new Map<string, SearchEntry>();
  /** servicePlanId → skuIds, per customer, from the last product listing. */
  private readonly planOwners = new Map<string, Map<string, string[]>>();

  constructor(private readonly options: GraphProviderOptions) {
    this.http = new HttpClient({ name: 'Graph', ...options.http });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? 200;
    this.searchCacheMs = options.searchCacheMs ?? 60_000;
    this.readConcurrency = options.readConcurrency ?? 4;
    this.now = options.now ?? Date.now;
  }

  searchCustomers(query: string, limit: number): Promise<Customer[]> {
    return this.options.customers.searchCustomers(query, limit);
  }

  getCustomer(customerId: string): Promise<Customer | null> {
    return this.options.customers.getCustomer(customerId);
  }

  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    const tenantId = await this.tenantOf(customerId);
    const term = query.query.replace(/["\\]/g, '').trim();
    const key = `${tenantId}\u0000${term.toLowerCase()}`;
    let entry = this.searches.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      entry = {
        users: [],
        nextLink: this.firstSearchUrl(term),
        total: 0,
        expiresAt: 0,
        lock: Promise.resolve(),
      };
      entry.expiresAt = this.now() + this.searchCacheMs;
      this.searches.set(key, entry);
      this.pruneSearches();
    }
    const want = query.offset + query.limit;
    const current = entry;
    // Concurrent pages of one search must follow the next links one after another.
    const work = current.lock.then(async () => {
      let first = current.users.length === 0 && current.total === 0;
      while ((first || current.users.length < want) && current.nextLink) {
        const page = await this.read(tenantId, current.nextLink, GraphUserPage, ADVANCED);
        if (first) current.total = page['@odata.count'] ?? 0;
        first = false;
        current.users.push(...page.value.map(toTenantUser));
        current.nextLink = page['@odata.nextLink'];
      }
      if (current.nextLink === undefined) current.total = Math.max(current.total, current.users.length);
    });
    current.lock = work.catch(() => undefined);
    try {
      await work;
    } catch (error) {
      this.searches.delete(key);
      throw error;
    }
    return { users: current.users.slice(query.offset, want), total: current.total };
  }

  async getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    const tenantId = await this.tenantOf(customerId);
    const users = await this.usersWhere(tenantId, 'id', unique(userIds));
    return sortUsers(users.map(toTenantUser));
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    const tenantId = await this.tenantOf(customerId);
    const wanted = unique(emails.map((e) => e.trim()).filter((e) => e.length > 0));
    const byUpn = await this.usersWhere(tenantId, 'userPrincipalName', wanted);
    const matched = (users: GraphUser[], email: string) =>
      users.some(
        (u) =>
          u.userPrincipalName?.toLowerCase() === email.toLowerCase() ||
          u.mail?.toLowerCase() === email.toLowerCase(),
      );
    const rest = wanted.filter((e) => !matched(byUpn, e));
    const byMail = rest.length > 0 ? await this.usersWhere(tenantId, 'mail', rest) : [];
    const all = new Map<string, GraphUser>();
    for (const user of [...byUpn, ...byMail]) all.set(user.id, user);
    const users = [...all.values()];
    return {
      found: sortUsers(users.map(toTenantUser)),
      notFound: emails.filter((e) => e.trim().length > 0 && !matched(users, e.trim())),
    };
  }

  async listProducts(customerId: string): Promise<Product[]> {
    const tenantId = await this.tenantOf(customerId);
    const body = await this.read(tenantId, `${this.baseUrl}/subscribedSkus`, GraphSubscribedSkus);
    const products = body.value.flatMap((sku) => {
      const product = toProduct(sku);
      return product ? [product] : [];
    });
    const owners = new Map<string, string[]>();
    for (const sku of body.value) {
      for (const plan of sku.servicePlans) {
        const id = plan.servicePlanId.toLowerCase();
        owners.set(id, [...(owners.get(id) ?? []), sku.skuId.toLowerCase()]);
      }
    }
    this.planOwners.set(tenantId, owners);
    return products.sort((a, b) => a.name.localeCompare(b.name) || a.skuId.localeCompare(b.skuId));
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    const tenantId = await this.tenantOf(customerId);
    const users = await this.usersWhere(tenantId, 'id', unique(userIds));
    return new Map(users.map((user) => [user.id, toHoldings(user)]));
  }

  async applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void> {
    const tenantId = await this.tenantOf(customerId);
    try {
      await this.http.send({
        method: 'POST',
        url: `${this.baseUrl}/users/${encodeURIComponent(userId)}/assignLicense`,
        token: () => this.options.auth.token(tenantId),
        body: assignLicenseBody(change),
        schema: z.unknown(),
        retry: false,
      });
    } catch (error) {
      throw await this.failure(tenantId, userId, change, classifyGraphError(error), error);
    }
  }

  /**
   * Not part of the port: several users' changes in one JSON batch (≤ 20 per call, run in
   * parallel by Graph). Each item gets its own outcome; the outer status is never trusted.
   * Kept for the benchmark that decides whether batching is worth a port extension.
   */
  async applyUserChangesBatch(
    customerId: string,
    items: readonly BatchItem[],
  ): Promise<Array<LicenseProviderError | null>> {
    const tenantId = await this.tenantOf(customerId);
    const results: Array<LicenseProviderError | null> = [];
    for (let start = 0; start < items.length; start += BATCH_MAX) {
      const chunk = items.slice(start, start + BATCH_MAX);
      const outcomes: Array<LicenseProviderError | null> = chunk.map(() => null);
      try {
        const { data } = await this.http.send({
          method: 'POST',
          url: `${this.baseUrl}/$batch`,
          token: () => this.options.auth.token(tenantId),
          body: {
            requests: chunk.map((item, index) => ({
              id: String(index + 1),
              method: 'POST',
              url: `/users/${encodeURIComponent(item.userId)}/assignLicense`,
              headers: { 'Content-Type': 'application/json' },
              body: assignLicenseBody(item.change),
            })),
          },
          schema: GraphBatchResponse,
          retry: false,
        });
        const byId = new Map(data.responses.map((r) => [r.id, r]));
        for (const [index, item] of chunk.entries()) {
          const answer = byId.get(String(index + 1));
          if (answer && answer.status >= 200 && answer.status < 300) continue;
          const headers = lowerKeys(answer?.headers ?? {});
          const inner = new HttpError(
            `Graph: batch item answered ${answer?.status ?? 'nothing'}`,
            'status',
            answer?.status ?? 502,
            answer?.body,
            parseRetryAfter(headers['retry-after']),
          );
          outcomes[index] = await this.failure(
            tenantId,
            item.userId,
            item.change,
            classifyGraphError(inner),
            inner,
          );
        }
      } catch (error) {
        const failure = classifyGraphError(error);
        for (const index of outcomes.keys()) outcomes[index] = toProviderError(failure, error);
      }
      results.push(...outcomes);
    }
    return results;
  }

  private async failure(
    tenantId: string,
    userId: string,
    change: UserChange,
    failure: GraphFailure,
    cause: unknown,
  ): Promise<LicenseProviderError> {
    const resolved = { ...failure };
    if (failure.usageLocation) {
      resolved.reason = (await this.hasUsageLocation(tenantId, userId))
        ? 'usage_location_not_allowed'
        : 'usage_location_missing';
    }
    resolved.skuId ??= this.skuOfFailure(tenantId, change, failure);
    return toProviderError(resolved, cause);
  }

  /** The SKU a failure is about: the only one in the call, or the one owning the plan the message names. */
  private skuOfFailure(tenantId: string, change: UserChange, failure: GraphFailure): string | undefined {
    const skus = [...change.assign.map((a) => a.skuId), ...change.revoke].map((s) => s.toLowerCase());
    if (skus.length === 1) return skus[0];
    if (failure.reason !== 'mutually_exclusive' && failure.reason !== 'missing_prerequisite')
      return undefined;
    const owners = this.planOwners.get(tenantId);
    const planIds =
      failure.message.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [];
    for (const planId of planIds) {
      const owner = owners?.get(planId.toLowerCase())?.find((sku) => skus.includes(sku));
      if (owner) return owner;
    }
    return undefined;
  }

  private async hasUsageLocation(tenantId: string, userId: string): Promise<boolean> {
    try {
      const user = await this.read(
        tenantId,
        `${this.baseUrl}/users/${encodeURIComponent(userId)}?$select=id,usageLocation`,
        z.object({ usageLocation: z.string().nullish() }),
      );
      return typeof user.usageLocation === 'string' && user.usageLocation.trim() !== '';
    } catch {
      return false;
    }
  }

  /** Users whose property is one of the values, 15 values per request, a few requests at a time. */
  private async usersWhere(
    tenantId: string,
    property: string,
    values: readonly string[],
  ): Promise<GraphUser[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < values.length; i += IN_CHUNK) chunks.push(values.slice(i, i + IN_CHUNK));
    const pages = await mapLimited(chunks, this.readConcurrency, async (chunk) => {
      const list = chunk.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
      const filter = encodeURIComponent(`${property} in (${list})`);
      const users: GraphUser[] = [];
      let url: string | undefined =
        `${this.baseUrl}/users?$filter=${filter}&$select=${USER_SELECT}&$top=${IN_CHUNK}`;
      while (url) {
        const page: z.infer<typeof GraphUserPage> = await this.read(tenantId, url, GraphUserPage);
        users.push(...page.value);
        url = page['@odata.nextLink'];
      }
      return users;
    });
    return pages.flat();
  }

  private firstSearchUrl(term: string): string {
    const params = [`$select=${USER_SELECT}`, '$count=true', `$top=${this.pageSize}`, '$orderby=displayName'];
    if (term !== '') {
      const clauses = ['displayName', 'mail', 'userPrincipalName'].map((p) => `"${p}:${term}"`).join(' OR ');
      params.push(`$search=${encodeURIComponent(clauses)}`);
    }
    return `${this.baseUrl}/users?${params.join('&')}`;
  }

  private async read<T>(
    tenantId: string,
    url: string,
    schema: z.ZodType<T>,
    headers?: Record<string, string>,
  ): Promise<T> {
    try {
      const { data } = await this.http.send({
        method: 'GET',
        url,
        token: () => this.options.auth.token(tenantId),
        headers,
        schema,
      });
      return data;
    } catch (error) {
      throw toProviderError(classifyGraphError(error), error);
    }
  }

  private async tenantOf(customerId: string): Promise<string> {
    const customer = await this.options.customers.getCustomer(customerId);
    if (!customer) throw new LicenseProviderError('provider_error', `Graph: unknown customer ${customerId}`);
    return customer.tenantId;
  }

  private pruneSearches(): void {
    const now = this.now();
    for (const [key, entry] of this.searches) if (entry.expiresAt <= now) this.searches.delete(key);
  }
}

export function assignLicenseBody(change: UserChange): {
  addLicenses: Array<{ skuId: string; disabledPlans: string[] }>;
  removeLicenses: string[];
} {
  return {
    addLicenses: change.assign.map((a) => ({ skuId: a.skuId, disabledPlans: [...a.disabledPlans] })),
    removeLicenses: [...change.revoke],
  };
}

const statusOf: Record<string, ProductStatus | undefined> = {
  Enabled: 'enabled',
  Warning: 'warning',
  Suspended: 'suspended',
};

/** User SKUs only; Deleted and LockedOut SKUs are no longer the customer's to assign. */
export function toProduct(sku: GraphSubscribedSku): Product | null {
  const status = statusOf[sku.capabilityStatus];
  if (sku.appliesTo !== 'User' || !status) return null;
  const total = sku.prepaidUnits.enabled + sku.prepaidUnits.warning;
  const consumed = Math.max(0, sku.consumedUnits);
  return {
    skuId: sku.skuId.toLowerCase(),
    partNumber: sku.skuPartNumber,
    name: productName(sku.skuId, sku.skuPartNumber),
    status,
    total,
    consumed,
    available: status === 'suspended' ? 0 : Math.max(0, total - consumed),
    servicePlans: sku.servicePlans
      .filter((plan) => plan.appliesTo === undefined || plan.appliesTo === 'User')
      .map((plan) => {
        const friendlyName = planFriendlyName(plan.servicePlanId);
        return {
          id: plan.servicePlanId.toLowerCase(),
          name: plan.servicePlanName,
          ...(friendlyName ? { friendlyName } : {}),
        };
      }),
  };
}

export function toTenantUser(user: GraphUser): TenantUser {
  const location = user.usageLocation?.trim().toUpperCase();
  return {
    id: user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    email: user.userPrincipalName ?? user.mail ?? '',
    usageLocation: location && /^[A-Z]{2}$/.test(location) ? location : null,
  };
}

/**
 * assignedLicenses says what the user holds; licenseAssignmentStates says by which path
 * (assignedByGroup null = direct). A group path in Error state grants nothing.
 */
export function toHoldings(user: GraphUser): UserLicense[] {
  const states = user.licenseAssignmentStates ?? [];
  return (user.assignedLicenses ?? []).map((license) => {
    const skuId = license.skuId.toLowerCase();
    const paths = states.filter((s) => s.skuId.toLowerCase() === skuId && s.state !== 'Error');
    const direct = paths.find((s) => !s.assignedByGroup);
    const viaGroups = unique(paths.flatMap((s) => (s.assignedByGroup ? [s.assignedByGroup] : [])));
    const disabledPlans = direct?.disabledPlans ?? license.disabledPlans ?? paths[0]?.disabledPlans ?? [];
    return {
      skuId,
      disabledPlans: [...disabledPlans],
      direct: paths.length === 0 || direct !== undefined,
      viaGroups,
    };
  });
}

function sortUsers(users: TenantUser[]): TenantUser[] {
  return users.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
