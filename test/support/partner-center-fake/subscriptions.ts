/**
 * The Partner Center fake's GET /v1/customers/{id}/subscriptions (one licence-based Subscription
 * per SKU: commitmentEndDate, status "active" / "suspended" / "deleted", no Entra SKU id, as the
 * service answers) and GET …/subscriptions/{id}/provisioningstatus (the SubscriptionProvisioningStatus
 * that names the subscription's product SKU).
 */
import { DEFAULT_NEXT_LIFECYCLE, type FakeSku, type FakeTenant } from '../graph-fake/index.js';
import { type Answer, pcError } from './answers.js';

/** A stable subscription id per customer and SKU. */
export function pcSubscriptionId(customer: FakeTenant, sku: FakeSku): string {
  return `${customer.tenantId.slice(0, 9)}${sku.skuId.slice(9)}`;
}

const STATUS: Record<string, string> = { Suspended: 'suspended', Deleted: 'deleted', LockedOut: 'deleted' };

function subscriptionJson(customer: FakeTenant, sku: FakeSku): Record<string, unknown> {
  const id = pcSubscriptionId(customer, sku);
  return {
    id,
    offerId: sku.skuId.toUpperCase().replace(/^.{8}/, '91FD106F'),
    offerName: sku.name ?? sku.skuPartNumber,
    friendlyName: sku.name ?? sku.skuPartNumber,
    quantity: sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0),
    unitType: 'Licenses',
    creationDate: '2025-07-01T00:00:00Z',
    effectiveStartDate: '2025-07-01T00:00:00Z',
    commitmentEndDate: sku.nextLifecycleDateTime ?? DEFAULT_NEXT_LIFECYCLE,
    status: STATUS[sku.capabilityStatus ?? 'Enabled'] ?? 'active',
    autoRenewEnabled: true,
    billingType: 'license',
    contractType: 'subscription',
    links: {
      self: { uri: `/customers/${customer.tenantId}/subscriptions/${id}`, method: 'GET', headers: [] },
    },
    orderId: id,
    attributes: { etag: `"${id}"`, objectType: 'Subscription' },
  };
}

/** …/subscriptions and …/subscriptions/{id}/provisioningstatus (GET only). */
export function routeSubscriptions(customer: FakeTenant, method: string, rest: string[]): Answer {
  if (method !== 'GET') return pcError(404, 1000, 'Resource not found.');
  const skus = customer.skus.filter((s) => s.appliesTo !== 'Company');
  if (rest.length === 0) {
    const items = skus.map((sku) => subscriptionJson(customer, sku));
    return {
      status: 200,
      body: { totalCount: items.length, items, links: {}, attributes: { objectType: 'Collection' } },
    };
  }
  const sku = skus.find((s) => pcSubscriptionId(customer, s) === rest[0]);
  if (!sku) return pcError(404, 1000, 'Resource not found.');
  if (rest.length === 1) return { status: 200, body: subscriptionJson(customer, sku) };
  if (rest.length === 2 && rest[1] === 'provisioningstatus') {
    return {
      status: 200,
      body: {
        skuId: sku.skuId,
        status: 'success',
        quantity: sku.prepaidUnits.enabled + (sku.prepaidUnits.warning ?? 0),
        attributes: { objectType: 'SubscriptionProvisioningStatus' },
      },
    };
  }
  return pcError(404, 1000, 'Resource not found.');
}
