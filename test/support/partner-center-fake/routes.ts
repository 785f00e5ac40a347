/** The fake's /v1/customers tree: customers (starts_with filters), one customer, its SKUs, users, licences and licenseupdates. */
import type { FakeTenant } from '../graph-fake/index.js';
import { type Answer, customerJson, licenses, pcError, subscribedSkus, userJson } from './answers.js';
import { type FakeLicenseWarning, licenseUpdate } from './license-update.js';
import type { Continuations } from './paging.js';
import { routeSubscriptions } from './subscriptions.js';

export interface RouteContext {
  customers: Map<string, FakeTenant>;
  paging: Continuations;
  /** The warnings the next successful licenseupdates answer carries (taken once). */
  takeWarnings: () => FakeLicenseWarning[];
}

export interface PcRequest {
  method: string;
  url: URL;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export function route(context: RouteContext, req: PcRequest): Answer {
  const parts = req.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'v1' || parts[1] !== 'customers') return pcError(404, 1000, 'Resource not found.');
  if (parts.length === 2 && req.method === 'GET') return listCustomers(context, req);
  const customer = context.customers.get(parts[2] ?? '');
  if (!customer) return pcError(404, 60003, 'Tenant not found');
  if (parts.length === 3 && req.method === 'GET') return { status: 200, body: customerJson(customer) };
  if (parts[3] === 'subscribedskus' && parts.length === 4 && req.method === 'GET') {
    return subscribedSkus(customer, req.url.searchParams.getAll('licenseGroupIds'));
  }
  if (parts[3] === 'subscriptions') return routeSubscriptions(customer, req.method, parts.slice(4));
  if (parts[3] !== 'users') return pcError(404, 1000, 'Resource not found.');
  return routeUser(context, req, customer, parts.slice(4));
}

/** GET /v1/customers, all or filtered by a starts_with on CompanyName or Domain. */
function listCustomers(context: RouteContext, req: PcRequest): Answer {
  const filterText = req.url.searchParams.get('filter');
  let filter: { Field: string; Value: string; Operator: string } | null = null;
  if (filterText) {
    try {
      filter = JSON.parse(filterText);
    } catch {
      return pcError(400, 800002, 'The filter is not valid.');
    }
    if (filter?.Operator !== 'starts_with' || !['CompanyName', 'Domain'].includes(filter.Field)) {
      return pcError(400, 800002, 'The filter is not valid.');
    }
  }
  return context.paging.list(req.url, req.headers, () => {
    const value = filter?.Value.toLowerCase() ?? '';
    return [...context.customers.values()]
      .filter((c) => {
        if (!filter) return true;
        const field =
          filter.Field === 'Domain' ? (customerJson(c).companyProfile.domain ?? '') : (c.name ?? '');
        return field.toLowerCase().startsWith(value);
      })
      .map(customerJson);
  });
}

/** …/users, …/users/{id}, …/users/{id}/licenses and …/users/{id}/licenseupdates. */
function routeUser(context: RouteContext, req: PcRequest, customer: FakeTenant, rest: string[]): Answer {
  if (rest.length === 0 && req.method === 'GET') {
    return context.paging.list(req.url, req.headers, () => customer.users.map(userJson));
  }
  const user = customer.users.find((u) => u.id === rest[0]);
  if (!user) return pcError(404, 60002, 'User object Id is not found');
  if (rest.length === 1 && req.method === 'GET') return { status: 200, body: userJson(user) };
  if (rest[1] === 'licenses' && req.method === 'GET') return licenses(customer, user);
  if (rest[1] === 'licenseupdates' && req.method === 'POST') {
    return licenseUpdate(customer, user, req.body, context.takeWarnings);
  }
  return pcError(404, 1000, 'Resource not found.');
}
