/** The Store contract against LowdbStore, in a fresh temp directory per test. */
import { useTempStores } from '../temp-store.js';
import { storeContract } from './store-contract.js';

const stores = useTempStores();

storeContract('lowdb', {
  open: (options = {}) => stores.open(options),
  async replicas(options = {}) {
    // One process holds a lowdb store: two "replicas" are the same store.
    const store = await stores.open(options);
    return [store, store];
  },
});
