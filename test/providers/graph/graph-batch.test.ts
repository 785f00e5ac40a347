/** The benchmark's $batch helper (bench/graph-batch.ts) against the Graph fake over HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { applyUserChangesBatch, type BatchItem } from '../../../bench/graph-batch.js';
import { ChangeFailures } from '../../../src/providers/graph/change-failures.js';
import { GraphAuth } from '../../../src/providers/graph/graph-auth.js';
import { GraphClient } from '../../../src/providers/graph/graph-client.js';
import { type GraphFake, makeTenant, SKU, startGraphFake } from '../../support/graph-fake/index.js';

const T1 = '6a1f0000-0000-4000-8000-000000000001';

let fake: GraphFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('Graph $batch (benchmark only)', () => {
  it('sends 20 per call and correlates each answer by id', async () => {
    const tenant = makeTenant({ tenantId: T1, users: 25 });
    fake = await startGraphFake({ tenants: [tenant] });
    const auth = new GraphAuth({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      loginBaseUrl: fake.loginBaseUrl,
      graphBaseUrl: fake.baseUrl,
      networkClient: fake.msalNetworkClient,
    });
    const client = new GraphClient({ auth, baseUrl: fake.baseUrl, http: { backoffMs: 1 } });
    const items: BatchItem[] = tenant.users.map((u, index) => ({
      userId: index === 2 ? 'ghost' : u.id,
      change: { assign: [{ skuId: SKU.E3, disabledPlans: [] }], revoke: [] },
    }));
    const throttledUser = tenant.users[4]?.id ?? 'missing';
    fake.fail({ status: 429, retryAfter: '1.5', method: 'POST', path: throttledUser });

    const results = await applyUserChangesBatch({ client, failures: new ChangeFailures(client) }, T1, items);

    expect(results).toHaveLength(25);
    expect(results[2]).toMatchObject({ reason: 'user_not_found' });
    expect(results[4]).toMatchObject({ reason: 'throttled', retryAfterMs: 1500, transient: true });
    expect(results[9]).toMatchObject({ reason: 'usage_location_missing', skuId: SKU.E3 });
    const ok = results.filter((r) => r === null).length;
    expect(ok).toBe(25 - 4); // ghost, throttled, and users 9 and 19 lack a usage location
    expect(fake.requests.filter((r) => r.batched)).toHaveLength(25);
    // Only the usage-location look-ups after "invalid usage location" go outside the batch.
    expect(fake.requests.filter((r) => !r.batched).map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('gives every item of a call that got no answer the call’s failure', async () => {
    const tenant = makeTenant({ tenantId: T1, users: 3 });
    const graph = await startGraphFake({ tenants: [tenant] });
    const auth = new GraphAuth({
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
      loginBaseUrl: graph.loginBaseUrl,
      graphBaseUrl: graph.baseUrl,
      networkClient: graph.msalNetworkClient,
    });
    const client = new GraphClient({ auth, baseUrl: graph.baseUrl });
    await auth.token(T1); // cached: the batch call itself is what gets no answer
    await graph.close();
    const items = tenant.users.map((u) => ({ userId: u.id, change: { assign: [], revoke: [SKU.E3] } }));

    const results = await applyUserChangesBatch({ client, failures: new ChangeFailures(client) }, T1, items);

    expect(results).toEqual(
      items.map(() => expect.objectContaining({ reason: 'provider_error', transient: true })),
    );
  });
});
