/**
 * The Slack assign flow end to end with LICENSE_PROVIDER=graph: the app built by the harness,
 * with the provider createProvider makes from the Graph environment, against the local Graph fake
 * over real HTTP (MSAL token, $search typeahead, subscribedSkus, assignLicense).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { makeTenant, SKU } from '../support/graph-fake/index.js';
import { current, finishedRun, present, selectUsers, submitChange, textOf } from './flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000001';

// Every e2e file reports its ack latencies; the last one prints p50/p99 over all of them.
afterAll(() => reportAckLatencies('graph-flow.test.ts'));

describe('assign flow on Microsoft Graph', () => {
  it('assigns through assignLicense and reports the user Graph refused, in the thread', async () => {
    const h = closedAfterTest(
      await startGraphApp({
        fake: { tenants: [makeTenant({ tenantId: TENANT, users: 30, name: 'Contoso' })] },
      }),
    );
    const { graph } = h;
    const users = graph.tenant(TENANT).users;
    const located = present(users[0], 'Ada Adams 0'); // usage location US
    const unlocated = present(users[9], 'Jonas Adams 9'); // no usage location

    const manage = await selectUsers(h, { id: TENANT, name: 'Contoso' }, [located, unlocated]);
    const submitted = await submitChange(h, manage.id, { assign: [SKU.E3] });
    expect(submitted.responseAction).toBe('update');
    expect(current(h, manage.id).callbackId).toBe(ids.views.submitted);

    const { summary, thread } = await finishedRun(h);
    expect(textOf([summary])).toContain('Completed');
    expect(textOf(thread)).toContain('Office 365 E3');
    expect(textOf(thread)).toContain('usage location');

    expect(graph.user(TENANT, located.id).licenses.map((l) => l.skuId)).toEqual([SKU.E3]);
    expect(graph.user(TENANT, unlocated.id).licenses).toEqual([]);
    const posts = graph.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path).sort()).toEqual(
      [`/users/${located.id}/assignLicense`, `/users/${unlocated.id}/assignLicense`].sort(),
    );
    for (const post of posts) {
      expect(post.body).toEqual({ addLicenses: [{ skuId: SKU.E3, disabledPlans: [] }], removeLicenses: [] });
    }
    const searches = graph.requests.filter((r) => r.path === '/users' && r.url.includes('search'));
    expect(searches.length).toBeGreaterThan(0);
    for (const search of searches) expect(search.headers.consistencylevel).toBe('eventual');
    expect(graph.tokenRequests.filter((r) => r.ok)).toHaveLength(1);
    expect(h.logger.errors()).toEqual([]);
  });
});
