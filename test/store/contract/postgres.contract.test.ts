/** The Store contract against PostgresStore: two replicas are two stores on two pools, one schema. */
import { describePostgres } from '../../support/postgres.js';
import { usePostgresStores } from './postgres-stores.js';
import { storeContract } from './store-contract.js';

describePostgres('PostgresStore', () => {
  const stores = usePostgresStores();
  storeContract('postgres', stores);
});
