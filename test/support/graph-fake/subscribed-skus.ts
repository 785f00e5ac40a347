/** The Graph fake's GET /subscribedSkus: every SKU of the tenant with its counts and plans. */
import { randomUUID } from 'node:crypto';
import type { GraphAnswer } from './graph-answers.js';
import { consumedUnits } from './licensing-rules.js';
import type { FakeSku, FakeTenant } from './tenant.js';

export function subscribedSkus(origin: string, tenant: FakeTenant): GraphAnswer {
  return {
    status: 200,
    body: {
      '@odata.context': `${origin}/v1.0/$metadata#subscribedSkus`,
      value: tenant.skus.map((sku) => ({
        accountName: tenant.name ?? 'Account',
        accountId: tenant.tenantId,
        appliesTo: sku.appliesTo ?? 'User',
        capabilityStatus: sku.capabilityStatus ?? 'Enabled',
        consumedUnits: consumedUnits(tenant, sku),
        id: `${tenant.tenantId}_${sku.skuId}`,
        prepaidUnits: {
          enabled: sku.prepaidUnits.enabled,
          lockedOut: sku.prepaidUnits.lockedOut ?? 0,
          suspended: sku.prepaidUnits.suspended ?? 0,
          warning: sku.prepaidUnits.warning ?? 0,
        },
        servicePlans: provisionedPlans(sku),
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        subscriptionIds: [randomUUID()],
      })),
    },
  };
}

/** The SKU's service plans as Graph lists them (servicePlanInfo), each provisioned. */
export function provisionedPlans(sku: FakeSku) {
  return sku.servicePlans.map((p) => ({
    servicePlanId: p.servicePlanId,
    servicePlanName: p.servicePlanName,
    provisioningStatus: 'Success',
    appliesTo: p.appliesTo ?? 'User',
  }));
}
