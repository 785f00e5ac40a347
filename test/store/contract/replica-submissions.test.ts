/**
 * Two replicas on one database, each with its own LicensingService and PostgresStore: one
 * operator's submissions racing on both are counted in turn (Store.exclusive), so two revocations
 * that together reach the approval threshold cannot both slip under it.
 */
import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { contoso, contosoChange, quickService } from '../../licensing/service-setup.js';
import { makeLicense, makeProduct } from '../../support/licensing-factories.js';
import { describePostgres } from '../../support/postgres.js';
import { usePostgresStores } from './postgres-stores.js';

describePostgres('submissions on two replicas', () => {
  const stores = usePostgresStores();

  it('lets no two racing submissions of one operator slip under the threshold', async () => {
    const { provider, userIds: holders } = contoso(4, [makeProduct({ skuId: 'visio', name: 'Visio' })]);
    for (const userId of holders) provider.hold(userId, [makeLicense('visio')]);
    // Planning takes a while, as it does against a real tenant: both replicas are inside at once.
    provider.latencyMs = 20;
    const serviceOn = (store: Store) => quickService(provider, store);
    const [a, b] = await stores.replicas();
    const replicas = [serviceOn(a), serviceOn(b)];
    const racing = await Promise.all(
      [
        ['u0', 'u1'],
        ['u2', 'u3'],
      ].map((userIds, i) => replicas[i]?.submit(contosoChange({ userIds, revoke: ['visio'] }))),
    );
    expect(racing.map((result) => result?.ok).sort()).toEqual([false, true]);
    expect(racing.find((result) => result?.ok === false)).toMatchObject({
      problems: [{ kind: 'reason_required', basis: { own: 2, earlierRevocations: 2, total: 4 } }],
    });
    expect(await a.listRequestHeaders({ limit: 10 })).toHaveLength(1);
  });
});
