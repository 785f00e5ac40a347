/**
 * The service plans of a request's products, for the approval message to name a plan change by
 * plan ("turn off Microsoft 365 Apps for 13 who have it"). Asked of the provider only for a
 * request that changes holders' plans, once per request; without it the message counts them.
 */
import type { Logger } from '@slack/bolt';
import type { PlanCatalog } from '../../../blocks/plan-change-words.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';
import { PerRequestMemo } from './per-request-memo.js';

/** The plans per product of the request's customer, or undefined when not needed or not known. */
export type PlanCatalogs = (
  request: Pick<ChangeRequest, 'id' | 'customerId' | 'items'>,
) => Promise<PlanCatalog | undefined>;

export function planCatalogs(service: LicensingService, logger: Logger): PlanCatalogs {
  const catalogs = new PerRequestMemo<PlanCatalog>(
    logger,
    (id) => `reading the service plans for ${id} failed; plan changes are counted`,
  );
  return async (request) => {
    if (!request.items.some((item) => (item.planChanges?.length ?? 0) > 0)) return undefined;
    return catalogs.of(request.id, async () => {
      // No users: the overview is the customer's products with their service plans.
      const products = await service.getLicenseOverview(request.customerId, []);
      return new Map(products.map((p) => [p.product.skuId, p.product.servicePlans]));
    });
  };
}
