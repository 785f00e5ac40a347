/**
 * The Graph fake's GET /directory/subscriptions (companySubscription: one per SKU of the tenant,
 * with status and nextLifecycleDateTime) and GET /users/$count (a text/plain integer, refused
 * without ConsistencyLevel: eventual as Graph refuses it: 400 "$count is not currently supported.").
 */
import { type GraphAnswer, type GraphRequest, graphError } from './graph-answers.js';
import { provisionedPlans } from './subscribed-skus.js';
import type { FakeSku, FakeTenant } from './tenant.js';

/** When a subscription without a date of its own renews (fixed, so tests read the same answer). */
export const DEFAULT_NEXT_LIFECYCLE = '2027-07-01T00:00:00Z';

/** A stable id per tenant and SKU (Graph's companySubscription id is a GUID). */
function subscriptionId(tenant: FakeTenant, sku: FakeSku): string {
  return `${sku.skuId.slice(0, 24)}${tenant.tenantId.replace(/-/g, '').slice(0, 12)}`;
}

function companySubscription(tenant: FakeTenant, sku: FakeSku): Record<string, unknown> {
  const units = sku.prepaidUnits;
  return {
    commerceSubscriptionId: subscriptionId(tenant, sku),
    createdDateTime: '2025-07-01T00:00:00Z',
    id: subscriptionId(tenant, sku),
    isTrial: false,
    nextLifecycleDateTime: sku.nextLifecycleDateTime ?? DEFAULT_NEXT_LIFECYCLE,
    ownerId: null,
    ownerTenantId: null,
    ownerType: null,
    serviceStatus: provisionedPlans(sku),
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    status: sku.capabilityStatus ?? 'Enabled',
    totalLicenses: units.enabled + (units.warning ?? 0) + (units.suspended ?? 0),
  };
}

/** $select keeps the named properties (id always), as Graph does. */
function selected(item: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (select === null) return item;
  const fields = select.split(',').map((f) => f.trim());
  return Object.fromEntries(Object.entries(item).filter(([k]) => k === 'id' || fields.includes(k)));
}

/** GET /directory/subscriptions and GET /users/$count; null for any other request. */
export function routeDirectory(origin: string, req: GraphRequest, tenant: FakeTenant): GraphAnswer | null {
  if (req.method !== 'GET') return null;
  if (req.path === '/directory/subscriptions') {
    const select = req.query.get('$select');
    return {
      status: 200,
      body: {
        '@odata.context': `${origin}/v1.0/$metadata#directory/subscriptions`,
        value: tenant.skus.map((sku) => selected(companySubscription(tenant, sku), select)),
      },
    };
  }
  if (req.path === '/users/$count') {
    if (req.headers.consistencylevel?.toLowerCase() !== 'eventual') {
      return graphError(400, 'Request_BadRequest', '$count is not currently supported.');
    }
    return { status: 200, body: tenant.users.length, headers: { 'Content-Type': 'text/plain' } };
  }
  return null;
}
