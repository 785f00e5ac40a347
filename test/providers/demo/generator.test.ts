import { describe, expect, it } from 'vitest';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import { DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import {
  DEMO_CATALOG,
  DEMO_SKUS,
  demoCases,
  generateCustomer,
  generateDemoTenant,
} from '../../../src/providers/demo/generator.js';
import { expiryDate } from '../../../src/providers/demo/lifecycle.js';
import { present } from './tenant-files.js';

const tenant = generateDemoTenant();

describe('generateDemoTenant', () => {
  it('makes the same tenant for the same seed and another for another seed', () => {
    expect(JSON.stringify(generateDemoTenant())).toBe(JSON.stringify(tenant));
    expect(JSON.stringify(generateDemoTenant({ seed: 2 }))).not.toBe(JSON.stringify(tenant));
  });

  it('matches the stored-file schema', () => {
    expect(DemoTenantData.safeParse(tenant).success).toBe(true);
  });

  it('has ~25 named customers from 20 to several thousand users, one large enough for paging', () => {
    const sizes = tenant.customers.map((c) => c.users.length);
    expect(tenant.customers).toHaveLength(25);
    expect(Math.min(...sizes)).toBe(20);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(2500);
    expect(tenant.customers.map((c) => c.customer.name)).toContain('Contoso');
    expect(new Set(tenant.customers.map((c) => c.customer.id)).size).toBe(25);
  });

  it('gives users unique ids and e-mails, several countries and a few without usage location', () => {
    for (const { users } of tenant.customers) {
      expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
      expect(new Set(users.map((u) => u.email.toLowerCase())).size).toBe(users.length);
      expect(users.filter((u) => u.usageLocation === null).length).toBeGreaterThanOrEqual(2);
    }
    const countries = new Set(tenant.customers.flatMap((c) => c.users.map((u) => u.usageLocation)));
    expect(countries.size).toBeGreaterThan(10);
  });

  it('sells the 18 real products with their real ids, one without seats, one suspended, one in warning', () => {
    expect(DEMO_CATALOG).toHaveLength(18);
    expect(DEMO_SKUS.ENTERPRISEPACK).toBe('6fd2c87f-b296-42f0-b197-1e91e994b900');
    expect(DEMO_SKUS.POWER_BI_PRO).toBe('f8a1db68-be16-40ed-86d5-cb42ce701560');
    for (const data of tenant.customers) {
      expect(data.products.map((p) => p.skuId)).toEqual(DEMO_CATALOG.map((p) => p.skuId));
      const held = (skuId: string) =>
        Object.values(data.holdings).filter((licenses) => licenses.some((l) => l.skuId === skuId)).length;
      const byPart = new Map(data.products.map((p) => [p.partNumber, p]));
      const powerBi = present(byPart.get('POWER_BI_PRO'), 'Power BI Pro');
      expect(powerBi.prepaid.enabled + powerBi.prepaid.warning).toBe(held(powerBi.skuId));
      expect(byPart.get('EXCHANGESTANDARD')).toMatchObject({ status: 'suspended' });
      expect(byPart.get('VISIOCLIENT')).toMatchObject({ status: 'warning' });
      for (const product of data.products) {
        const total = product.prepaid.enabled + product.prepaid.warning;
        if (product.status !== 'suspended') expect(total).toBeGreaterThanOrEqual(held(product.skuId));
      }
    }
  });

  it('offers every failure case in every customer', () => {
    for (const data of tenant.customers) {
      const cases = demoCases(data);
      expect(cases.noUsageLocation.usageLocation).toBeNull();
      expect(['US', 'GB', 'DE']).not.toContain(cases.outsideCallingPlanCountries.usageLocation);
      expect(data.holdings[cases.unlicensed.id]).toBeUndefined();
      expect(data.holdings[cases.groupInherited.id]).toEqual([
        {
          skuId: DEMO_SKUS.EMS,
          disabledPlans: [],
          direct: false,
          viaGroups: [present(data.groups[0], 'the EMS group').id],
        },
      ]);
      expect(new Set(Object.values(cases).map((u) => u.id)).size).toBe(Object.keys(cases).length);
    }
  });
});

describe('generateCustomer', () => {
  it('makes one deterministic customer of the asked size with the given name and id', () => {
    const a = generateCustomer({ seed: 5, users: 1000, name: 'Bench Co', id: 'bench' });
    expect(a.users).toHaveLength(1000);
    expect(a.customer).toMatchObject({ id: 'bench', name: 'Bench Co', domain: 'benchco.com' });
    expect(JSON.stringify(generateCustomer({ seed: 5, users: 1000, name: 'Bench Co', id: 'bench' }))).toBe(
      JSON.stringify(a),
    );
    demoCases(a);
  });

  it('keeps 1,000 seats free for runs, except the empty and the suspended product', () => {
    const data = generateCustomer({ seed: 5, users: 1000 });
    const consumed = (skuId: string) =>
      Object.values(data.holdings).filter((licenses) => licenses.some((l) => l.skuId === skuId)).length;
    for (const product of data.products) {
      const free = product.prepaid.enabled + product.prepaid.warning - consumed(product.skuId);
      if (product.partNumber === 'POWER_BI_PRO' || product.partNumber === 'EXCHANGESTANDARD')
        expect(free).toBe(0);
      else expect(free).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('the demo product in warning', () => {
  it('expires DEMO_GRACE_DAYS after the tenant was created; no other product has a date', () => {
    const created = generateDemoTenant({ createdAt: new Date('2026-11-29T04:50:00Z') });
    for (const { products } of created.customers) {
      for (const product of products) {
        if (product.status === 'warning') expect(product.nextLifecycleDate).toBe('2026-12-29T00:00:00.000Z');
        else expect(product.nextLifecycleDate).toBeUndefined();
      }
    }
    expect(created.customers[0]?.products.some((p) => p.status === 'warning')).toBe(true);
    expect(expiryDate(new Date('2026-11-29T23:59:59Z'))).toBe('2026-12-29T00:00:00.000Z');
  });

  it('lists the date through the provider, and a tenant stored before it (no date) still loads', async () => {
    const data = generateDemoTenant({ createdAt: new Date('2026-11-29T00:00:00Z') });
    const customer = data.customers[0];
    if (customer === undefined) throw new Error('no customer');
    const provider = new DemoProvider({ data });
    const visio = (await provider.listProducts(customer.customer.id)).find(
      (p) => p.skuId === DEMO_SKUS.VISIOCLIENT,
    );
    expect(visio?.nextLifecycleDate).toBe('2026-12-29T00:00:00.000Z');
    const old = JSON.parse(JSON.stringify(data)) as {
      customers: { products: { nextLifecycleDate?: string }[] }[];
    };
    for (const c of old.customers) for (const p of c.products) delete p.nextLifecycleDate;
    const parsed = DemoTenantData.parse(old);
    const oldProvider = new DemoProvider({ data: parsed });
    const oldVisio = (await oldProvider.listProducts(customer.customer.id)).find(
      (p) => p.skuId === DEMO_SKUS.VISIOCLIENT,
    );
    expect(oldVisio?.status).toBe('warning');
    expect(oldVisio).not.toHaveProperty('nextLifecycleDate');
  });
});
