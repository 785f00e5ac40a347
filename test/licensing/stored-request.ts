import type { ChangeRequest } from '../../src/licensing/model.js';
import type { Store } from '../../src/store/store.js';

/** The request as the store holds it; a test that expects one fails here when it is missing. */
export async function storedRequest(store: Pick<Store, 'getRequest'>, id: string): Promise<ChangeRequest> {
  const request = await store.getRequest(id);
  if (!request) throw new Error(`the store holds no request ${id}`);
  return request;
}
