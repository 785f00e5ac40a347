/** Partner Center's answers as the fake writes them: the error envelope and the JSON of customers, users, SKUs and licences. */
import { randomUUID } from 'node:crypto';
import { consumedUnits, type FakeTenant, type FakeUser } from '../graph-fake/index.js';

export interface Answer {
  status: number;
  body?: unknown;
  /** A body sent as written (not JSON.stringify'd). */
  raw?: string;
  headers?: Record<string, string>;
}

export function pcError(status: number, code: number, description: string, data: string[] = []): Answer {
  return { status, body: { code, description, data, source: 'PartnerFD' } };
}

export function customerJson(c: FakeTenant) {
  return {
    id: c.tenantId,
    commerceId: randomUUID(),
    companyProfile: {
      tenantId: c.tenantId,
      domain: c.domain ?? `${c.tenantId.slice(0, 8)}.onmicrosoft.com`,
      companyName: c.name ?? c.tenantId,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: 'reseller',
    attributes: { objectType: 'Customer' },
  };
}

export function userJson(u: FakeUser) {
  const [firstName = '', ...rest] = u.displayName.split(' ');
  return {
    usageLocation: u.usageLocation ?? undefined,
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    firstName,
    lastName: rest.join(' '),
    displayName: u.displayName,
    userDomainType: 'none',
    state: 'active',
    links: { self: { uri: `/customers/…/users/${u.id}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'CustomerUser' },
  };
}

/** A plan as Partner Center lists it, with the given status. */
function planJson(
  plan: { servicePlanId: string; servicePlanName: string },
  capabilityStatus: string,
  targetType: string,
) {
  return {
    displayName: plan.servicePlanName.replace(/_/g, ' '),
    serviceName: plan.servicePlanName,
    id: plan.servicePlanId,
    capabilityStatus,
    targetType,
  };
}

/** The customer's Group1 subscribed SKUs (none when only other groups are asked for). */
export function subscribedSkus(customer: FakeTenant, licenseGroupIds: string[]): Answer {
  const groups = licenseGroupIds.map((g) => g.toLowerCase());
  const items = (groups.length === 0 || groups.includes('group1') ? customer.skus : []).map((sku) => {
    const total = sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0);
    const consumed = consumedUnits(customer, sku);
    return {
      availableUnits: total - consumed,
      activeUnits: sku.prepaidUnits.enabled,
      consumedUnits: consumed,
      suspendedUnits: sku.prepaidUnits.suspended ?? 0,
      totalUnits: total,
      warningUnits: sku.prepaidUnits.warning ?? 0,
      productSku: {
        id: sku.skuId,
        name: sku.name ?? sku.skuPartNumber,
        skuPartNumber: sku.skuPartNumber,
        targetType: sku.appliesTo === 'Company' ? 'Tenant' : 'User',
        licenseGroupId: 'group1',
      },
      servicePlans: sku.servicePlans.map((p) =>
        planJson(p, 'Enabled', p.appliesTo === 'Company' ? 'Tenant' : 'User'),
      ),
      capabilityStatus: sku.capabilityStatus ?? 'Enabled',
      attributes: { objectType: 'SubscribedSku' },
    };
  });
  // The docs' own sample writes "totalCount": 04 — not JSON; clients must cope.
  const text = JSON.stringify({
    totalCount: 0,
    items,
    links: {},
    attributes: { objectType: 'Collection' },
  }).replace('"totalCount":0,', `"totalCount": 0${items.length},`);
  return { status: 200, raw: text };
}

/** The user's licences: each product held, with the plans it has enabled. */
export function licenses(customer: FakeTenant, user: FakeUser): Answer {
  const held = [...new Set(user.licenses.map((l) => l.skuId))];
  const items = held.map((skuId) => {
    const sku = customer.skus.find((s) => s.skuId === skuId);
    const disabled = new Set(user.licenses.filter((l) => l.skuId === skuId).flatMap((l) => l.disabledPlans));
    return {
      servicePlans: (sku?.servicePlans ?? [])
        .filter((p) => !disabled.has(p.servicePlanId))
        .map((p) => planJson(p, 'Assigned', 'User')),
      productSku: {
        id: skuId,
        name: sku?.name ?? sku?.skuPartNumber ?? skuId,
        skuPartNumber: sku?.skuPartNumber ?? '',
        licenseGroupId: 'group1',
      },
      attributes: { objectType: 'License' },
    };
  });
  return { status: 200, body: { totalCount: items.length, items, attributes: { objectType: 'Collection' } } };
}
