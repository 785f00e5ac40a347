/**
 * What Graph tells beside users and SKUs, end to end over signed HTTP with LICENSE_PROVIDER=graph
 * against the Graph fake: the customer typeahead shows each customer's user count
 * (GET /users/$count, ConsistencyLevel: eventual) and the manage step dates a product whose
 * subscription is ending (GET /directory/subscriptions); an app without the permission for
 * either (403) gets the same flow without the count and without the date.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { StaticCustomerDirectory } from '../../src/providers/graph/customer-directory.js';
import { GraphAuth } from '../../src/providers/graph/graph-auth.js';
import { GraphProvider } from '../../src/providers/graph/graph-provider.js';
import { type AppHarness, OPERATOR, reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { type GraphFake, makeTenant } from '../support/graph-fake/index.js';
import { openLicenses, present, selectUsers } from './flow.js';

const CONTOSO = '9d4f0000-0000-4000-8000-0000000000c1';
const FABRIKAM = '9d4f0000-0000-4000-8000-0000000000f2';
/** The Graph fake's Office 365 E5 subscription is in Warning until then. */
const E5_ENDS = '2026-12-15T00:00:00Z';

afterAll(() => reportAckLatencies('graph-directory-facts.test.ts'));

async function start(): Promise<{ h: AppHarness; graph: GraphFake }> {
  const h = closedAfterTest(
    await startGraphApp({
      fake: {
        tenants: [
          makeTenant({ tenantId: CONTOSO, users: 30, name: 'Contoso' }),
          makeTenant({ tenantId: FABRIKAM, users: 1205, name: 'Fabrikam' }),
        ],
      },
      // Built here rather than by createProvider to give the counts a generous budget: on a loaded
      // machine 800 ms may pass before both tenants' tokens and counts are in.
      buildProvider: (graph) =>
        new GraphProvider({
          auth: new GraphAuth({
            clientId: graph.clientId,
            clientSecret: graph.clientSecret,
            loginBaseUrl: graph.loginBaseUrl,
            graphBaseUrl: graph.baseUrl,
            networkClient: graph.msalNetworkClient,
          }),
          customers: new StaticCustomerDirectory([
            { tenantId: CONTOSO, name: 'Contoso' },
            { tenantId: FABRIKAM, name: 'Fabrikam' },
          ]),
          baseUrl: graph.baseUrl,
          http: { backoffMs: 1 },
          countBudgetMs: 10_000,
        }),
    }),
  );
  return { h, graph: h.graph };
}

/** The customer typeahead's option texts for a query. */
async function customerOptions(app: AppHarness, viewId: string, query: string): Promise<string[]> {
  const suggestion = await app.driver.blockSuggestion({
    userId: OPERATOR,
    viewId,
    blockId: ids.blocks.customer,
    actionId: ids.actions.customer,
    value: query,
  });
  return suggestion.options.map((o) => String((o.text as { text?: unknown }).text));
}

/** Customer → one user → the manage step; its blocks as one string. */
async function manageStep(app: AppHarness, fake: GraphFake): Promise<string> {
  const ada = present(fake.tenant(CONTOSO).users[0], 'Ada Adams 0');
  const manage = await selectUsers(app, { id: CONTOSO, name: 'Contoso' }, [ada]);
  return JSON.stringify(manage.blocks);
}

/** The product line's block text for a product name. */
function productLine(blocks: string, name: string): string {
  const at = blocks.indexOf(`*${name}*`);
  expect(at, `${name} on the manage step`).toBeGreaterThan(-1);
  return blocks.slice(at, blocks.indexOf('"', at));
}

describe('Graph: user counts in the customer typeahead, subscription dates on the manage step', () => {
  it("shows each customer's user count and the date a product's subscription ends", async () => {
    const { h, graph } = await start();
    const root = await openLicenses(h);
    expect(await customerOptions(h, root.id, '')).toEqual(['Contoso · 30 users', 'Fabrikam · 1,205 users']);
    const counts = graph.requests.filter((r) => r.path === '/users/$count');
    expect(counts.map((r) => [r.tenantId, r.status, r.headers.consistencylevel]).sort()).toEqual([
      [CONTOSO, 200, 'eventual'],
      [FABRIKAM, 200, 'eventual'],
    ]);

    const blocks = await manageStep(h, graph);
    const seconds = Date.parse(E5_ENDS) / 1000;
    expect(productLine(blocks, 'Office 365 E5')).toContain(
      `subscription expiring on <!date^${seconds}^{date_short}|2026-12-15 00:00 UTC>`,
    );
    expect(productLine(blocks, 'Office 365 E3')).not.toContain('expiring');
    // The typeahead asked once per customer; the manage step read the subscriptions once.
    expect(graph.requests.filter((r) => r.path === '/users/$count')).toHaveLength(2);
    expect(graph.requests.filter((r) => r.path === '/directory/subscriptions')).toHaveLength(1);
    expect(h.logger.errors()).toEqual([]);
  });

  it('without the permission for either (403), the same flow has no count and no date', async () => {
    const { h, graph } = await start();
    graph.fail({ status: 403, path: '/users/$count', count: 10 });
    graph.fail({ status: 403, path: '/directory/subscriptions', count: 10 });
    const root = await openLicenses(h);
    expect(await customerOptions(h, root.id, '')).toEqual(['Contoso', 'Fabrikam']);

    const blocks = await manageStep(h, graph);
    expect(productLine(blocks, 'Office 365 E5')).toContain('subscription expiring_');
    expect(blocks).not.toContain('subscription expiring on');
    expect(graph.requests.filter((r) => r.path === '/users/$count').map((r) => r.status)).toEqual([403, 403]);
    expect(graph.requests.filter((r) => r.path === '/directory/subscriptions').map((r) => r.status)).toEqual([
      403,
    ]);
    expect(h.logger.errors()).toEqual([]);
  });
});
