/**
 * Partner Center's subscription end dates (GET …/subscriptions, each licence subscription's SKU
 * from …/provisioningstatus) and user counts (the size of a customer's user list at hand) against
 * the Partner Center fake; a refusal leaves the dates out.
 */
import { describe, expect, it } from 'vitest';
import { PartnerCenterProvider } from '../../../src/providers/partner-center/partner-center-provider.js';
import { PartnerCenterAuth } from '../../../src/providers/partner-center/pc-auth.js';
import { closedAfterTest } from '../../support/closed-after-test.js';
import { DEFAULT_NEXT_LIFECYCLE, makeTenant, SKU } from '../../support/graph-fake/index.js';
import { type PartnerCenterFake, startPartnerCenterFake } from '../../support/partner-center-fake/index.js';

const C1 = '7d4e0000-0000-4000-8000-000000000001';

async function setUp() {
  const pc = closedAfterTest(
    await startPartnerCenterFake({
      customers: [
        makeTenant({ tenantId: C1, users: 42, name: 'Contoso', domain: 'contoso.onmicrosoft.com' }),
      ],
    }),
  );
  const provider = new PartnerCenterProvider({
    auth: new PartnerCenterAuth({
      clientId: pc.clientId,
      clientSecret: pc.clientSecret,
      refreshToken: pc.refreshToken,
      partnerTenantId: pc.partnerTenantId,
      loginBaseUrl: pc.loginBaseUrl,
    }),
    baseUrl: pc.baseUrl,
    http: { backoffMs: 1 },
  });
  return { pc, provider };
}

const subscriptionReads = (pc: PartnerCenterFake) =>
  pc.requests.filter((r) => /\/subscriptions(\/[^/]+\/provisioningstatus)?$/.test(r.path));

describe('Partner Center: subscription end dates and user counts', () => {
  it("dates each product by its live subscription's commitmentEndDate, the SKU from provisioningstatus", async () => {
    const { pc, provider } = await setUp();
    const products = await provider.listProducts(C1);
    const date = (skuId: string) => products.find((p) => p.skuId === skuId)?.nextLifecycleDate;
    expect(products.find((p) => p.skuId === SKU.E5)?.status).toBe('warning');
    expect(date(SKU.E5)).toBe('2026-12-15T00:00:00.000Z');
    expect(date(SKU.E3)).toBe(new Date(DEFAULT_NEXT_LIFECYCLE).toISOString());
    // The suspended subscription says nothing about what comes next.
    expect(date(SKU.CRM_STANDARD)).toBeUndefined();
    const reads = subscriptionReads(pc);
    expect(reads.filter((r) => r.path.endsWith('/subscriptions'))).toHaveLength(1);
    expect(reads.filter((r) => r.path.endsWith('/provisioningstatus')).length).toBeGreaterThan(5);

    await provider.listProducts(C1);
    expect(subscriptionReads(pc)).toHaveLength(reads.length);
  });

  it('without the rights to read subscriptions (403), lists the products undated, asking once', async () => {
    const { pc, provider } = await setUp();
    pc.fail({ status: 403, path: '/subscriptions', count: 5 });
    const products = await provider.listProducts(C1);
    expect(products.find((p) => p.skuId === SKU.E5)?.status).toBe('warning');
    expect(products.every((p) => p.nextLifecycleDate === undefined)).toBe(true);
    await provider.listProducts(C1);
    expect(subscriptionReads(pc).map((r) => r.status)).toEqual([403]);
  });

  it("gives a customer's user count once its user list is at hand, without another call", async () => {
    const { pc, provider } = await setUp();
    expect((await provider.searchCustomers('Con', 10)).map((c) => c.userCount)).toEqual([undefined]);
    await provider.searchUsers(C1, { query: '', offset: 0, limit: 10 });
    expect((await provider.searchCustomers('Con', 10)).map((c) => c.userCount)).toEqual([42]);
    expect(pc.requests.filter((r) => r.path.endsWith('/users'))).toHaveLength(1);
  });
});
