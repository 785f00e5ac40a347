/**
 * One customer of the demo tenant as the provider works on it: the stored data (mutated in
 * place), lookups by id, the seats in use per product (derived from the holdings, not stored)
 * and the user index, built on first use and dropped when the directory changes.
 */
import type { Customer, Product, TenantUser, UserLicense } from '../../licensing/model.js';
import type { DemoCustomerData, DemoGroup, DemoProduct } from './demo-tenant.js';
import { normalizeText, UserIndex } from './user-index.js';

export class DemoCustomer {
  readonly data: DemoCustomerData;
  readonly products: ReadonlyMap<string, DemoProduct>;
  readonly groups: ReadonlyMap<string, DemoGroup>;
  /** The words of the name and the domain a customer search matches by prefix. */
  readonly #searchWords: string[];
  readonly #consumed = new Map<string, number>();
  #index: UserIndex | undefined;

  constructor(data: DemoCustomerData) {
    this.data = data;
    this.products = new Map(data.products.map((product) => [product.skuId, product]));
    this.groups = new Map(data.groups.map((group) => [group.id, group]));
    this.#searchWords = [
      ...normalizeText(data.customer.name).split(/[^\p{L}\p{N}]+/u),
      ...(data.customer.domain === undefined ? [] : [data.customer.domain.toLowerCase()]),
    ].filter((word) => word !== '');
    for (const licenses of Object.values(data.holdings)) {
      for (const license of licenses) this.addSeats(license.skuId, 1);
    }
  }

  get id(): string {
    return this.data.customer.id;
  }

  /** The customer as the port lists it, with how many users its directory holds now. */
  listed(): Customer {
    return { ...this.data.customer, userCount: this.data.users.length };
  }

  /** `prefix` is normalised; empty matches every customer. */
  matches(prefix: string): boolean {
    return prefix === '' || this.#searchWords.some((word) => word.startsWith(prefix));
  }

  get index(): UserIndex {
    this.#index ??= new UserIndex(this.data.users);
    return this.#index;
  }

  /** Call after the directory changed (a user removed or put back). */
  forgetIndex(): void {
    this.#index = undefined;
  }

  holdings(userId: string): UserLicense[] | undefined {
    return this.data.holdings[userId];
  }

  /** Gives a user the holdings a change left; a user holding nothing is left out, as stored. */
  setHoldings(userId: string, holdings: UserLicense[]): void {
    if (holdings.length === 0) delete this.data.holdings[userId];
    else this.data.holdings[userId] = holdings;
  }

  /** Puts back exactly what `holdings(userId)` returned before an undone change. */
  restoreHoldings(userId: string, previous: UserLicense[] | undefined): void {
    if (previous === undefined) delete this.data.holdings[userId];
    else this.data.holdings[userId] = previous;
  }

  /** Seats that can still be assigned (0 for a suspended or unknown product). */
  available(skuId: string): number {
    return available(this.products.get(skuId), this.consumed(skuId));
  }

  consumed(skuId: string): number {
    return this.#consumed.get(skuId) ?? 0;
  }

  /** Counts `delta` more seats of the product in use (less when negative). */
  addSeats(skuId: string, delta: number): void {
    this.#consumed.set(skuId, this.consumed(skuId) + delta);
  }

  /** The product as the port lists it, with its current counts. */
  product(skuId: string): Product | undefined {
    const product = this.products.get(skuId);
    return product === undefined ? undefined : toProduct(product, this.consumed(skuId));
  }

  /** Every product that can be assigned to users, as the port lists them. */
  userProducts(): Product[] {
    return this.data.products
      .filter((product) => product.appliesTo === 'User')
      .map((product) => toProduct(product, this.consumed(product.skuId)));
  }
}

function available(product: DemoProduct | undefined, consumed: number): number {
  if (product === undefined || product.status === 'suspended') return 0;
  return Math.max(0, product.prepaid.enabled + product.prepaid.warning - consumed);
}

function toProduct(product: DemoProduct, consumed: number): Product {
  return {
    skuId: product.skuId,
    partNumber: product.partNumber,
    name: product.name,
    status: product.status,
    total: product.prepaid.enabled + product.prepaid.warning,
    consumed,
    available: available(product, consumed),
    servicePlans: product.servicePlans.map((plan) => ({ ...plan })),
    ...(product.nextLifecycleDate === undefined ? {} : { nextLifecycleDate: product.nextLifecycleDate }),
  };
}

/** Callers get copies, so what they do with them never reaches the tenant. */
export function copyUser(user: TenantUser): TenantUser {
  return { ...user };
}

export function copyLicenses(licenses: readonly UserLicense[] | undefined): UserLicense[] {
  return (licenses ?? []).map((license) => ({
    ...license,
    disabledPlans: [...license.disabledPlans],
    viaGroups: [...license.viaGroups],
  }));
}
