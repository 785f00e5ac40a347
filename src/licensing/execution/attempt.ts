/**
 * The executor's two provider calls, retried: reading holdings, and one all-or-nothing change of
 * a user's parts. A change whose attempts failed transiently is ambiguous (a timed-out call may
 * have landed), so the user's holdings are read again and tell which parts did.
 */
import { isLicenseProviderError, type LicenseProvider } from '../../providers/license-provider.js';
import { type Refusal, type RetryPolicy, retryTransient } from '../retry.js';
import type { Holdings } from './holdings-prefetch.js';
import type { Catalogue } from './item.js';
import { appliedParts, type Part, toChange } from './parts.js';

/** A customer tenant's provider calls and how each kind is retried (writes are paced). */
export interface TenantCalls {
  provider: LicenseProvider;
  customerId: string;
  reads: RetryPolicy;
  writes: RetryPolicy;
}

/**
 * `warnings`: what the backend said about a change it applied (becomes the result's note).
 * `landed`: parts of a refused change found applied when the holdings were read again.
 */
export type Attempt = { ok: true; warnings: readonly string[] } | (Refusal & { landed: readonly Part[] });

export async function readHoldings(calls: TenantCalls, userIds: string[]): Promise<Holdings> {
  const read = await retryTransient(() => calls.provider.getHoldings(calls.customerId, userIds), calls.reads);
  return read.ok ? { ok: true, holdings: read.value } : { ok: false, error: read.error };
}

/**
 * The customer's products with their service plans, and the provider's plan exclusions when it
 * tells them (none when it does not, or the read fails); null when the products kept failing.
 */
export async function readCatalogue(calls: TenantCalls): Promise<Catalogue | null> {
  const { provider, customerId } = calls;
  const read = await retryTransient(() => provider.listProducts(customerId), calls.reads);
  if (!read.ok) return null;
  const rules = await provider.licensingRules?.(customerId).catch(() => undefined);
  return { products: read.value, exclusions: rules?.exclusions ?? [] };
}

export async function attemptChange(
  calls: TenantCalls,
  userId: string,
  parts: readonly Part[],
): Promise<Attempt> {
  let sawTransient = false;
  const result = await retryTransient(async () => {
    try {
      return await calls.provider.applyUserChange(calls.customerId, userId, toChange(parts));
    } catch (error) {
      if (isLicenseProviderError(error) && error.transient) sawTransient = true;
      throw error;
    }
  }, calls.writes);
  if (result.ok) return { ok: true, warnings: result.value?.warnings ?? [] };
  if (!sawTransient) return { ...result, landed: [] };
  const check = await readHoldings(calls, [userId]).catch(() => null);
  const licenses = check?.ok ? check.holdings.get(userId) : undefined;
  const landed = licenses ? appliedParts(parts, licenses) : [];
  return landed.length === parts.length ? { ok: true, warnings: [] } : { ...result, landed };
}
