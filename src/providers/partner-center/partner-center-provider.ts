/**
 * LicenseProvider over the Partner Center REST API (reference §2): App+User token, customers
 * with starts_with filters and continuation paging, users, Group1 subscribed SKUs, per-user
 * licences and one POST …/licenseupdates per user change.
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
import { planFriendlyName } from '../graph/sku-names.js';
import { HttpClient, type HttpClientOptions, HttpError, mapLimited } from '../http.js';
import type { LicenseProvider, UserChangeOutcome, UserPage, UserQuery } from '../license-provider.js';
import { LicenseProviderError } from '../license-provider.js';
import { toProviderError } from '../provider-failure.js';
import type { PartnerCenterAuth } from './pc-auth.js';
import { classifyPcError } from './pc-errors.js';
import { newRequestIds, partnerCenterHeaders, WriteRequestIds } from './pc-request-ids.js';
import {
  PcCustomer,
  PcLicense,
  PcLicenseUpdateAnswer,
  type PcSubscribedSku,
  PcSubscribedSku as PcSubscribedSkuSchema,
  PcUser,
  pcCollection,
} from './pc-wire.js';

export interface PartnerCenterProviderOptions {
  auth: PartnerCenterAuth;
  /** e.g. https://api.partnercenter.microsoft.com */
  baseUrl: string;
  http?: Omit<HttpClientOptions, 'name'>;
  /** How long a customer's user list is reused for searching and paging. */
  usersCacheMs?: number;
  /** How long the customer list entries are reused to resolve ids. */
  customersCacheMs?: number;
  /** Page size asked of Partner Center for users and customers. */
  pageSize?: number;
  readConcurrency?: number;
  now?: () => number;
}

const CustomerPage = pcCollection(PcCustomer);
const UserPageWire = pcCollection(PcUser);
const SkuPage = pcCollection(PcSubscribedSkuSchema);
const LicensePage = pcCollection(PcLicense);
type Link = NonNullable<NonNullable<z.infer<typeof CustomerPage>['links']>['next']>;

interface UserList {
  users: TenantUser[];
  byId: Map<string, TenantUser>;
  expiresAt: number;
}

export class PartnerCenterProvider implements LicenseProvider {
  readonly kind = 'partner-center' as const;
  private readonly http: HttpClient;
  private readonly baseUrl: string;
  private readonly usersCacheMs: number;
  private readonly customersCacheMs: number;
  private readonly pageSize: number;
  private readonly readConcurrency: number;
  private readonly now: () => number;
  private readonly customers = new Map<string, { customer: Customer; expiresAt: number }>();
  private readonly userLists = new Map<string, Promise<UserList>>();
  private readonly writeIds: WriteRequestIds;

  constructor(private readonly options: PartnerCenterProviderOptions) {
    this.http = new HttpClient({ name: 'Partner Center', ...options.http });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.usersCacheMs = options.usersCacheMs ?? 60_000;
    this.customersCacheMs = options.customersCacheMs ?? 10 * 60_000;
    this.pageSize = options.pageSize ?? 500;
    this.readConcurrency = options.readConcurrency ?? 4;
    this.now = options.now ?? Date.now;
    this.writeIds = new WriteRequestIds(undefined, this.now);
  }

