/**
 * The embedded demo tenant as a LicenseProvider: it behaves like Graph (seat counts, usage
 * locations, prerequisites, exclusive products, group-inherited licenses, a write quota) and can
 * add latency and transient faults for tests and benchmarks. It mutates the given data in place,
 * so whoever persists that object stores the current truth.
 *
 * With a journal, a change is in memory and then in the journal before the call returns; when
 * the journal cannot save it the change is undone and the call fails as transient, so memory,
 * disk and what the caller was told always agree.
 */
import type { Customer, Product, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import {
  type LicenseProvider,
  LicenseProviderError,
  type UserPage,
  type UserQuery,
} from '../license-provider.js';
import { checkUserChange } from './change-check.js';
import type { DemoChangeEvent } from './demo-change-log.js';
import type { DemoCustomerData, DemoGroup, DemoProduct, DemoTenantData } from './demo-tenant.js';
import { normalizeText, UserIndex } from './user-index.js';
import { WriteQuota } from './write-quota.js';

/** Transient faults injected into applyUserChange, each a probability per call. */
export interface DemoFaults {
  /** 429 answers. */
  throttleRate?: number;
  /** 5xx answers. */
  serverErrorRate?: number;
  /** Calls that hang for `timeoutMs` and then fail. */
  timeoutRate?: number;
  /** Retry-After sent with injected 429s, default 1000. */
  retryAfterMs?: number;
  /** Default 50. */
  timeoutMs?: number;
}

/** Where the provider makes its changes durable (the demo tenant's change log, demo-file.ts). */
export interface DemoJournal {
  /**
   * Undefined when a change may be made now, else a promise to wait for first: the journal holds
   * changes back while it copies the tenant. Asked right before a change, with no await between
   * the answer and the change.
   */
  gate(): Promise<void> | undefined;
  /** Called right after a change is made in memory; resolves once it is durable. A rejection undoes it. */
  record(event: DemoChangeEvent): Promise<void>;
}

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

export interface DemoProviderStats {
  applyCalls: number;
  appliedChanges: number;
  /** Every 429 answered: the write quota's and injected ones. */
  throttled: number;
  /** Injected faults of any kind. */
  faults: number;
}

interface CustomerState {
  data: DemoCustomerData;
  searchName: string[];
  products: Map<string, DemoProduct>;
  groups: Map<string, DemoGroup>;
  consumed: Map<string, number>;
  index: UserIndex | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DemoProvider implements LicenseProvider {
  readonly kind = 'demo' as const;
  /** For tests and benchmarks. */
  readonly stats: DemoProviderStats = { applyCalls: 0, appliedChanges: 0, throttled: 0, faults: 0 };

  private readonly data: DemoTenantData;
  private readonly customers = new Map<string, CustomerState>();
  /** Customers by name, for searchCustomers. */
  private readonly byName: CustomerState[];
  private readonly latencyMs: number;
  private faults: DemoFaults | undefined;
  private readonly quota: WriteQuota | undefined;
  private readonly random: () => number;
  private readonly onChange: (() => void) | undefined;
  private readonly journal: DemoJournal | undefined;
  /** Per user with a change not yet journaled, its outcome: the user's next change waits for it, so an undo restores exactly what that change replaced. */
  private readonly unsaved = new Map<string, Promise<void>>();
  private stopped = false;
  private changesUnderWay = 0;
  private readonly onQuiet = new Set<() => void>();

  constructor(options: DemoProviderOptions) {
    this.data = options.data;
    this.latencyMs = options.latencyMs ?? 0;
    this.faults = options.faults;
    this.random = options.random ?? Math.random;
    this.onChange = options.onChange;
    this.journal = options.journal;
    if (options.writesPerSecond !== undefined) {
      this.quota = new WriteQuota(
        options.writesPerSecond,
        options.writeBurst ?? options.writesPerSecond,
        options.clock ?? (() => performance.now()),
      );
    }
    for (const data of options.data.customers) {
      const consumed = new Map<string, number>();
      for (const licenses of Object.values(data.holdings)) {
        for (const license of licenses) consumed.set(license.skuId, (consumed.get(license.skuId) ?? 0) + 1);
      }
      this.customers.set(data.customer.id, {
        data,
        searchName: [
          ...normalizeText(data.customer.name).split(/[^\p{L}\p{N}]+/u),
          ...(data.customer.domain === undefined ? [] : [data.customer.domain.toLowerCase()]),
        ].filter((word) => word !== ''),
        products: new Map(data.products.map((product) => [product.skuId, product])),
        groups: new Map(data.groups.map((group) => [group.id, group])),
        consumed,
        index: undefined,
      });
    }
    this.byName = [...this.customers.values()].sort((a, b) =>
      a.data.customer.name.localeCompare(b.data.customer.name, 'en'),
    );
  }

  setFaults(faults: DemoFaults | undefined): void {
    this.faults = faults;
  }

  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    await this.delay();
    const prefix = normalizeText(query.trim());
    return this.byName
      .filter((state) => prefix === '' || state.searchName.some((word) => word.startsWith(prefix)))
      .slice(0, Math.max(0, limit))
      .map((state) => ({ ...state.data.customer }));
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    await this.delay();
    const state = this.customers.get(customerId);
    return state === undefined ? null : { ...state.data.customer };
  }

  async searchUsers(customerId: string, query: UserQuery): Promise<UserPage> {
    await this.delay();
    const page = this.indexOf(this.customer(customerId)).search(query.query, query.offset, query.limit);
    return { users: page.users.map(copyUser), total: page.total };
  }

  async getUsers(customerId: string, userIds: readonly string[]): Promise<TenantUser[]> {
    await this.delay();
    const index = this.indexOf(this.customer(customerId));
    return this.inStableOrder(
      index,
      userIds.flatMap((id) => index.byId(id) ?? []),
    );
  }

  async findUsersByEmail(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: TenantUser[]; notFound: string[] }> {
    await this.delay();
    const index = this.indexOf(this.customer(customerId));
    const found: TenantUser[] = [];
    const notFound: string[] = [];
    for (const email of emails) {
      const user = index.byEmail(email);
      if (user === undefined) notFound.push(email);
      else found.push(user);
    }
    return { found: this.inStableOrder(index, found), notFound };
  }

  async listProducts(customerId: string): Promise<Product[]> {
    await this.delay();
    const state = this.customer(customerId);
    return state.data.products
      .filter((product) => product.appliesTo === 'User')
      .map((product) => toProduct(product, state.consumed.get(product.skuId) ?? 0));
  }

  async getHoldings(customerId: string, userIds: readonly string[]): Promise<Map<string, UserLicense[]>> {
    await this.delay();
    const state = this.customer(customerId);
    const index = this.indexOf(state);
    const holdings = new Map<string, UserLicense[]>();
    for (const id of userIds) {
      if (index.byId(id) !== undefined) holdings.set(id, copyLicenses(state.data.holdings[id]));
    }
    return holdings;
  }

  async applyUserChange(customerId: string, userId: string, change: UserChange): Promise<void> {
    this.stats.applyCalls += 1;
    if (this.stopped) throw stopping();
    this.changesUnderWay += 1;
    try {
      await this.applyNow(customerId, userId, change);
    } finally {
      this.changesUnderWay -= 1;
      if (this.changesUnderWay === 0) for (const wake of this.onQuiet) wake();
    }
  }

  /**
   * Refuses every change from now on (a transient error: another process may take it later) and
   * waits up to `waitMs` for the changes under way. Resolves with how many are still under way.
   */
  async stopChanges(waitMs: number): Promise<number> {
    this.stopped = true;
    if (this.changesUnderWay === 0) return 0;
    let wake = () => {};
    const quiet = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.onQuiet.add(wake);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    try {
      await Promise.race([quiet, timeout]);
    } finally {
      clearTimeout(timer);
      this.onQuiet.delete(wake);
    }
    return this.changesUnderWay;
  }

  /**
   * Deletes a user from the customer's directory, as an admin would (e.g. while a run goes): the
   * seats they held are freed, and every later call about them answers as for an unknown user.
   * Without a journal it takes effect before returning; the promise tells when it is durable.
   */
  removeUser(customerId: string, userId: string): Promise<void> {
    if (this.stopped) throw stopping();
    const state = this.customer(customerId);
    if (!state.data.users.some((user) => user.id === userId)) throw userNotFound(userId);
    const key = userKey(customerId, userId);
    const wait = this.waitBeforeChange(key);
    if (wait !== undefined) return wait.then(() => this.removeUser(customerId, userId));
    return this.removeNow(state, key, userId);
  }

  private async applyNow(customerId: string, userId: string, change: UserChange): Promise<void> {
    await this.delay();
    const state = this.customer(customerId);
    await this.admit(state.data.customer.tenantId);
    const key = userKey(customerId, userId);
    for (let wait = this.waitBeforeChange(key); wait !== undefined; wait = this.waitBeforeChange(key)) {
      await wait;
    }

    // From here to the write nothing awaits, so concurrent calls see each other's seats.
    const user = this.indexOf(state).byId(userId);
    if (user === undefined) throw userNotFound(userId);
    const previous = state.data.holdings[userId];
    const verdict = checkUserChange(
      {
        user,
        holdings: previous ?? [],
        products: state.products,
        groups: state.groups,
        available: (skuId) => available(state.products.get(skuId), state.consumed.get(skuId) ?? 0),
      },
      change,
    );
    if (!verdict.ok) {
      const { reason, message, skuId } = verdict.refusal;
      throw new LicenseProviderError(reason, message, { skuId });
    }
    if (verdict.holdings.length === 0) delete state.data.holdings[userId];
    else state.data.holdings[userId] = verdict.holdings;
    const freed = this.takeSeats(state, verdict.seatDeltas);

    if (this.journal !== undefined) {
      const named = new Set([...change.assign.map((part) => part.skuId), ...change.revoke]);
      await this.save(
        key,
        {
          type: 'change',
          customerId,
          userId,
          change,
          before: copyLicenses(previous?.filter((license) => named.has(license.skuId))),
          holdings: copyLicenses(verdict.holdings),
        },
        () => {
          if (previous === undefined) delete state.data.holdings[userId];
          else state.data.holdings[userId] = previous;
          this.giveBackSeats(state, verdict.seatDeltas);
        },
      );
    }
    this.freeSeats(state, freed);
    this.stats.appliedChanges += 1;
    this.onChange?.();
  }

  private async removeNow(state: CustomerState, key: string, userId: string): Promise<void> {
    const at = state.data.users.findIndex((user) => user.id === userId);
    const [user] = state.data.users.splice(at, 1);
    const held = state.data.holdings[userId];
    delete state.data.holdings[userId];
    state.index = undefined;
    const freed = new Map((held ?? []).map((license) => [license.skuId, -1]));
    if (this.journal !== undefined && user !== undefined) {
      await this.save(key, { type: 'remove_user', customerId: state.data.customer.id, userId }, () => {
        state.data.users.splice(Math.min(at, state.data.users.length), 0, user);
        if (held !== undefined) state.data.holdings[userId] = held;
        state.index = undefined;
      });
    }
    this.freeSeats(state, freed);
    this.onChange?.();
  }

  /**
   * Journals a change already made in memory; when that fails, undoes it and throws a transient
   * error so the caller retries later.
   */
  private async save(key: string, event: DemoChangeEvent, undo: () => void): Promise<void> {
    const saved = this.journal!.record(event);
    const settled = saved.then(
      () => {},
      () => {},
    );
    this.unsaved.set(key, settled);
    try {
      await saved;
    } catch (error) {
      undo();
      throw new LicenseProviderError(
        'provider_error',
        'The demo tenant could not save the change; nothing was changed.',
        { transient: true, cause: error },
      );
    } finally {
      if (this.unsaved.get(key) === settled) this.unsaved.delete(key);
    }
  }

  /** What a change must wait for before it is checked: the journal's gate, then the user's unsaved change. */
  private waitBeforeChange(key: string): Promise<void> | undefined {
    return this.journal?.gate() ?? this.unsaved.get(key);
  }

  /**
   * Takes the seats a change needs now; seats it frees are handed back once it is journaled
   * (returned here), so an undone change can never leave more seats in use than exist.
   */
  private takeSeats(state: CustomerState, deltas: ReadonlyMap<string, number>): Map<string, number> {
    const freed = new Map<string, number>();
    for (const [skuId, delta] of deltas) {
      if (delta < 0 && this.journal !== undefined) freed.set(skuId, delta);
      else state.consumed.set(skuId, (state.consumed.get(skuId) ?? 0) + delta);
    }
    return freed;
  }

  private giveBackSeats(state: CustomerState, deltas: ReadonlyMap<string, number>): void {
    for (const [skuId, delta] of deltas) {
      if (delta > 0) state.consumed.set(skuId, (state.consumed.get(skuId) ?? 0) - delta);
    }
  }

  private freeSeats(state: CustomerState, freed: ReadonlyMap<string, number>): void {
    for (const [skuId, delta] of freed) state.consumed.set(skuId, (state.consumed.get(skuId) ?? 0) + delta);
  }

  /** Current truth, for tests. */
  holdingsOf(customerId: string, userId: string): UserLicense[] {
    return copyLicenses(this.customer(customerId).data.holdings[userId]);
  }

  /** Current counts, for tests. */
  productOf(customerId: string, skuId: string): Product | undefined {
    const state = this.customer(customerId);
    const product = state.products.get(skuId);
    return product === undefined ? undefined : toProduct(product, state.consumed.get(skuId) ?? 0);
  }

  /** A detached copy of the whole tenant. */
  snapshot(): DemoTenantData {
    return structuredClone(this.data);
  }

  private customer(customerId: string): CustomerState {
    const state = this.customers.get(customerId);
    if (state === undefined) {
      throw new LicenseProviderError('provider_error', `Customer '${customerId}' does not exist.`);
    }
    return state;
  }

  private indexOf(state: CustomerState): UserIndex {
    state.index ??= new UserIndex(state.data.users);
    return state.index;
  }

  private inStableOrder(index: UserIndex, users: readonly TenantUser[]): TenantUser[] {
    const unique = [...new Map(users.map((user) => [user.id, user])).values()];
    return unique.sort((a, b) => (index.rankOf(a.id) ?? 0) - (index.rankOf(b.id) ?? 0)).map(copyUser);
  }

  private async delay(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }

  /** The write quota, then the injected faults: either refuses the call before anything is looked at. */
  private async admit(tenantId: string): Promise<void> {
    const wait = this.quota?.take(tenantId) ?? 0;
    if (wait > 0) {
      this.stats.throttled += 1;
      throw throttled(wait);
    }
    const faults = this.faults;
    if (faults === undefined) return;
    const roll = this.random();
    const throttleRate = faults.throttleRate ?? 0;
    const serverErrorRate = faults.serverErrorRate ?? 0;
    const timeoutRate = faults.timeoutRate ?? 0;
    if (roll < throttleRate) {
      this.stats.faults += 1;
      this.stats.throttled += 1;
      throw throttled(faults.retryAfterMs ?? 1000);
    }
    if (roll < throttleRate + serverErrorRate) {
      this.stats.faults += 1;
      throw new LicenseProviderError(
        'provider_error',
        'Service Unavailable: the server is busy, retry later.',
        {
          transient: true,
        },
      );
    }
    if (roll < throttleRate + serverErrorRate + timeoutRate) {
      this.stats.faults += 1;
      await sleep(faults.timeoutMs ?? 50);
      throw new LicenseProviderError('provider_error', 'The request timed out.', { transient: true });
    }
  }
}

function userKey(customerId: string, userId: string): string {
  return JSON.stringify([customerId, userId]);
}

function stopping(): LicenseProviderError {
  return new LicenseProviderError('provider_error', 'The demo tenant is shutting down; try again later.', {
    transient: true,
  });
}

function userNotFound(userId: string): LicenseProviderError {
  return new LicenseProviderError(
    'user_not_found',
    `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function throttled(retryAfterMs: number): LicenseProviderError {
  return new LicenseProviderError('throttled', 'Please retry again later.', {
    transient: true,
    retryAfterMs,
  });
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
  };
}

function copyUser(user: TenantUser): TenantUser {
  return { ...user };
}

function copyLicenses(licenses: readonly UserLicense[] | undefined): UserLicense[] {
  return (licenses ?? []).map((license) => ({
    ...license,
    disabledPlans: [...license.disabledPlans],
    viaGroups: [...license.viaGroups],
  }));
}
