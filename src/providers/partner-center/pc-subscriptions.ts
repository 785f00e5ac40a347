/**
 * When each product's Partner Center subscription ends (Product.nextLifecycleDate): GET
 * /v1/customers/{id}/subscriptions gives commitmentEndDate and status but no Entra SKU id, so each
 * licence-based subscription's SKU comes from GET …/subscriptions/{id}/provisioningstatus (its
 * skuId), asked once per subscription and kept (a subscription's product never changes). Optional
 * like the Graph dates: a refusal (403: the token's user lacks the rights) or a failure leaves
 * the dates out; a customer's dates are kept a short while, so a manage step reads them once.
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { HttpError, mapLimited } from '../http.js';
import { LicenseProviderError } from '../license-provider.js';
import type { PcClient } from './pc-client.js';
import { pcCollection } from './pc-wire.js';

export const PcSubscription = z.object({
  id: z.string(),
  commitmentEndDate: z.string().nullish(),
  status: z.string().nullish(),
  billingType: z.string().nullish(),
});
export type PcSubscription = z.infer<typeof PcSubscription>;

const SubscriptionPage = pcCollection(PcSubscription);
const ProvisioningStatus = z.object({ skuId: z.string().nullish() });

/** Live statuses; "none", "suspended", "expired" and "deleted" say nothing about what comes next. */
const LIVE = new Set(['active', 'pending']);
/** "For subscriptions which are not auto-renewable, this represents a date far, far away." */
const FAR_AWAY = Date.parse('9000-01-01T00:00:00Z');

export interface PcSubscriptionDatesOptions {
  ttlMs: number;
  now: () => number;
  readConcurrency: number;
}

function lasting(error: unknown): boolean {
  const cause = error instanceof LicenseProviderError ? error.cause : error;
  return cause instanceof HttpError && cause.kind === 'status' && [400, 403, 404].includes(cause.status);
}

export class PcSubscriptionDates {
  private readonly dates: LRUCache<string, { dates: Map<string, string> }>;
  /** Subscription id → its product's SKU id (lower-cased); null when Partner Center names none. */
  private readonly skuOf = new LRUCache<string, { skuId: string | null }>({ max: 20_000 });

  constructor(
    private readonly client: PcClient,
    private readonly options: PcSubscriptionDatesOptions,
  ) {
    this.dates = new LRUCache({
      max: 500,
      ttl: options.ttlMs,
      ttlResolution: 0,
      perf: { now: options.now },
    });
  }

  /** skuId → the earliest commitment end date of its live subscriptions; empty when not told. */
  async forCustomer(customerId: string): Promise<Map<string, string>> {
    const cached = this.dates.get(customerId);
    if (cached) return cached.dates;
    try {
      const url = this.client.customerUrl(customerId, '/subscriptions');
      const subscriptions = await this.client.collect(url, SubscriptionPage, 5_000);
      const live = subscriptions.filter(
        (s) =>
          LIVE.has((s.status ?? '').toLowerCase()) &&
          (s.billingType ?? 'license').toLowerCase() === 'license' &&
          Date.parse(s.commitmentEndDate ?? '') < FAR_AWAY,
      );
      const skus = await mapLimited(live, this.options.readConcurrency, (s) => this.sku(customerId, s.id));
      const dates = new Map<string, string>();
      live.forEach((sub, i) => {
        const skuId = skus[i];
        const at = Date.parse(sub.commitmentEndDate ?? '');
        const seen = dates.get(skuId ?? '');
        if (skuId && (seen === undefined || at < Date.parse(seen)))
          dates.set(skuId, new Date(at).toISOString());
      });
      this.dates.set(customerId, { dates });
      return dates;
    } catch (error) {
      if (lasting(error)) this.dates.set(customerId, { dates: new Map() });
      return new Map();
    }
  }

  private async sku(customerId: string, subscriptionId: string): Promise<string | null> {
    const known = this.skuOf.get(subscriptionId);
    if (known) return known.skuId;
    try {
      const url = this.client.customerUrl(
        customerId,
        `/subscriptions/${encodeURIComponent(subscriptionId)}/provisioningstatus`,
      );
      const skuId = (await this.client.read(url, ProvisioningStatus)).skuId?.toLowerCase() ?? null;
      this.skuOf.set(subscriptionId, { skuId });
      return skuId;
    } catch (error) {
      if (lasting(error)) this.skuOf.set(subscriptionId, { skuId: null });
      return null;
    }
  }
}
