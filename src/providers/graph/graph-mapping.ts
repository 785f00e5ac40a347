/** Graph's wire formats → the domain model, and a change → assignLicense's body. */
import type { Product, ProductStatus, TenantUser, UserChange, UserLicense } from '../../licensing/model.js';
import { planFriendlyName, productName } from '../sku-names.js';
import type { GraphSubscribedSku, GraphUser } from './graph-wire.js';

export function assignLicenseBody(change: UserChange): {
  addLicenses: Array<{ skuId: string; disabledPlans: string[] }>;
  removeLicenses: string[];
} {
  return {
    addLicenses: change.assign.map((a) => ({ skuId: a.skuId, disabledPlans: [...a.disabledPlans] })),
    removeLicenses: [...change.revoke],
  };
}

const statusOf: Record<string, ProductStatus | undefined> = {
  Enabled: 'enabled',
  Warning: 'warning',
  Suspended: 'suspended',
};

/** User SKUs only; Deleted and LockedOut SKUs are no longer the customer's to assign. */
export function toProduct(sku: GraphSubscribedSku): Product | null {
  const status = statusOf[sku.capabilityStatus];
  if (sku.appliesTo !== 'User' || !status) return null;
  const total = sku.prepaidUnits.enabled + sku.prepaidUnits.warning;
  const consumed = Math.max(0, sku.consumedUnits);
  return {
    skuId: sku.skuId.toLowerCase(),
    partNumber: sku.skuPartNumber,
    name: productName(sku.skuId, sku.skuPartNumber),
    status,
    total,
    consumed,
    available: status === 'suspended' ? 0 : Math.max(0, total - consumed),
    servicePlans: sku.servicePlans
      .filter((plan) => plan.appliesTo === undefined || plan.appliesTo === 'User')
      .map((plan) => {
        const friendlyName = planFriendlyName(plan.servicePlanId);
        return {
          id: plan.servicePlanId.toLowerCase(),
          name: plan.servicePlanName,
          ...(friendlyName ? { friendlyName } : {}),
        };
      }),
  };
}

/** servicePlanId → the skuIds that include it (lower-cased). */
export function planOwners(skus: readonly GraphSubscribedSku[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const sku of skus) {
    for (const plan of sku.servicePlans) {
      const id = plan.servicePlanId.toLowerCase();
      owners.set(id, [...(owners.get(id) ?? []), sku.skuId.toLowerCase()]);
    }
  }
  return owners;
}

export function toTenantUser(user: GraphUser): TenantUser {
  const location = user.usageLocation?.trim().toUpperCase();
  return {
    id: user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    email: user.userPrincipalName ?? user.mail ?? '',
    usageLocation: location && /^[A-Z]{2}$/.test(location) ? location : null,
  };
}

/**
 * assignedLicenses says what the user holds; licenseAssignmentStates says by which path
 * (assignedByGroup null = direct). A group path in Error state grants nothing.
 */
export function toHoldings(user: GraphUser): UserLicense[] {
  const states = user.licenseAssignmentStates ?? [];
  return (user.assignedLicenses ?? []).map((license) => {
    const skuId = license.skuId.toLowerCase();
    const paths = states.filter((s) => s.skuId.toLowerCase() === skuId && s.state !== 'Error');
    const direct = paths.find((s) => !s.assignedByGroup);
    const viaGroups = unique(paths.flatMap((s) => (s.assignedByGroup ? [s.assignedByGroup] : [])));
    const disabledPlans = direct?.disabledPlans ?? license.disabledPlans ?? paths[0]?.disabledPlans ?? [];
    return {
      skuId,
      disabledPlans: [...disabledPlans],
      direct: paths.length === 0 || direct !== undefined,
      viaGroups,
    };
  });
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
