import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterEach, assert, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_FILE, openDemoTenant } from '../../../src/providers/demo/demo-file.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import {
  DEMO_SKUS,
  demoCases,
  generateCustomer,
  generateDemoTenant,
} from '../../../src/providers/demo/generator.js';

/** Small enough to keep these tests fast. */
const small = (): DemoTenantData => ({
  version: 1,
  customers: [
    generateCustomer({ seed: 1, users: 80, name: 'Contoso', id: 'contoso', spareSeats: 0 }),
    generateCustomer({ seed: 2, users: 30, name: 'Fabrikam', id: 'fabrikam', spareSeats: 0 }),
  ],
});

function contosoOf(tenant: DemoTenantData) {
  const contoso = tenant.customers.find((c) => c.customer.name === 'Contoso');
  assert.exists(contoso);
  return contoso;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'demo-tenant-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openDemoTenant', () => {
  it('seeds the file on first start and reads the same tenant back', async () => {
    const nested = path.join(dir, 'data');
    const first = await openDemoTenant(nested, { seed: 9 });
    expect(first.writes).toBe(1);
    const expected = JSON.stringify(generateDemoTenant({ seed: 9 }));
    expect(JSON.stringify(first.data)).toBe(expected);
    const onDisk: unknown = JSON.parse(await readFile(path.join(nested, DEMO_TENANT_FILE), 'utf8'));
    expect(JSON.stringify(onDisk)).toBe(expected);
    const again = await openDemoTenant(nested, { seed: 1 });
    expect(JSON.stringify(again.data)).toBe(expected);
    expect(again.writes).toBe(0);
  });

  it('persists the changes a provider makes, coalescing many into one write', async () => {
    const file = await openDemoTenant(dir, { coalesceMs: 30, initial: small });
    const provider = new DemoProvider({ data: file.data, onChange: file.persist });
    const contoso = contosoOf(file.data);
    const unlicensed = contoso.users.filter((u) => u.usageLocation !== null && !contoso.holdings[u.id]);
    expect(unlicensed.length).toBeGreaterThanOrEqual(5);
    for (const user of unlicensed.slice(0, 5)) {
      await provider.applyUserChange(contoso.customer.id, user.id, {
        assign: [{ skuId: DEMO_SKUS.FLOW_FREE, disabledPlans: [] }],
        revoke: [],
      });
    }
    await file.flush();
    expect(file.writes).toBe(2);
    await setTimeout(60);
    expect(file.writes).toBe(2);

    const reopened = await openDemoTenant(dir);
    const fifth = unlicensed[4];
    assert.exists(fifth);
    expect(contosoOf(reopened.data).holdings[fifth.id]).toEqual([
      { skuId: DEMO_SKUS.FLOW_FREE, disabledPlans: [], direct: true, viaGroups: [] },
    ]);
  });

  it('writes once per quiet window, not once per change', async () => {
    const file = await openDemoTenant(dir, { coalesceMs: 20, initial: small });
    for (let i = 0; i < 500; i++) file.persist();
    await setTimeout(80);
    await file.flush();
    expect(file.writes).toBe(2);
    file.persist();
    await file.flush();
    expect(file.writes).toBe(3);
  });

  it('refuses a file that is not JSON, naming it, and leaves it byte-identical', async () => {
    const target = path.join(dir, DEMO_TENANT_FILE);
    const corrupt = Buffer.from('{"version":1,"customers":[{"customer":');
    await writeFile(target, corrupt);
    await expect(openDemoTenant(dir)).rejects.toThrow(`The demo tenant file ${target} is not valid JSON`);
    expect((await readFile(target)).equals(corrupt)).toBe(true);
  });

  it('refuses JSON that does not match the schema, and leaves it byte-identical', async () => {
    const target = path.join(dir, DEMO_TENANT_FILE);
    const tenant = small();
    const contoso = contosoOf(tenant);
    const [firstUser] = contoso.users;
    assert.exists(firstUser);
    contoso.users[0] = { ...firstUser, usageLocation: 'USA' };
    const wrong = JSON.stringify({ ...tenant, customers: [contoso] });
    await writeFile(target, wrong);
    await expect(openDemoTenant(dir)).rejects.toThrow(
      /does not match the demo tenant schema at customers\.0\.users\.0\.usageLocation/,
    );
    expect(await readFile(target, 'utf8')).toBe(wrong);
    await writeFile(target, '');
    await expect(openDemoTenant(dir)).rejects.toThrow(target);
    expect(await readFile(target, 'utf8')).toBe('');
  });

  it('keeps the failure cases findable after a round trip', async () => {
    await openDemoTenant(dir, { initial: small });
    const { data } = await openDemoTenant(dir);
    for (const customer of data.customers) expect(() => demoCases(customer)).not.toThrow();
  });
});
