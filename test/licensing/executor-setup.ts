/** For the executor tests: a planned request to run, and run options that do not wait. */
import type { RunOptions } from '../../src/licensing/executor.js';
import type { AssignChoice, ChangeRequest, TenantUser } from '../../src/licensing/model.js';
import { planChanges } from '../../src/licensing/plan.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import type { Store } from '../../src/store/store.js';
import { makeChangeRequest } from '../support/licensing-factories.js';
import { RecordingReporter } from '../support/recording-reporter.js';

/**
 * The running request planChanges makes of `choice` for `users` of `customer`, from the products
 * and holdings `provider` reads; a refused plan fails the test. `overrides` go to makeChangeRequest.
 */
export async function plannedRequest(
  provider: Pick<LicenseProvider, 'listProducts' | 'getHoldings'>,
  customer: { id: string; tenantId: string },
  users: readonly TenantUser[],
  choice: { assign?: readonly AssignChoice[]; revoke?: readonly string[] },
  overrides: Partial<ChangeRequest> = {},
): Promise<ChangeRequest> {
  const plan = planChanges({
    users,
    products: await provider.listProducts(customer.id),
    holdings: await provider.getHoldings(
      customer.id,
      users.map((u) => u.id),
    ),
    assign: choice.assign ?? [],
    revoke: choice.revoke ?? [],
  });
  if (!plan.ok) throw new Error(`plan refused: ${JSON.stringify(plan.problems)}`);
  return makeChangeRequest({
    customerId: customer.id,
    tenantId: customer.tenantId,
    status: 'running',
    items: plan.items,
    ...overrides,
  });
}

/** Run options with retries a few ms apart, pacing that never waits, a recording reporter and no warnings; `overrides` on top. */
export function quickRunOptions(
  provider: LicenseProvider,
  store: Store,
  overrides: Partial<RunOptions> = {},
): RunOptions {
  return {
    provider,
    store,
    reporter: new RecordingReporter(),
    tenantWritesPerSecond: 10_000,
    baseDelayMs: 1,
    maxDelayMs: 5,
    logger: { warn: () => {} },
    ...overrides,
  };
}
