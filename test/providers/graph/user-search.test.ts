/** Graph's user search keeps each query's fetched pages for paging: bounded, expiring, one fetch at a time. */
import { afterEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../../src/providers/graph/graph-client.js';
import { UserSearches } from '../../../src/providers/graph/user-search.js';
import { fakeGraphAuth, type GraphFake, makeTenant, startGraphFake } from '../../support/graph-fake/index.js';

const T1 = '5e4c0000-0000-4000-8000-000000000001';

let fake: GraphFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** 30 users, pages of 5, searches kept for 1 s on a clock the test moves, at most `max` of them. */
async function searches(max = 10) {
  fake = await startGraphFake({ tenants: [makeTenant({ tenantId: T1, users: 30 })] });
  const clock = { now: 1_000_000 };
  const client = new GraphClient({
    auth: fakeGraphAuth(fake),
    baseUrl: fake.baseUrl,
    http: { backoffMs: 1 },
  });
  const search = new UserSearches(client, { pageSize: 5, ttlMs: 1000, max, now: () => clock.now });
  const userReads = () => fake?.requests.filter((r) => r.path === '/users').length ?? 0;
  return { fake, clock, search, userReads };
}

describe('Graph user search cache', () => {
  it('continues a query from its last next link instead of fetching its first pages again', async () => {
    const { search, userReads } = await searches();
    const first = await search.page(T1, { query: '', offset: 0, limit: 5 });
    expect(first.total).toBe(30);
    const second = await search.page(T1, { query: '', offset: 5, limit: 5 });
    expect(second.users.map((u) => u.id)).not.toContain(first.users[0]?.id);
    expect(userReads()).toBe(2);
    await search.page(T1, { query: '', offset: 0, limit: 10 });
    expect(userReads()).toBe(2);
  });

  it('starts a query over once its pages are older than the time-to-live', async () => {
    const { clock, search, userReads } = await searches();
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    clock.now += 999;
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    expect(userReads()).toBe(1);
    clock.now += 2;
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    expect(userReads()).toBe(2);
  });

  it('keeps at most `max` queries, dropping the least recently used', async () => {
    const { search, userReads } = await searches(2);
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    await search.page(T1, { query: 'ben', offset: 0, limit: 5 });
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    await search.page(T1, { query: 'eva', offset: 0, limit: 5 });
    expect(userReads()).toBe(3);
    await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    expect(userReads()).toBe(3);
    await search.page(T1, { query: 'ben', offset: 0, limit: 5 });
    expect(userReads()).toBe(4);
  });

  it('fetches the pages of concurrent requests for one query one after another, each once', async () => {
    const { search, userReads } = await searches();
    const pages = await Promise.all([
      search.page(T1, { query: '', offset: 0, limit: 5 }),
      search.page(T1, { query: '', offset: 5, limit: 5 }),
      search.page(T1, { query: '', offset: 10, limit: 5 }),
    ]);
    expect(new Set(pages.flatMap((p) => p.users.map((u) => u.id))).size).toBe(15);
    expect(userReads()).toBe(3);
  });

  it('forgets a query whose page failed, so the next request starts it over', async () => {
    const { fake, search, userReads } = await searches();
    fake.fail({ status: 403, path: '/users' });
    await expect(search.page(T1, { query: 'ada', offset: 0, limit: 5 })).rejects.toMatchObject({
      reason: 'provider_error',
    });
    const page = await search.page(T1, { query: 'ada', offset: 0, limit: 5 });
    expect(page.users.length).toBeGreaterThan(0);
    expect(userReads()).toBe(2);
  });
});
