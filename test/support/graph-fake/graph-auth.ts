/** The adapter's GraphAuth pointed at a Graph fake: its login, its app, its MSAL network client. */
import { GraphAuth } from '../../../src/providers/graph/graph-auth.js';
import type { GraphFake } from './server.js';

export function fakeGraphAuth(fake: GraphFake, clientSecret = fake.clientSecret): GraphAuth {
  return new GraphAuth({
    clientId: fake.clientId,
    clientSecret,
    loginBaseUrl: fake.loginBaseUrl,
    graphBaseUrl: fake.baseUrl,
    networkClient: fake.msalNetworkClient,
  });
}
