/**
 * One POST …/licenseupdates per user change. A retry of a write whose outcome is unknown (the
 * executor calls again with the same change) carries the first attempt's MS-RequestId, so Partner
 * Center answers it instead of applying it twice; licenseWarnings of the 201 answer come back as
 * warnings.
 */
import { z } from 'zod';
import type { UserChange } from '../../licensing/model.js';
import { HttpError } from '../http.js';
import type { LicenseProviderError, UserChangeOutcome } from '../license-provider.js';
import { toProviderError } from '../provider-failure.js';
import type { PcClient } from './pc-client.js';
import { classifyPcError } from './pc-errors.js';
import { licenseUpdateBody, licenseWarnings, toTenantUser } from './pc-mapping.js';
import { WriteRequestIds } from './pc-request-ids.js';
import { PcUser } from './pc-wire.js';

export class LicenseUpdates {
  private readonly writeIds: WriteRequestIds;

  constructor(
    private readonly client: PcClient,
    now: () => number,
  ) {
    this.writeIds = new WriteRequestIds(undefined, now);
  }

  async apply(
    customerId: string,
    userId: string,
    change: UserChange,
  ): Promise<UserChangeOutcome | undefined> {
    const url = this.client.customerUrl(customerId, `/users/${encodeURIComponent(userId)}/licenseupdates`);
    const body = licenseUpdateBody(change);
    const key = `${url}\n${JSON.stringify(body)}`;
    const ids = this.writeIds.idsFor(key);
    try {
      const data = await this.client.post(url, ids, body, z.unknown());
      this.writeIds.settled(key);
      const warnings = licenseWarnings(data);
      return warnings.length > 0 ? { warnings } : undefined;
    } catch (error) {
      if (outcomeUnknown(error)) this.writeIds.unknown(key, ids);
      else this.writeIds.settled(key);
      throw await this.refusal(customerId, userId, change, error);
    }
  }

  /** The failure, with a missing usage location told from one not allowed, and the SKU when only one is in the call. */
  private async refusal(
    customerId: string,
    userId: string,
    change: UserChange,
    error: unknown,
  ): Promise<LicenseProviderError> {
    const failure = classifyPcError(error);
    if (failure.usageLocation) {
      failure.reason = (await this.hasUsageLocation(customerId, userId))
        ? 'usage_location_not_allowed'
        : 'usage_location_missing';
    }
    const skus = [...change.assign.map((a) => a.skuId), ...change.revoke];
    if (failure.skuId === undefined && skus.length === 1) failure.skuId = skus[0]?.toLowerCase();
    return toProviderError(failure, error);
  }

  private async hasUsageLocation(customerId: string, userId: string): Promise<boolean> {
    try {
      const user = await this.client.read(
        this.client.customerUrl(customerId, `/users/${encodeURIComponent(userId)}`),
        PcUser,
      );
      return toTenantUser(user).usageLocation !== null;
    } catch {
      return false;
    }
  }
}

/** No answer, or a gateway's: Partner Center may have applied the write. */
function outcomeUnknown(error: unknown): boolean {
  return (
    error instanceof HttpError && (error.kind !== 'status' || error.status === 502 || error.status === 504)
  );
}
