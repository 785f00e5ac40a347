/**
 * What Graph tells about a customer's directory besides users and SKUs, both optional:
 * how many users it holds (GET /users/$count, an advanced query: ConsistencyLevel: eventual,
 * permission User.Read.All) and when each product's subscription next changes state
 * (GET /directory/subscriptions, companySubscription.nextLifecycleDateTime, permission
 * Organization.Read.All or Directory.Read.All). A refusal (403 without the permission), a bad
 * answer or a failure leaves the fact out instead of failing the caller; answers are kept a short
 * while, so a typeahead asks once per customer and a manage step once per render at most.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { HttpError, mapLimited } from '../http.js';
import { LicenseProviderError } from '../license-provider.js';
import type { GraphClient } from './graph-client.js';

export interface DirectoryFactsOptions {
  /** How long a count or a tenant's subscription dates are reused (default 5 min). */
  ttlMs?: number;
  /** How many tenants are kept (default 500). */
  max?: number;
  now?: () => number;
}

const ADVANCED = { ConsistencyLevel: 'eventual' };
/** Customers whose count is asked at once. */
const COUNT_CONCURRENCY = 8;

/** GET /users/$count answers a bare integer as text/plain. */
const Count = z.number().int().nonnegative();

export const GraphCompanySubscription = z.object({
  skuId: z.string().nullish(),
  status: z.string().nullish(),
  nextLifecycleDateTime: z.string().nullish(),
});
export type GraphCompanySubscription = z.infer<typeof GraphCompanySubscription>;

const SubscriptionPage = z.object({
  value: z.array(GraphCompanySubscription),
  '@odata.nextLink': z.string().optional(),
});

/** Subscriptions already past their state change say nothing about what comes next. */
const PAST = new Set(['expired', 'lockedout', 'deleted']);

/**
 * skuId (lower-cased) → the next lifecycle date of its subscriptions: the earliest one among those
 * in Warning (the grace period ends), else the earliest among the others still live.
 */
export function lifecycleDates(subscriptions: readonly GraphCompanySubscription[]): Map<string, string> {
  const best = new Map<string, { date: string; warning: boolean }>();
  for (const sub of subscriptions) {
    const status = (sub.status ?? '').toLowerCase();
    const at = Date.parse(sub.nextLifecycleDateTime ?? '');
    if (!sub.skuId || Number.isNaN(at) || PAST.has(status)) continue;
    const sku = sub.skuId.toLowerCase();
    const warning = status === 'warning';
    const seen = best.get(sku);
    const earlier = seen !== undefined && at < Date.parse(seen.date);
    if (!seen || (warning && !seen.warning) || (warning === seen.warning && earlier)) {
      best.set(sku, { date: new Date(at).toISOString(), warning });
    }
  }
  return new Map([...best].map(([sku, { date }]) => [sku, date]));
}

/** A refusal that will not change by asking again soon (403, 400, 404): kept like an answer. */
function lasting(error: unknown): boolean {
  const cause = error instanceof LicenseProviderError ? error.cause : error;
  return cause instanceof HttpError && cause.kind === 'status' && [400, 403, 404].includes(cause.status);
}

export class DirectoryFacts {
  /** tenantId → user count; null: Graph refused to tell. */
  private readonly counts: LRUCache<string, { count: number | null }>;
  private readonly dates: LRUCache<string, { dates: Map<string, string> }>;
  private readonly pending = new Map<string, Promise<number | null>>();

  constructor(
    private readonly client: GraphClient,
    options: DirectoryFactsOptions = {},
  ) {
    const common = {
      max: options.max ?? 500,
      ttl: options.ttlMs ?? 5 * 60_000,
      ttlResolution: 0,
      ...(options.now ? { perf: { now: options.now } } : {}),
    };
    this.counts = new LRUCache(common);
    this.dates = new LRUCache(common);
  }

  /** The tenant's user count, or null when Graph does not tell it. */
  userCount(tenantId: string): Promise<number | null> {
    const cached = this.counts.get(tenantId);
    if (cached) return Promise.resolve(cached.count);
    const running = this.pending.get(tenantId);
    if (running) return running;
    const asking = this.client
      .read(tenantId, '/users/$count', Count, ADVANCED)
      .then((count) => {
        this.counts.set(tenantId, { count });
        return count;
      })
      .catch((error: unknown) => {
        if (lasting(error)) this.counts.set(tenantId, { count: null });
        return null;
      })
      .finally(() => this.pending.delete(tenantId));
    this.pending.set(tenantId, asking);
    return asking;
  }

  /**
   * The counts of these tenants known within `budgetMs` (a typeahead must answer in time); the
   * ones still asked for are left out now and kept for the next keystroke.
   */
  async userCounts(tenantIds: readonly string[], budgetMs: number): Promise<Map<string, number>> {
    const known = new Map<string, number>();
    // A few at a time: a first keystroke may list 100 customers, each a token and a count to get.
    const asks = mapLimited([...new Set(tenantIds)], COUNT_CONCURRENCY, async (tenantId) => {
      const count = await this.userCount(tenantId);
      if (count !== null) known.set(tenantId, count);
    });
    const timer = new AbortController();
    await Promise.race([asks, sleep(budgetMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
    return new Map(known);
  }

  /** skuId → next lifecycle date of the tenant's subscriptions; empty when Graph does not tell. */
  async lifecycleDates(tenantId: string): Promise<Map<string, string>> {
    const cached = this.dates.get(tenantId);
    if (cached) return cached.dates;
    try {
      const subscriptions: GraphCompanySubscription[] = [];
      let url: string | undefined = '/directory/subscriptions?$select=skuId,status,nextLifecycleDateTime';
      for (let page = 0; url && page < 20; page++) {
        const body: z.infer<typeof SubscriptionPage> = await this.client.read(
          tenantId,
          url,
          SubscriptionPage,
        );
        subscriptions.push(...body.value);
        url = body['@odata.nextLink'];
      }
      const dates = lifecycleDates(subscriptions);
      this.dates.set(tenantId, { dates });
      return dates;
    } catch (error) {
      if (lasting(error)) this.dates.set(tenantId, { dates: new Map() });
      return new Map();
    }
  }
}
