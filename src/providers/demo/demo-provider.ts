/**
 * The embedded demo tenant as a LicenseProvider: it behaves like Graph (seat counts, usage
 * locations, prerequisites, exclusive products, group-inherited licenses, a write quota) and can
 * add latency and transient faults for tests and benchmarks. It mutates the given data in place,
 * so whoever persists that object stores the current truth.
 *
 * With a journal, a change is in memory and then in the journal before the call returns; when
 * the journal cannot save it the change is undone and the call fails as transient, so memory,
 * disk and what the caller was told always agree (change-recorder.ts, demo-writes.ts).
 *
 * Several replicas share one tenant through PostgreSQL with SharedDemoProvider
 * (postgres/shared-demo-provider.ts), a subclass that catches up before reads and commits writes
 * there: hence the protected members.
 */
import { setTimeout } from 'node:timers/promises';
import type { LicensingRules } from '../../licensing/eligibility.js';
import type { Customer, Product, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import type {
  LicenseProvider,
  UserFilter,
  UserFilterKind,
  UserPage,
  UserQuery,
} from '../license-provider.js';
import type { DemoJournal } from './change-recorder.js';
import { ChangesUnderWay } from './changes-under-way.js';
import { copyLicenses, copyUser, DemoCustomer } from './demo-customer.js';
import { unknownCustomer, userNotFound } from './demo-errors.js';
import { type DemoFaults, type RefusalCounts, WriteAdmission } from './demo-faults.js';
import type { DemoTenantData } from './demo-tenant.js';
import { DemoWrites } from './demo-writes.js';
import { DEMO_RULES } from './rules.js';
import { normalizeText, type UserIndex } from './user-index.js';
import { WriteQuota } from './write-quota.js';

export interface DemoProviderOptions {
  data: DemoTenantData;
  /** Added to every call (default 0). */
  latencyMs?: number;
  /** Applied to applyUserChange only; default none. */
  faults?: DemoFaults;
  /** Per-tenant write quota like Graph's; above it applyUserChange answers 'throttled' with retryAfterMs. */
  writesPerSecond?: number;
  /** Writes the quota lets through at once after a pause (default: writesPerSecond, one second's worth). */
  writeBurst?: number;
  /** For deterministic faults (default Math.random). */
  random?: () => number;
  /** Milliseconds clock of the write quota, for deterministic tests (default performance.now). */
  clock?: () => number;
  /** Called after every change to the data (applied changes, removed users), once it is journaled. */
  onChange?: () => void;
  /** Makes every change durable before the call returns; without one the tenant lives in memory only. */
  journal?: DemoJournal;
}

export interface DemoProviderStats extends RefusalCounts {
  applyCalls: number;
  appliedChanges: number;
}

export class DemoProvider implements LicenseProvider {
  readonly kind = 'demo' as const;
  /** For tests and benchmarks. */
  readonly stats: DemoProviderStats = { applyCalls: 0, appliedChanges: 0, throttled: 0, faults: 0 };

  private readonly data: DemoTenantData;
  private readonly customers: Map<string, DemoCustomer>;
  /** Customers by name, for searchCustomers. */
  private readonly byName: DemoCustomer[];
  private readonly latencyMs: number;
  protected readonly admission: WriteAdmission;
  private readonly writes: DemoWrites;
  protected readonly underWay = new ChangesUnderWay();

  constructor(options: DemoProviderOptions) {
    this.data = options.data;
    this.latencyMs = options.latencyMs ?? 0;
    const quota =
      options.writesPerSecond === undefined
        ? undefined
        : new WriteQuota(
            options.writesPerSecond,
            options.writeBurst ?? options.writesPerSecond,
            options.clock ?? (() => performance.now()),
          );
    this.admission = new WriteAdmission(quota, options.faults, options.random ?? Math.random, this.stats);
    this.writes = new DemoWrites(options.journal, options.onChange, this.stats);
    this.customers = new Map(
      options.data.customers.map((data) => [data.customer.id, new DemoCustomer(data)]),
    );
    this.byName = [...this.customers.values()].sort((a, b) =>
      a.data.customer.name.localeCompare(b.data.customer.name, 'en'),
    );
  }

  setFaults(faults: DemoFaults | undefined): void {
    this.admission.faults = faults;
  }

  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    await this.delay();
    const prefix = normalizeText(query.trim());
    return this.byName
      .filter((customer) => customer.matches(prefix))
      .slice(0, Math.max(0, limit))
      .map((customer) => customer.listed());
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    await this.delay();
    const customer = this.customers.get(customerId);
    return customer === undefined ? null : customer.listed();
  }

  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    await this.delay();
    const page = this.customer(customerId).index.search(query.query, query.offset, query.limit);
    return { users: page.users.map(copyUser), total: page.total };
  }

  async getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    await this.delay();
    const index = this.customer(customerId).index;
    return inStableOrder(
      index,
      userIds.flatMap((id) => index.byId(id) ?? []),
    );
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    await this.delay();
    const index = this.customer(customerId).index;
    const found: TenantUser[] = [];
    const notFound: string[] = [];
    for (const email of emails) {
      const user = index.byEmail(email);
      if (user === undefined) notFound.push(email);
      else found.push(user);
    }
    return { found: inStableOrder(index, found), notFound };
  }

  readonly userFilters: readonly UserFilterKind[] = ['holds', 'holdsNothing', 'noUsageLocation'];

  /** Every user the filter matches, in the port's order; group-inherited licenses count as held. */
  async listUserIds(customerId: string, filter: UserFilter): Promise<string[]> {
    await this.delay();
    const customer = this.customer(customerId);
    const matches = (user: TenantUser): boolean => {
      const held = customer.holdings(user.id) ?? [];
      if ('holds' in filter) return held.some((license) => license.skuId === filter.holds);
      return 'holdsNothing' in filter ? held.length === 0 : user.usageLocation === null;
    };
    return inStableOrder(customer.index, customer.data.users.filter(matches)).map((user) => user.id);
  }

  async listProducts(customerId: string): Promise<Product[]> {
    await this.delay();
    return this.customer(customerId).userProducts();
  }

  /** The demo tenant's rules (rules.ts), the same for every customer; no call to wait for. */
  async licensingRules(customerId: string): Promise<LicensingRules> {
    this.customer(customerId);
    return DEMO_RULES;
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    await this.delay();
    const customer = this.customer(customerId);
    const index = customer.index;
    const holdings = new Map<string, UserLicense[]>();
    for (const id of userIds) {
      if (index.byId(id) !== undefined) holdings.set(id, copyLicenses(customer.holdings(id)));
    }
    return holdings;
  }

  applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void> {
    this.stats.applyCalls += 1;
    return this.underWay.track(async () => {
      await this.delay();
      const customer = this.customer(customerId);
      await this.admission.admit(customer.data.customer.tenantId, userId);
      await this.writes.apply(customer, userId, change);
    });
  }

  /**
   * Refuses every change from now on (a transient error: another process may take it later) and
   * waits up to `waitMs` for the changes under way. Resolves with how many are still under way.
   */
  stopChanges(waitMs: number): Promise<number> {
    return this.underWay.stop(waitMs);
  }

  /**
   * Deletes a user from the customer's directory, as an admin would (e.g. while a run goes): the
   * seats they held are freed, and every later call about them answers as for an unknown user.
   * Without a journal it takes effect before returning; the promise tells when it is durable.
   */
  removeUser(customerId: string, userId: string): Promise<void> {
    this.underWay.refuseIfStopped();
    const customer = this.customer(customerId);
    if (!customer.data.users.some((user) => user.id === userId)) throw userNotFound(userId);
    const wait = this.writes.waitBeforeChange(customerId, userId);
    if (wait !== undefined) return wait.then(() => this.removeUser(customerId, userId));
    return this.writes.remove(customer, userId);
  }

  /** Current truth, for tests. */
  holdingsOf(customerId: string, userId: string): UserLicense[] {
    return copyLicenses(this.customer(customerId).holdings(userId));
  }

  /** Current counts, for tests. */
  productOf(customerId: string, skuId: string): Product | undefined {
    return this.customer(customerId).product(skuId);
  }

  /** A detached copy of the whole tenant. */
  snapshot(): DemoTenantData {
    return structuredClone(this.data);
  }

  protected customer(customerId: string): DemoCustomer {
    const customer = this.customers.get(customerId);
    if (customer === undefined) throw unknownCustomer(customerId);
    return customer;
  }

  protected async delay(): Promise<void> {
    if (this.latencyMs > 0) await setTimeout(this.latencyMs);
  }
}

function inStableOrder(index: UserIndex, users: readonly TenantUser[]): TenantUser[] {
  const unique = [...new Map(users.map((user) => [user.id, user])).values()];
  return unique.sort((a, b) => (index.rankOf(a.id) ?? 0) - (index.rankOf(b.id) ?? 0)).map(copyUser);
}
