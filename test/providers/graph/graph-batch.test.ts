/** The benchmark's $batch helper (bench/graph-batch.ts) against the Graph fake over HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { applyUserChangesBatch, type BatchItem } from '../../../bench/graph-batch.js';
import { ChangeFailures } from '../../../src/providers/graph/change-failures.js';
import { GraphClient } from '../../../src/providers/graph/graph-client.js';
import {
  fakeGraphAuth,
  type GraphFake,
  makeTenant,
  SKU,
  startGraphFake,
} from '../../support/graph-fake/index.js';

const T1 = '6a1f0000-0000-4000-8000-000000000001';

const started: GraphFake[] = [];
afterEach(() => Promise.all(started.splice(0).map((fake) => fake.close())));

/** A fake with `users` users, and what the helper needs to reach it. */
async function batchOn(users: number) {
  const tenant = makeTenant({ tenantId: T1, users });
  const fake = await startGraphFake({ tenants: [tenant] });
  const auth = fakeGraphAuth(fake);
  const client = new GraphClient({ auth, baseUrl: fake.baseUrl, http: { backoffMs: 1 } });
  const send = (items: readonly BatchItem[]) =>
    applyUserChangesBatch({ client, failures: new ChangeFailures(client) }, T1, items);
  return { tenant, fake, auth, send };
}

describe('Graph $batch (benchmark only)', () => {
  it('sends 20 per call and correlates each answer by id', async () => {
    const { tenant, fake, send } = await batchOn(25);
    started.push(fake);
    const items: BatchItem[] = tenant.users.map((u, index) => ({
      userId: index === 2 ? 'ghost' : u.id,
      change: { assign: [{ skuId: SKU.E3, disabledPlans: [] }], revoke: [] },
    }));
    fake.fail({ status: 429, retryAfter: '1.5', method: 'POST', path: tenant.users[4]?.id ?? 'missing' });

    const results = await send(items);

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
    const { tenant, fake, auth, send } = await batchOn(3);
    await auth.token(T1); // cached: the batch call itself is what gets no answer
    await fake.close();
    const items = tenant.users.map((u) => ({ userId: u.id, change: { assign: [], revoke: [SKU.E3] } }));

    const results = await send(items);

    expect(results).toEqual(
      items.map(() => expect.objectContaining({ reason: 'provider_error', transient: true })),
    );
  });
});
