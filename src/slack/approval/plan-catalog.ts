/**
 * The service plans of a request's products, for the approval message to name a plan change by
 * plan ("turn off Microsoft 365 Apps for 13 who have it"). Asked of the provider only for a
 * request that changes holders' plans, once per request; without it the message counts them.
 */
import type { Logger } from '@slack/bolt';
import type { PlanCatalog } from '../../../blocks/plan-change-words.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest } from '../../licensing/model.js';

export class PlanCatalogs {
  readonly #service: LicensingService;
  readonly #logger: Logger;
  readonly #catalogs = new Map<string, PlanCatalog>();

  constructor(service: LicensingService, logger: Logger) {
    this.#service = service;
    this.#logger = logger;
  }

  /** The plans per product of the request's customer, or undefined when not needed or not known. */
  async of(request: Pick<ChangeRequest, 'id' | 'customerId' | 'items'>): Promise<PlanCatalog | undefined> {
    if (!request.items.some((item) => (item.planChanges?.length ?? 0) > 0)) return undefined;
    const known = this.#catalogs.get(request.id);
    if (known !== undefined) return known;
    try {
      // No users: the overview is the customer's products with their service plans.
      const products = await this.#service.getLicenseOverview(request.customerId, []);
      const catalog: PlanCatalog = new Map(products.map((p) => [p.product.skuId, p.product.servicePlans]));
      if (this.#catalogs.size >= 1000) this.#catalogs.delete(this.#catalogs.keys().next().value ?? '');
      this.#catalogs.set(request.id, catalog);
      return catalog;
    } catch (error) {
      this.#logger.warn(
        `reading the service plans for ${request.id} failed; plan changes are counted`,
        error,
      );
      return undefined;
    }
  }
}
