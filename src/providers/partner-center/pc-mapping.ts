/** Partner Center's wire formats → the domain model, and a change → licenseupdates' body. */
import type {
  Customer,
  Product,
  ProductStatus,
  TenantUser,
  UserChange,
  UserLicense,
} from '../../licensing/model.js';
import { planFriendlyName } from '../sku-names.js';
import {
  type PcCustomer,
  type PcLicense,
  PcLicenseUpdateAnswer,
  type PcSubscribedSku,
  type PcUser,
} from './pc-wire.js';

export function toCustomer(item: PcCustomer): Customer {
  const profile = item.companyProfile;
  const domain = profile.domain ?? undefined;
  return {
    id: item.id,
    tenantId: profile.tenantId ?? item.id,
    name: profile.companyName ?? domain ?? item.id,
    ...(domain ? { domain } : {}),
  };
}

export function toTenantUser(user: PcUser): TenantUser {
  const location = user.usageLocation?.trim().toUpperCase();
  const names = [user.firstName, user.lastName].filter((n): n is string => !!n).join(' ');
  return {
    id: user.id,
    displayName: user.displayName ?? (names || user.userPrincipalName || user.id),
    email: user.userPrincipalName ?? '',
    usageLocation: location && /^[A-Z]{2}$/.test(location) ? location : null,
  };
}

const statusOf: Record<string, ProductStatus | undefined> = {
  enabled: 'enabled',
  warning: 'warning',
  suspended: 'suspended',
};

export function toProduct(sku: PcSubscribedSku): Product | null {
  const target = sku.productSku.targetType ?? 'User';
  const status = statusOf[(sku.capabilityStatus ?? 'Enabled').toLowerCase()];
  if (target.toLowerCase() !== 'user' || !status) return null;
  const total = Math.max(0, sku.totalUnits);
  return {
    skuId: sku.productSku.id.toLowerCase(),
    partNumber: sku.productSku.skuPartNumber ?? '',
    name: sku.productSku.name ?? sku.productSku.skuPartNumber ?? sku.productSku.id,
    status,
    total,
    consumed: Math.max(0, sku.consumedUnits),
    available: status === 'suspended' ? 0 : Math.max(0, sku.availableUnits),
    servicePlans: sku.servicePlans
      .filter((p) => p.id && (p.targetType ?? 'User').toLowerCase() === 'user')
      .map((p) => {
        const id = (p.id ?? '').toLowerCase();
        const friendlyName = p.displayName ?? planFriendlyName(id);
        return { id, name: p.serviceName ?? p.displayName ?? id, ...(friendlyName ? { friendlyName } : {}) };
      }),
  };
}

/** skuId → the ids of every service plan the product has (lower-cased). */
export function plansOfSkus(skus: readonly PcSubscribedSku[]): Map<string, string[]> {
  return new Map(
    skus.map((sku) => [
      sku.productSku.id.toLowerCase(),
      sku.servicePlans.flatMap((p) => (p.id ? [p.id.toLowerCase()] : [])),
    ]),
  );
}

const ACTIVE_PLAN = new Set(['assigned', 'enabled', 'success']);

/**
 * Partner Center does not say whether a licence is direct or inherited, so every licence is
 * reported as direct. Disabled plans are the product's plans the licence does not list as assigned.
 */
export function toUserLicense(license: PcLicense, plansOf: Map<string, string[]>): UserLicense {
  const skuId = license.productSku.id.toLowerCase();
  const active = new Set(
    license.servicePlans
      .filter((p) => p.id && ACTIVE_PLAN.has((p.capabilityStatus ?? 'Assigned').toLowerCase()))
      .map((p) => (p.id ?? '').toLowerCase()),
  );
  const listedInactive = license.servicePlans
    .filter((p) => p.id && !ACTIVE_PLAN.has((p.capabilityStatus ?? 'Assigned').toLowerCase()))
    .map((p) => (p.id ?? '').toLowerCase());
  const missing = (plansOf.get(skuId) ?? []).filter((id) => !active.has(id));
  return { skuId, disabledPlans: [...new Set([...listedInactive, ...missing])], direct: true, viaGroups: [] };
}

/** licenseWarnings as lines for the per-user result: the message, then the service plans named. */
export function licenseWarnings(body: unknown): string[] {
  const parsed = PcLicenseUpdateAnswer.safeParse(body);
  if (!parsed.success) return [];
  return (parsed.data.licenseWarnings ?? []).flatMap((warning) => {
    const plans = (warning.servicePlans ?? []).flatMap((plan) =>
      typeof plan === 'string' && plan ? [plan] : [],
    );
    const message = warning.message?.trim() || (warning.code == null ? '' : `Warning ${warning.code}`);
    if (message === '') return [];
    return [plans.length > 0 ? `${message} (${plans.join(', ')})` : message];
  });
}

export function licenseUpdateBody(change: UserChange): {
  licensesToAssign: Array<{ skuId: string; excludedPlans: string[] }>;
  licensesToRemove: string[];
  attributes: { objectType: 'LicenseUpdate' };
} {
  return {
    licensesToAssign: change.assign.map((a) => ({ skuId: a.skuId, excludedPlans: [...a.disabledPlans] })),
    licensesToRemove: [...change.revoke],
    attributes: { objectType: 'LicenseUpdate' },
  };
}
