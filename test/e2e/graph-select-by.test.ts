/**
 * "Add every user who…" with LICENSE_PROVIDER=graph, against the Graph fake over real HTTP: the
 * holders of a product (a default $filter query), users holding nothing and users without a usage
 * location (advanced queries: ConsistencyLevel eventual and $count=true, which the fake requires).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { makeTenant, SKU } from '../support/graph-fake/index.js';
import { blocksText, chooseCustomer, click, draftSelection, openLicenses, selectBy } from './flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000002';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000f00d';

afterAll(() => reportAckLatencies('graph-select-by.test.ts'));

describe('select users by what they hold on Microsoft Graph', () => {
  it('selects the holders of E3 (direct or through a group), then the unlicensed and the unlocated', async () => {
    const tenant = makeTenant({ tenantId: TENANT, users: 1200, name: 'Contoso' });
    tenant.users.forEach((user, i) => {
      if (i % 5 !== 0) user.licenses.push({ skuId: SKU.E3, disabledPlans: [], assignedByGroup: null });
      if (i % 10 === 5) user.licenses.push({ skuId: SKU.E3, disabledPlans: [], assignedByGroup: GROUP });
    });
    const h = closedAfterTest(await startGraphApp({ fake: { tenants: [tenant] } }));
    const { graph } = h;
    const users = graph.tenant(TENANT).users;
    const where = (keep: (u: (typeof users)[number]) => boolean) =>
      users
        .filter(keep)
        .map((u) => u.id)
        .sort();

    const root = await openLicenses(h);
    await chooseCustomer(h, root.id, 'Con', TENANT);
    const requestsBefore = graph.requests.length;
    const started = performance.now();
    const view = await selectBy(h, root.id, { holds: SKU.E3 });
    const holders = where((u) => u.licenses.some((l) => l.skuId === SKU.E3));
    console.log(`Graph: ${holders.length} holders selected in ${Math.round(performance.now() - started)} ms`);
    expect(holders.length).toBeGreaterThan(1000);
    const made = graph.requests.slice(requestsBefore).filter((r) => r.path === '/users');
    console.log(
      `Graph: /users requests for it: ${made.filter((r) => decodeURIComponent(r.url).includes('assignedLicenses/any')).length} filter pages, ${made.filter((r) => decodeURIComponent(r.url).includes('id in')).length} by id (the selection shown)`,
    );
    expect(await draftSelection(h, root.id)).toEqual(holders);
    expect(blocksText(view.blocks)).toContain(
      `Added the ${holders.length.toLocaleString('en')} users who hold *Office 365 E3*`,
    );
    expect(view.privateMetadata.length).toBeLessThan(100);

    // A page turn shows the same selection: its users are not read again (user-cache.ts).
    const beforeTurn = graph.requests.length;
    await click(h, root.id, ids.actions.pageNext);
    const byId = graph.requests.slice(beforeTurn).filter((r) => decodeURIComponent(r.url).includes('id in'));
    expect(byId).toEqual([]);

    await selectBy(h, root.id, { noUsageLocation: true });
    await selectBy(h, root.id, { holdsNothing: true });
    const unlocated = where((u) => u.usageLocation === null);
    const unlicensed = where((u) => u.licenses.length === 0);
    expect(unlicensed.length).toBeGreaterThan(0);
    expect(await draftSelection(h, root.id)).toEqual(
      [...new Set([...holders, ...unlocated, ...unlicensed])].sort(),
    );

    const filters = graph.requests.filter(
      (r) => r.path === '/users' && r.url.includes('filter=assignedLicenses'),
    );
    const nulls = graph.requests.filter(
      (r) => r.path === '/users' && decodeURIComponent(r.url).includes('eq null'),
    );
    expect(filters.length).toBeGreaterThan(0);
    expect(nulls.length).toBeGreaterThan(0);
    for (const r of [...filters, ...nulls]) {
      const advanced = !decodeURIComponent(r.url).includes('/any(');
      expect(r.headers.consistencylevel === 'eventual', r.url).toBe(advanced);
    }
    expect(graph.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(h.logger.errors()).toEqual([]);
  });
});
