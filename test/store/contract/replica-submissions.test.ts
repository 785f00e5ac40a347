/**
 * Two replicas on one database, each with its own LicensingService and PostgresStore: one
 * operator's submissions racing on both are counted in turn (Store.exclusive), so two revocations
 * that together reach the approval threshold cannot both slip under it.
 */
import { expect, it } from 'vitest';
import { LicensingService } from '../../../src/licensing/licensing-service.js';
import type { Store } from '../../../src/store/store.js';
import { FakeLicenseProvider } from '../../licensing/fake-license-provider.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../../support/licensing-factories.js';
import { describePostgres } from '../../support/postgres.js';
import { usePostgresStores } from './postgres-stores.js';

describePostgres('submissions on two replicas', () => {
  const stores = usePostgresStores();

  it('lets no two racing submissions of one operator slip under the threshold', async () => {
    const customer = makeCustomer({ id: 'cust', tenantId: 'tenant', name: 'Contoso' });
    const users = Array.from({ length: 4 }, (_, i) => makeUser({ id: `u${i}` }));
    const provider = new FakeLicenseProvider(customer, users, [
      makeProduct({ skuId: 'visio', name: 'Visio' }),
    ]);
    for (const user of users) provider.hold(user.id, [makeLicense('visio')]);
    // Planning takes a while, as it does against a real tenant: both replicas are inside at once.
    provider.latencyMs = 20;
    const serviceOn = (store: Store) =>
      new LicensingService({
        provider,
        store,
        approvalRevokeThreshold: 3,
        approvalTtlHours: 24,
        tenantWritesPerSecond: 1000,
        logger: { warn: () => {} },
      });
    const [a, b] = await stores.replicas();
    const replicas = [serviceOn(a), serviceOn(b)];
    const racing = await Promise.all(
      [
        ['u0', 'u1'],
        ['u2', 'u3'],
      ].map((userIds, i) =>
        replicas[i]?.submit({
          customerId: 'cust',
          userIds,
          assign: [],
          revoke: ['visio'],
          requestedBy: 'U_OP',
        }),
      ),
    );
    expect(racing.map((result) => result?.ok).sort()).toEqual([false, true]);
    expect(racing.find((result) => result?.ok === false)).toMatchObject({
      problems: [{ kind: 'reason_required', basis: { own: 2, earlierRevocations: 2, total: 4 } }],
    });
    expect(await a.listRequestHeaders({ limit: 10 })).toHaveLength(1);
  });
});