  /** Customers whose company name or domain starts with the query (Partner Center's starts_with). */
  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    const q = query.trim();
    const size = Math.min(Math.max(limit, 1), this.pageSize);
    const urls =
      q === ''
        ? [`${this.baseUrl}/v1/customers?size=${size}`]
        : ['CompanyName', 'Domain'].map(
            (field) =>
              `${this.baseUrl}/v1/customers?size=${size}&filter=${encodeURIComponent(
                JSON.stringify({ Field: field, Value: q, Operator: 'starts_with' }),
              )}`,
          );
    const lists = await Promise.all(urls.map((url) => this.collect(url, CustomerPage, limit)));
    const found = new Map<string, Customer>();
    for (const item of lists.flat()) {
      const customer = toCustomer(item);
      found.set(customer.id, customer);
      this.customers.set(customer.id, { customer, expiresAt: this.now() + this.customersCacheMs });
    }
    return [...found.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .slice(0, limit);
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    const cached = this.customers.get(customerId);
    if (cached && cached.expiresAt > this.now()) return cached.customer;
    try {
      const item = await this.read(
        `${this.baseUrl}/v1/customers/${encodeURIComponent(customerId)}`,
        PcCustomer,
      );
      const customer = toCustomer(item);
      this.customers.set(customer.id, { customer, expiresAt: this.now() + this.customersCacheMs });
      return customer;
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

  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    const list = await this.userList(customerId);
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
    let list = await this.userList(customerId);
    if (userIds.some((id) => !list.byId.has(id))) list = await this.userList(customerId, true);
    return [...new Set(userIds)]
      .flatMap((id) => {
        const user = list.byId.get(id);
        return user ? [user] : [];
      })
      .sort(byName);
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    const list = await this.userList(customerId);
    const byEmail = new Map(list.users.map((u) => [u.email.toLowerCase(), u]));
    const found = new Map<string, TenantUser>();
    const notFound: string[] = [];
    for (const email of emails) {
      if (email.trim() === '') continue;
      const user = byEmail.get(email.trim().toLowerCase());
      if (user) found.set(user.id, user);
      else notFound.push(email);
    }
    return { found: [...found.values()].sort(byName), notFound };
  }

  async listProducts(customerId: string): Promise<Product[]> {
    const skus = await this.skus(customerId);
    return skus
      .flatMap((sku) => {
        const product = toProduct(sku);
        return product ? [product] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.skuId.localeCompare(b.skuId));
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    const skus = await this.skus(customerId);
    const plansOf = new Map(
      skus.map((sku) => [
        sku.productSku.id.toLowerCase(),
        sku.servicePlans.flatMap((p) => (p.id ? [p.id.toLowerCase()] : [])),
      ]),
    );
    const ids = [...new Set(userIds)];
    const answers = await mapLimited(ids, this.readConcurrency, async (userId) => {
      try {
        const url = `${this.customerUrl(customerId)}/users/${encodeURIComponent(userId)}/licenses?licenseGroupIds=Group1`;
        const licenses = await this.collect(url, LicensePage, Number.POSITIVE_INFINITY);
        return [userId, licenses.map((license) => toUserLicense(license, plansOf))] as const;
      } catch (error) {
        if (error instanceof LicenseProviderError && error.reason === 'user_not_found') return null;
        throw error;
      }
    });
    return new Map(answers.flatMap((answer) => (answer ? [answer] : [])));
  }

  /**
   * One POST …/licenseupdates. A retry of a write whose outcome is unknown (the executor calls again
   * with the same change) carries the first attempt's MS-RequestId; licenseWarnings of the 201
   * answer come back as warnings.
   */
  async applyUserChange(
    customerId: string,
    userId: string,
    change: UserChange,
  ): Promise<UserChangeOutcome | undefined> {
    const url = `${this.customerUrl(customerId)}/users/${encodeURIComponent(userId)}/licenseupdates`;
    const body = licenseUpdateBody(change);
    const key = `${url}\n${JSON.stringify(body)}`;
    const ids = this.writeIds.idsFor(key);
    try {
      const { data } = await this.http.send({
        method: 'POST',
        url,
        token: () => this.options.auth.token(),
        headers: partnerCenterHeaders(ids),
        body,
        schema: z.unknown(),
        retry: false,
      });
      this.writeIds.settled(key);
      const warnings = licenseWarnings(data);
      return warnings.length > 0 ? { warnings } : undefined;
    } catch (error) {
      if (outcomeUnknown(error)) this.writeIds.unknown(key, ids);
      else this.writeIds.settled(key);
      const failure = classifyPcError(error);
      if (failure.usageLocation) {
        failure.reason = (await this.hasUsageLocation(customerId, userId))
          ? 'usage_location_not_allowed'
          : 'usage_location_missing';
      }
      const skus = [...change.assign.map((a) => a.skuId), ...change.revoke];
      if (failure.skuId === undefined && skus.length === 1) failure.skuId = skus[0]?.toLowerCase();
      throw toProviderError(failure, error);
    }
  }

  private async hasUsageLocation(customerId: string, userId: string): Promise<boolean> {
    try {
      const user = await this.read(
        `${this.customerUrl(customerId)}/users/${encodeURIComponent(userId)}`,
        PcUser,
      );
      return toTenantUser(user).usageLocation !== null;
    } catch {
      return false;
    }
  }

  private skus(customerId: string): Promise<PcSubscribedSku[]> {
    // Only Group1 (Entra-managed) SKUs are listed, so a change can never mix licence groups.
    return this.collect(
      `${this.customerUrl(customerId)}/subscribedskus?licenseGroupIds=Group1`,
      SkuPage,
      Number.POSITIVE_INFINITY,
    );
  }

  private userList(customerId: string, refresh = false): Promise<UserList> {
    const cached = this.userLists.get(customerId);
    if (cached && !refresh) {
      return cached.then((list) => (list.expiresAt > this.now() ? list : this.userList(customerId, true)));
    }
    const loading = this.collect(
      `${this.customerUrl(customerId)}/users?size=${this.pageSize}`,
      UserPageWire,
      Number.POSITIVE_INFINITY,
    ).then((items) => {
      const users = items.map(toTenantUser).sort(byName);
      return { users, byId: new Map(users.map((u) => [u.id, u])), expiresAt: this.now() + this.usersCacheMs };
    });
    this.userLists.set(customerId, loading);
    loading.catch(() => this.userLists.delete(customerId));
    return loading;
  }

  /** Follows links.next (with its MS-ContinuationToken header) until `limit` items or the end. */
  private async collect<T>(
    url: string,
    schema: z.ZodType<{ items: T[]; links?: { next?: Link } | null | undefined }>,
    limit: number,
  ): Promise<T[]> {
    const items: T[] = [];
    // The pages of one listing are one operation: each page a new request, one correlation id.
    const correlationId = newRequestIds().correlationId;
    let next: { url: string; headers: Record<string, string> } | undefined = { url, headers: {} };
    while (next && items.length < limit) {
      const page: { items: T[]; links?: { next?: Link } | null | undefined } = await this.read(
        next.url,
        schema,
        next.headers,
        correlationId,
      );
      items.push(...page.items);
      const link = page.links?.next;
      next = link
        ? {
            url: this.resolve(link.uri),
            headers: Object.fromEntries(link.headers.map((h) => [h.key, h.value])),
          }
        : undefined;
    }
    return items;
  }

  /** One logical read; HttpClient's retries of it resend the same headers, so the same MS-RequestId. */
  private async read<T>(
    url: string,
    schema: z.ZodType<T>,
    headers: Record<string, string> = {},
    correlationId?: string,
  ): Promise<T> {
    try {
      const { data } = await this.http.send({
        method: 'GET',
        url,
        token: () => this.options.auth.token(),
        headers: { ...partnerCenterHeaders(newRequestIds(correlationId)), ...headers },
        schema,
      });
      return data;
    } catch (error) {
      throw toProviderError(classifyPcError(error), error);
    }
  }

  /** links.next.uri is relative to the API root, with or without the /v1 prefix. */
  private resolve(uri: string): string {
    if (/^https?:\/\//.test(uri)) return uri;
    const path = uri.startsWith('/') ? uri : `/${uri}`;
    return `${this.baseUrl}${path.startsWith('/v1/') ? path : `/v1${path}`}`;
  }

  private customerUrl(customerId: string): string {
    return `${this.baseUrl}/v1/customers/${encodeURIComponent(customerId)}`;
  }
}

/** No answer, or a gateway's: Partner Center may have applied the write. */
function outcomeUnknown(error: unknown): boolean {
  return (
    error instanceof HttpError && (error.kind !== 'status' || error.status === 502 || error.status === 504)
  );
}

/** licenseWarnings as lines for the per-user result: the message, then the service plans named. */
export function licenseWarnings(body: unknown): string[] {
  const parsed = PcLicenseUpdateAnswer.safeParse(body);
  if (!parsed.success) return [];
  return (parsed.data.licenseWarnings ?? []).flatMap((warning) => {
    const plans = (warning.servicePlans ?? []).flatMap((plan) =>
      typeof plan === 'string' && plan ? [plan] : [],
    );
    const message = warning.message?.trim() || (warning.code == null ? '' : `Warning ${warning.code}`);
    if (message === '') return [];
    return [plans.length > 0 ? `${message} (${plans.join(', ')})` : message];
  });
}

export function licenseUpdateBody(change: UserChange): {
  licensesToAssign: Array<{ skuId: string; excludedPlans: string[] }>;
  licensesToRemove: string[];
  attributes: { objectType: 'LicenseUpdate' };
} {
  return {
    licensesToAssign: change.assign.map((a) => ({ skuId: a.skuId, excludedPlans: [...a.disabledPlans] })),
    licensesToRemove: [...change.revoke],
    attributes: { objectType: 'LicenseUpdate' },
  };
}

function toCustomer(item: PcCustomer): Customer {
  const profile = item.companyProfile;
  const domain = profile.domain ?? undefined;
  return {
    id: item.id,
    tenantId: profile.tenantId ?? item.id,
    name: profile.companyName ?? domain ?? item.id,
    ...(domain ? { domain } : {}),
  };
}

export function toTenantUser(user: PcUser): TenantUser {
  const location = user.usageLocation?.trim().toUpperCase();
  const names = [user.firstName, user.lastName].filter((n): n is string => !!n).join(' ');
  return {
    id: user.id,
    displayName: user.displayName ?? (names || user.userPrincipalName || user.id),
    email: user.userPrincipalName ?? '',
    usageLocation: location && /^[A-Z]{2}$/.test(location) ? location : null,
  };
}

const statusOf: Record<string, ProductStatus | undefined> = {
  enabled: 'enabled',
  warning: 'warning',
  suspended: 'suspended',
};

export function toProduct(sku: PcSubscribedSku): Product | null {
  const target = sku.productSku.targetType ?? 'User';
  const status = statusOf[(sku.capabilityStatus ?? 'Enabled').toLowerCase()];
  if (target.toLowerCase() !== 'user' || !status) return null;
  const total = Math.max(0, sku.totalUnits);
  return {
    skuId: sku.productSku.id.toLowerCase(),
    partNumber: sku.productSku.skuPartNumber ?? '',
    name: sku.productSku.name ?? sku.productSku.skuPartNumber ?? sku.productSku.id,
    status,
    total,
    consumed: Math.max(0, sku.consumedUnits),
    available: status === 'suspended' ? 0 : Math.max(0, sku.availableUnits),
    servicePlans: sku.servicePlans
      .filter((p) => p.id && (p.targetType ?? 'User').toLowerCase() === 'user')
      .map((p) => {
        const id = (p.id ?? '').toLowerCase();
        const friendlyName = p.displayName ?? planFriendlyName(id);
        return { id, name: p.serviceName ?? p.displayName ?? id, ...(friendlyName ? { friendlyName } : {}) };
      }),
  };
}

const ACTIVE_PLAN = new Set(['assigned', 'enabled', 'success']);

/**
 * Partner Center does not say whether a licence is direct or inherited, so every licence is
 * reported as direct. Disabled plans are the product's plans the licence does not list as assigned.
 */
export function toUserLicense(
  license: z.infer<typeof PcLicense>,
  plansOf: Map<string, string[]>,
): UserLicense {
  const skuId = license.productSku.id.toLowerCase();
  const active = new Set(
    license.servicePlans
      .filter((p) => p.id && ACTIVE_PLAN.has((p.capabilityStatus ?? 'Assigned').toLowerCase()))
      .map((p) => (p.id ?? '').toLowerCase()),
  );
  const listedInactive = license.servicePlans
    .filter((p) => p.id && !ACTIVE_PLAN.has((p.capabilityStatus ?? 'Assigned').toLowerCase()))
    .map((p) => (p.id ?? '').toLowerCase());
  const missing = (plansOf.get(skuId) ?? []).filter((id) => !active.has(id));
  return { skuId, disabledPlans: [...new Set([...listedInactive, ...missing])], direct: true, viaGroups: [] };
}

function byName(a: TenantUser, b: TenantUser): number {
  return a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id);
}
