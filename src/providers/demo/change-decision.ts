/**
 * One user's change decided against a customer's current state: Graph's checks (change-check.ts)
 * on the user's holdings and the seats left, refused with Graph's error, or what the change
 * leaves and the event that records it. The single-process tenant (demo-writes.ts) and the
 * tenant shared through PostgreSQL (postgres/) decide alike.
 */
import type { UserChange, UserLicense } from '../../licensing/model.js';
import { LicenseProviderError } from '../license-provider.js';
import { checkUserChange } from './change-check.js';
import { copyLicenses, type DemoCustomer } from './demo-customer.js';
import { userNotFound } from './demo-errors.js';

export interface DecidedChange {
  /** The user's holdings before the change, exactly as the customer held them. */
  previous: UserLicense[] | undefined;
  holdings: UserLicense[];
  /** Seats each product takes (+1) or frees (-1). */
  seatDeltas: Map<string, number>;
  event: {
    type: 'change';
    customerId: string;
    userId: string;
    change: UserChange;
    before: UserLicense[];
    holdings: UserLicense[];
  };
}

/** Throws LicenseProviderError when the user is unknown or Graph would refuse the change. */
export function decideUserChange(customer: DemoCustomer, userId: string, change: UserChange): DecidedChange {
  const user = customer.index.byId(userId);
  if (user === undefined) throw userNotFound(userId);
  const previous = customer.holdings(userId);
  const verdict = checkUserChange(
    {
      user,
      holdings: previous ?? [],
      products: customer.products,
      groups: customer.groups,
      available: (skuId) => customer.available(skuId),
    },
    change,
  );
  if (!verdict.ok) {
    const { reason, message, skuId } = verdict.refusal;
    throw new LicenseProviderError(reason, message, { skuId });
  }
  const named = new Set([...change.assign.map((part) => part.skuId), ...change.revoke]);
  return {
    previous,
    holdings: verdict.holdings,
    seatDeltas: verdict.seatDeltas,
    event: {
      type: 'change',
      customerId: customer.id,
      userId,
      change,
      before: copyLicenses(previous?.filter((license) => named.has(license.skuId))),
      holdings: copyLicenses(verdict.holdings),
    },
  };
}
