/**
 * A small in-memory LicenseProvider for executor and service tests: all-or-nothing changes,
 * group-inherited licenses, seat counts, and scriptable refusals and faults.
 */
import type { Customer, Product, TenantUser, UserChange, UserLicense } from '../../src/licensing/model.js';
import {
  type LicenseProvider,
  LicenseProviderError,
  type UserChangeOutcome,
  type UserPage,
  type UserQuery,
} from '../../src/providers/license-provider.js';

export interface FakeCall {
  userId: string;
  change: UserChange;
}

export class FakeLicenseProvider implements LicenseProvider {
  readonly kind = 'demo' as const;
  readonly customer: Customer;
  readonly users = new Map<string, TenantUser>();
  readonly products = new Map<string, Product>();
  readonly holdings = new Map<string, UserLicense[]>();
  /** Every applyUserChange call, in order, including refused ones. */
  readonly calls: FakeCall[] = [];
  /** Successful changes per user. */
  readonly applied = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  latencyMs = 0;
  /** Refuses a whole call (before anything applies) when it returns an error. */
  refuse: (userId: string, change: UserChange) => LicenseProviderError | undefined = () => undefined;
  /** Throws after applying a call when it returns an error (a time-out whose write landed). */
  failAfterApply: (userId: string, change: UserChange) => Error | undefined = () => undefined;

  constructor(customer: Customer, users: TenantUser[], products: Product[]) {
    this.customer = customer;
    for (const user of users) this.users.set(user.id, user);
    for (const product of products) this.products.set(product.skuId, product);
  }

  hold(userId: string, licenses: UserLicense[]): this {
    this.holdings.set(userId, licenses);
    return this;
  }

  async searchCustomers(): Promise<Customer[]> {
    return [this.customer];
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    return customerId === this.customer.id ? this.customer : null;
  }

  async searchUsers(_customerId: string, query: UserQuery): Promise<UserPage> {
    const all = [...this.users.values()].filter((u) => u.displayName.toLowerCase().startsWith(query.query));
    return { users: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }

  async getUsers(_customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    return userIds.flatMap((id) => this.users.get(id) ?? []);
  }

  async findUsersByEmail(
    _customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    const byEmail = new Map([...this.users.values()].map((u) => [u.email.toLowerCase(), u]));
    return {
      found: emails.flatMap((e) => byEmail.get(e.toLowerCase()) ?? []),
      notFound: emails.filter((e) => !byEmail.has(e.toLowerCase())),
    };
  }

  async listProducts(): Promise<Product[]> {
    return [...this.products.values()].map((p) => ({ ...p }));
  }

  async getHoldings(_customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    const result = new Map<string, UserLicense[]>();
    for (const id of userIds) {
      if (this.users.has(id)) result.set(id, structuredClone(this.holdings.get(id) ?? []));
    }
    return result;
  }

  async applyUserChange(
    _customerId: string,
    userId: string,
    change: UserChange,
    // biome-ignore lint/suspicious/noConfusingVoidType: the port's own return type (some backends report warnings).
  ): Promise<void | UserChangeOutcome> {
    this.calls.push({ userId, change: structuredClone(change) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      if (!this.users.has(userId)) throw new LicenseProviderError('user_not_found', `No user ${userId}`);
      const refusal = this.refuse(userId, change);
      if (refusal) throw refusal;
      const held = new Map((this.holdings.get(userId) ?? []).map((l) => [l.skuId, l]));
      for (const skuId of change.revoke) {
        const license = held.get(skuId);
        if (!license)
          throw new LicenseProviderError('provider_error', 'User does not have a corresponding license.');
        if (!license.direct) throw new LicenseProviderError('inherited_from_group', 'Inherited.');
      }
      for (const { skuId } of change.assign) {
        const product = this.products.get(skuId);
        if (!product) throw new LicenseProviderError('provider_error', `Unknown ${skuId}`);
        if (!held.has(skuId) && product.available < 1) {
          throw new LicenseProviderError('insufficient_licenses', `No seat of ${skuId}`, { skuId });
        }
      }
      for (const skuId of change.revoke) {
        held.delete(skuId);
        this.#seat(skuId, -1);
      }
      for (const { skuId, disabledPlans } of change.assign) {
        if (!held.has(skuId)) this.#seat(skuId, 1);
        held.set(skuId, { skuId, disabledPlans: [...disabledPlans], direct: true, viaGroups: [] });
      }
      this.holdings.set(userId, [...held.values()]);
      this.applied.set(userId, (this.applied.get(userId) ?? 0) + 1);
      const after = this.failAfterApply(userId, change);
      if (after) throw after;
    } finally {
      this.inFlight--;
    }
  }

  #seat(skuId: string, delta: number): void {
    const product = this.products.get(skuId);
    if (!product) return;
    product.consumed += delta;
    product.available = Math.max(0, product.total - product.consumed);
  }
}
