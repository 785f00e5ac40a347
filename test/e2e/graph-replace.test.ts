/**
 * "Replace A with B" end to end with LICENSE_PROVIDER=graph, against the local Graph fake over
 * real HTTP: one assignLicense per holder of A with B added and A removed, nothing for a user
 * without A, and a refused call (no usage location) leaving the user with A, reported with both
 * products.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { type AppHarness, OPERATOR, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { type GraphFake, makeTenant, SKU, startGraphFake } from '../support/graph-fake/index.js';
import {
  chooseCustomer,
  finishedRun,
  firstName,
  openLicenses,
  pickUsers,
  present,
  textOf,
  toLicenses,
} from './flow.js';
import { submitReplace } from './replace-flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000002';

let h: AppHarness | undefined;
let graph: GraphFake | undefined;
afterEach(async () => {
  await h?.close();
  await graph?.close();
  h = undefined;
  graph = undefined;
});
afterAll(() => reportAckLatencies('graph-replace.test.ts'));

describe('replace A with B on Microsoft Graph', () => {
  it('adds E3 and removes E1 in one assignLicense per holder of E1, and none for a user without it', async () => {
    graph = await startGraphFake({ tenants: [makeTenant({ tenantId: TENANT, users: 30, name: 'Contoso' })] });
    const users = graph.tenant(TENANT).users;
    const [ada, second] = [present(users[0], 'user 0'), present(users[1], 'user 1')];
    const unlocated = present(users[9], 'user 9'); // no usage location: E3 cannot be assigned
    const without = present(users[2], 'user 2');
    for (const holder of [ada, second, unlocated]) {
      holder.licenses = [{ skuId: SKU.E1, disabledPlans: [], assignedByGroup: null }];
    }
    const env = {
      LICENSE_PROVIDER: 'graph',
      GRAPH_CLIENT_ID: graph.clientId,
      GRAPH_CLIENT_SECRET: graph.clientSecret,
      GRAPH_CUSTOMERS: `${TENANT}=Contoso`,
      GRAPH_BASE_URL: graph.baseUrl,
      LOGIN_BASE_URL: graph.loginBaseUrl,
      OPERATOR_USER_IDS: OPERATOR,
    };
    const backend = await createProvider(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_SIGNING_SECRET: 'unused', ...env }),
      { http: { backoffMs: 1 }, msalNetworkClient: graph.msalNetworkClient },
    );
    h = await startAppHarness({ env, wrapProvider: () => backend.provider });

    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TENANT);
    for (const user of [ada, second, unlocated, without])
      await pickUsers(h, root.id, firstName(user), [user.id]);
    await toLicenses(h, root.id);
    const submitted = await submitReplace(h, root.id, { from: SKU.E1, to: SKU.E3 });
    expect(submitted.responseAction).toBe('update');

    const { summary, thread } = await finishedRun(h);
    expect(textOf([summary])).toMatch(/Replace \*[^*]+\* with \*Office 365 E3\*: 3 users \(1 does not have/);
    const threadText = textOf(thread);
    expect(threadText).toMatch(/Replaced \*[^*]+\* with \*Office 365 E3\* for 2 users/);
    expect(threadText).toContain(`with *Office 365 E3* for ${unlocated.displayName}`);
    expect(threadText).toContain('Could not replace');
    expect(threadText).toContain('Nothing to replace');

    const skus = (id: string) => graph?.user(TENANT, id).licenses.map((l) => l.skuId) ?? [];
    expect(skus(ada.id)).toEqual([SKU.E3]);
    expect(skus(second.id)).toEqual([SKU.E3]);
    expect(skus(unlocated.id)).toEqual([SKU.E1]);
    expect(skus(without.id)).toEqual([]);
    const posts = graph.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path).sort()).toEqual(
      [ada, second, unlocated].map((u) => `/users/${u.id}/assignLicense`).sort(),
    );
    for (const post of posts) {
      expect(post.body).toEqual({
        addLicenses: [{ skuId: SKU.E3, disabledPlans: [] }],
        removeLicenses: [SKU.E1],
      });
    }
    expect(h.logger.errors()).toEqual([]);
    await backend.close();
  });
});
