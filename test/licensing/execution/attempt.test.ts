import { describe, expect, it } from 'vitest';
import { attemptChange, type TenantCalls } from '../../../src/licensing/execution/attempt.js';
import type { Part } from '../../../src/licensing/execution/parts.js';
import type { RetryPolicy } from '../../../src/licensing/retry.js';
import { LicenseProviderError } from '../../../src/providers/license-provider.js';
import { makeCustomer, makeLicense, makeProduct, makeUser } from '../../support/licensing-factories.js';
import { FakeLicenseProvider } from '../fake-license-provider.js';

const part = (skuId: string): Part => ({ op: 'assign', skuId, disabledPlans: [] });
const timedOut = () => new LicenseProviderError('provider_error', 'timed out', { transient: true });

function calls(maxAttempts = 3) {
  const customer = makeCustomer({ id: 'cust' });
  const provider = new FakeLicenseProvider(
    customer,
    [makeUser({ id: 'u1' })],
    [makeProduct({ skuId: 'e3' }), makeProduct({ skuId: 'visio' })],
  );
  let reads = 0;
  const getHoldings = provider.getHoldings.bind(provider);
  provider.getHoldings = async (customerId, userIds) => {
    reads++;
    return getHoldings(customerId, userIds);
  };
  const retry: RetryPolicy = {
    maxAttempts,
    backoff: { baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
    sleep: async () => {},
  };
  const tenant: TenantCalls = { provider, customerId: 'cust', reads: retry, writes: retry };
  return { provider, tenant, reads: () => reads };
}

describe('attemptChange', () => {
  it('applies all parts in one call, retrying transient failures', async () => {
    const { provider, tenant, reads } = calls();
    let failures = 1;
    provider.refuse = () => (failures-- > 0 ? timedOut() : undefined);
    expect(await attemptChange(tenant, 'u1', [part('e3'), part('visio')])).toEqual({
      ok: true,
      warnings: [],
    });
    expect(provider.calls).toHaveLength(2);
    expect(reads()).toBe(0);
  });

  it('takes a lasting refusal as the verdict without reading the holdings', async () => {
    const { provider, tenant, reads } = calls();
    provider.refuse = () => new LicenseProviderError('mutually_exclusive', 'no');
    expect(await attemptChange(tenant, 'u1', [part('e3')])).toMatchObject({
      ok: false,
      exhausted: false,
      error: { reason: 'mutually_exclusive' },
      landed: [],
    });
    expect(reads()).toBe(0);
  });

  it('counts a change that landed although every attempt timed out as applied', async () => {
    const { provider, tenant, reads } = calls(2);
    provider.failAfterApply = timedOut;
    expect(await attemptChange(tenant, 'u1', [part('e3'), part('visio')])).toEqual({
      ok: true,
      warnings: [],
    });
    expect(reads()).toBe(1);
  });

  it('after an ambiguous refusal, names the parts the holdings show applied', async () => {
    const { provider, tenant } = calls(2);
    provider.hold('u1', [makeLicense('e3')]);
    provider.refuse = timedOut;
    const e3 = part('e3');
    expect(await attemptChange(tenant, 'u1', [e3, part('visio')])).toMatchObject({
      ok: false,
      exhausted: true,
      landed: [e3],
    });
  });
});
