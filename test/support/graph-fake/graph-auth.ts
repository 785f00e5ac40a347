/**
 * The adapter pointed at a Graph fake: its GraphAuth (the fake's login, its app, its MSAL network
 * client) and a GraphProvider on it.
 */
import { StaticCustomerDirectory } from '../../../src/providers/graph/customer-directory.js';
import { GraphAuth } from '../../../src/providers/graph/graph-auth.js';
import { GraphProvider, type GraphProviderOptions } from '../../../src/providers/graph/graph-provider.js';
import type { GraphFake } from './server.js';
import type { FakeTenant } from './tenant.js';

export function fakeGraphAuth(fake: GraphFake, clientSecret = fake.clientSecret): GraphAuth {
  return new GraphAuth({
    clientId: fake.clientId,
    clientSecret,
    loginBaseUrl: fake.loginBaseUrl,
    graphBaseUrl: fake.baseUrl,
    networkClient: fake.msalNetworkClient,
  });
}

/**
 * A GraphProvider on the fake whose customers are `tenants` (by their names, 'x' when unnamed), with
 * a 1 ms back-off; `options` on top (an `auth` of the test's own, its own `http`…).
 */
export function fakeGraphProvider(
  fake: GraphFake,
  tenants: readonly Pick<FakeTenant, 'tenantId' | 'name'>[],
  options: Partial<GraphProviderOptions> = {},
): GraphProvider {
  return new GraphProvider({
    auth: fakeGraphAuth(fake),
    customers: new StaticCustomerDirectory(
      tenants.map((t) => ({ tenantId: t.tenantId, name: t.name ?? 'x' })),
    ),
    baseUrl: fake.baseUrl,
    http: { backoffMs: 1 },
    ...options,
  });
}
