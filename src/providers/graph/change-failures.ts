/**
 * A refused assignLicense as the port's error, with what Graph's answer leaves out: whether an
 * "invalid usage location" means missing or not allowed (the user is looked up), and which SKU
 * the refusal is about (the only one in the call, or the one owning the plan the message names,
 * from the customer's last product listing).
 */
import type { UserChange } from '../../licensing/model.js';
import { guidsIn } from '../directory-messages.js';
import type { LicenseProviderError } from '../license-provider.js';
import { toProviderError } from '../provider-failure.js';
import type { GraphClient } from './graph-client.js';
import type { GraphFailure } from './graph-errors.js';
import { planOwners } from './graph-mapping.js';
import { type GraphSubscribedSku, GraphUsageLocation } from './graph-wire.js';

export class ChangeFailures {
  /** servicePlanId → skuIds, per tenant, from the last product listing. */
  private readonly owners = new Map<string, Map<string, string[]>>();

  constructor(private readonly client: GraphClient) {}

  /** Remembers which SKUs include which plans (called with every product listing). */
  learnProducts(tenantId: string, skus: readonly GraphSubscribedSku[]): void {
    this.owners.set(tenantId, planOwners(skus));
  }

  async toError(
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
    resolved.skuId ??= this.skuOf(tenantId, change, failure);
    return toProviderError(resolved, cause);
  }

  private skuOf(tenantId: string, change: UserChange, failure: GraphFailure): string | undefined {
    const skus = [...change.assign.map((a) => a.skuId), ...change.revoke].map((s) => s.toLowerCase());
    if (skus.length === 1) return skus[0];
    if (failure.reason !== 'mutually_exclusive' && failure.reason !== 'missing_prerequisite')
      return undefined;
    const owners = this.owners.get(tenantId);
    for (const planId of guidsIn(failure.message)) {
      const owner = owners?.get(planId)?.find((sku) => skus.includes(sku));
      if (owner) return owner;
    }
    return undefined;
  }

  private async hasUsageLocation(tenantId: string, userId: string): Promise<boolean> {
    try {
      const user = await this.client.read(
        tenantId,
        `/users/${encodeURIComponent(userId)}?$select=id,usageLocation`,
        GraphUsageLocation,
      );
      return typeof user.usageLocation === 'string' && user.usageLocation.trim() !== '';
    } catch {
      return false;
    }
  }
}
