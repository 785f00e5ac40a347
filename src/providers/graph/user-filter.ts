/**
 * Users by what they hold, through Graph's $filter on /users (reference §1.3): holders of a SKU
 * (`assignedLicenses/any(x:x/skuId eq {id})`, a default query; group-inherited licenses are in
 * assignedLicenses too), users holding nothing (`assignedLicenses/$count eq 0`) and users without
 * a usage location (`usageLocation eq null`). Counting a collection and comparing with null are
 * advanced queries: Graph refuses them without `ConsistencyLevel: eventual` and `$count=true`.
 */
import { z } from 'zod';
import { LicenseProviderError, type UserFilter, type UserFilterKind } from '../license-provider.js';
import type { GraphClient } from './graph-client.js';

export const GRAPH_USER_FILTERS: readonly UserFilterKind[] = ['holds', 'holdsNothing', 'noUsageLocation'];

const IdPage = z.object({
  value: z.array(z.object({ id: z.string().min(1) })),
  '@odata.nextLink': z.string().optional(),
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADVANCED = { ConsistencyLevel: 'eventual' };
/** Graph's largest page of users. */
const TOP = 999;

/** The $filter of a user filter, and whether Graph answers it only as an advanced query. */
export function graphFilterOf(filter: UserFilter): { filter: string; advanced: boolean } {
  if ('holds' in filter) {
    if (!GUID.test(filter.holds)) {
      throw new LicenseProviderError('provider_error', `Graph: ${filter.holds} is not a SKU id`);
    }
    return { filter: `assignedLicenses/any(x:x/skuId eq ${filter.holds.toLowerCase()})`, advanced: false };
  }
  if ('holdsNothing' in filter) return { filter: 'assignedLicenses/$count eq 0', advanced: true };
  return { filter: 'usageLocation eq null', advanced: true };
}

/** Every matching user's id, following @odata.nextLink (headers resent on every page). */
export async function userIdsWhere(
  client: GraphClient,
  tenantId: string,
  filter: UserFilter,
): Promise<string[]> {
  const { filter: expression, advanced } = graphFilterOf(filter);
  const params = [`$filter=${encodeURIComponent(expression)}`, '$select=id', `$top=${TOP}`];
  if (advanced) params.push('$count=true');
  const headers = advanced ? ADVANCED : undefined;
  const ids: string[] = [];
  let url: string | undefined = `/users?${params.join('&')}`;
  while (url) {
    const page: z.infer<typeof IdPage> = await client.read(tenantId, url, IdPage, headers);
    ids.push(...page.value.map((user) => user.id));
    url = page['@odata.nextLink'];
  }
  return ids;
}
