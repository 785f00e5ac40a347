/**
 * "Replace A with B" end to end with LICENSE_PROVIDER=graph, against the local Graph fake over
 * real HTTP: one assignLicense per holder of A with B added and A removed, nothing for a user
 * without A, and a refused call (no usage location) leaving the user with A, reported with both
 * products.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type GraphApp, reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { makeTenant, SKU } from '../support/graph-fake/index.js';
import { finishedRun, present, selectUsers, textOf } from './flow.js';
import { submitReplace } from './replace-flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000002';

let h: GraphApp | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => reportAckLatencies('graph-replace.test.ts'));

describe('replace A with B on Microsoft Graph', () => {
  it('adds E3 and removes E1 in one assignLicense per holder of E1, and none for a user without it', async () => {
    const tenant = makeTenant({ tenantId: TENANT, users: 30, name: 'Contoso' });
    const { users } = tenant;
    const [ada, second] = [present(users[0], 'user 0'), present(users[1], 'user 1')];
    const unlocated = present(users[9], 'user 9'); // no usage location: E3 cannot be assigned
    const without = present(users[2], 'user 2');
    for (const holder of [ada, second, unlocated]) {
      holder.licenses = [{ skuId: SKU.E1, disabledPlans: [], assignedByGroup: null }];
    }
    h = await startGraphApp({ fake: { tenants: [tenant] } });
    const { graph } = h;

    const manage = await selectUsers(h, { id: TENANT, name: 'Contoso' }, [ada, second, unlocated, without]);
    const submitted = await submitReplace(h, manage.id, { from: SKU.E1, to: SKU.E3 });
    expect(submitted.responseAction).toBe('update');

    const { summary, thread } = await finishedRun(h);
    expect(textOf([summary])).toMatch(/Replace \*[^*]+\* with \*Office 365 E3\*: 3 users \(1 does not have/);
    const threadText = textOf(thread);
    expect(threadText).toMatch(/Replaced \*[^*]+\* with \*Office 365 E3\* for 2 users/);
    expect(threadText).toContain(`with *Office 365 E3* for ${unlocated.displayName}`);
    expect(threadText).toContain('Could not replace');
    expect(threadText).toContain('Nothing to replace');

    const skus = (id: string) => graph.user(TENANT, id).licenses.map((l) => l.skuId);
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
  });
});
