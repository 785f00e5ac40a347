/**
 * For the LicensingService tests: Contoso on the fake provider, a service on it that does not wait,
 * and submissions by one operator.
 */
import { LicensingService } from '../../src/licensing/licensing-service.js';
import type { Product } from '../../src/licensing/model.js';
import type { LicensingServiceOptions, SubmitInput } from '../../src/licensing/service-types.js';
import type { Store } from '../../src/store/store.js';
import { makeCustomer, makeProduct, makeUser } from '../support/licensing-factories.js';
import { FakeLicenseProvider } from './fake-license-provider.js';

export const CUSTOMER_ID = 'cust';
export const OPERATOR = 'U_OP';

/** Office 365 E3 and Visio, `seats` each. */
export function e3AndVisio(seats = 10): Product[] {
  return [
    makeProduct({ skuId: 'e3', name: 'Office 365 E3', total: seats }),
    makeProduct({ skuId: 'visio', name: 'Visio', total: seats }),
  ];
}

/** Contoso (CUSTOMER_ID, tenant 'tenant') with users u0…u{n-1}, who hold nothing yet, and `products`. */
export function contoso(userCount: number, products: Product[] = e3AndVisio()) {
  const customer = makeCustomer({ id: CUSTOMER_ID, tenantId: 'tenant', name: 'Contoso' });
  const users = Array.from({ length: userCount }, (_, i) => makeUser({ id: `u${i}` }));
  return { provider: new FakeLicenseProvider(customer, users, products), userIds: users.map((u) => u.id) };
}

/** A service on `provider` and `store`: approval from 3 revocations, 24 h to decide it, writes unpaced, verified at once, no warnings; `options` on top. */
export function quickService(
  provider: FakeLicenseProvider,
  store: Store,
  options: Partial<LicensingServiceOptions> = {},
): LicensingService {
  return new LicensingService({
    provider,
    store,
    approvalRevokeThreshold: 3,
    approvalTtlHours: 24,
    tenantWritesPerSecond: 1000,
    logger: { warn: () => {} },
    // Read back at once (the fake provider is consistent), retried after a few ms.
    verification: { delayMs: 0, retryDelayMs: 1 },
    ...options,
  });
}

/** A submission to Contoso by OPERATOR: no product assigned or revoked but those given. */
export function contosoChange(change: Partial<SubmitInput> & Pick<SubmitInput, 'userIds'>): SubmitInput {
  return { customerId: CUSTOMER_ID, assign: [], revoke: [], requestedBy: OPERATOR, ...change };
}

/** Submits `change` (see contosoChange) and returns what the service accepted; a refusal fails the test. */
export async function submitAccepted(
  service: LicensingService,
  change: Partial<SubmitInput> & Pick<SubmitInput, 'userIds'>,
) {
  const submitted = await service.submit(contosoChange(change));
  if (!submitted.ok) throw new Error(`submit refused: ${JSON.stringify(submitted.problems)}`);
  return submitted;
}
