import fc from 'fast-check';
import { assert, describe, expect, it } from 'vitest';
import type { TenantUser } from '../../../src/licensing/model.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { generateCustomer, generateDemoTenant } from '../../../src/providers/demo/generator.js';

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The obvious, slow definition the index must agree with. */
function linearSearch(users: readonly TenantUser[], query: string): TenantUser[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return users
    .filter((user) => {
      const tokens = [...fold(user.displayName).split(/[\s\-'’.]+/), ...fold(user.displayName).split(/\s+/)];
      const email = user.email.toLowerCase();
      return words.every((w) => email.startsWith(w) || tokens.some((t) => t.startsWith(w)));
    })
    .sort((a, b) => {
      const ka = fold(a.displayName);
      const kb = fold(b.displayName);
      if (ka !== kb) return ka < kb ? -1 : 1;
      if (a.displayName !== b.displayName) return a.displayName < b.displayName ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}

function handmade(): DemoTenantData {
  const data = generateCustomer({ seed: 3, users: 20, id: 'c1', name: 'Handmade' });
  data.users = [
    { id: 'u3', displayName: 'José Álvarez', email: 'jose.alvarez@handmade.test', usageLocation: 'ES' },
    { id: 'u1', displayName: 'Anna Smith', email: 'anna.smith@handmade.test', usageLocation: 'US' },
    { id: 'u2', displayName: 'anna smith', email: 'a.smith2@handmade.test', usageLocation: 'US' },
    { id: 'u0', displayName: 'Anna Smith', email: 'zz@handmade.test', usageLocation: 'US' },
    { id: 'u4', displayName: 'Jean-Luc Picard', email: 'captain@handmade.test', usageLocation: 'FR' },
    { id: 'u5', displayName: "Liam O'Brien", email: 'liam@handmade.test', usageLocation: 'IE' },
  ];
  data.holdings = {};
  return { version: 1, customers: [data] };
}

describe('DemoProvider.searchCustomers', () => {
  const provider = new DemoProvider({ data: generateDemoTenant() });

  it('matches a prefix of any word of the name, ignoring case, sorted by name', async () => {
    expect((await provider.searchCustomers('TRA', 10)).map((c) => c.name)).toEqual([
      "Margie's Travel",
      'Northwind Traders',
      'Tailwind Traders',
    ]);
    expect((await provider.searchCustomers('cont', 10)).map((c) => c.name)).toEqual(['Contoso']);
    expect((await provider.searchCustomers('woodgrovebank.c', 10)).map((c) => c.name)).toEqual([
      'Woodgrove Bank',
    ]);
  });

  it('lists the first ones by name for an empty query and honours the limit', async () => {
    const first = await provider.searchCustomers('', 3);
    expect(first.map((c) => c.name)).toEqual(['A. Datum Corporation', 'Adventure Works', 'Alpine Ski House']);
    expect(await provider.searchCustomers('zzz', 10)).toEqual([]);
  });

  it('gets a customer by id, or null', async () => {
    const [contoso] = await provider.searchCustomers('contoso', 1);
    assert.exists(contoso);
    expect(await provider.getCustomer(contoso.id)).toEqual(contoso);
    expect(await provider.getCustomer('missing')).toBeNull();
  });
});

describe('DemoProvider.searchUsers', () => {
  it('finds by display-name word or e-mail prefix, accents and case folded, in stable order', async () => {
    const provider = new DemoProvider({ data: handmade() });
    const ids = async (query: string) =>
      (await provider.searchUsers('c1', { query, offset: 0, limit: 50 })).users.map((u) => u.id);
    expect(await ids('anna')).toEqual(['u0', 'u1', 'u2']);
    expect(await ids('SMI')).toEqual(['u0', 'u1', 'u2']);
    expect(await ids('a.smith')).toEqual(['u2']);
    expect(await ids('jose')).toEqual(['u3']);
    expect(await ids('alv')).toEqual(['u3']);
    expect(await ids('luc')).toEqual(['u4']);
    expect(await ids('jean-l')).toEqual(['u4']);
    expect(await ids("o'b")).toEqual(['u5']);
    expect(await ids('brien')).toEqual(['u5']);
    expect(await ids('captain@')).toEqual(['u4']);
    expect(await ids('anna zz')).toEqual(['u0']);
    expect(await ids('mith')).toEqual([]);
    expect(await ids('')).toEqual(['u0', 'u1', 'u2', 'u4', 'u3', 'u5']);
  });

  it('agrees with a linear scan on totals and pages for any prefix (property)', async () => {
    const data = generateCustomer({ seed: 11, users: 3000, id: 'big' });
    const provider = new DemoProvider({ data: { version: 1, customers: [data] } });
    const prefixes = [...new Set(data.users.flatMap((u) => [u.displayName, u.email]))];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        async (source, length, offset, limit) => {
          const query = source.slice(0, length);
          const expected = linearSearch(data.users, query);
          const page = await provider.searchUsers('big', { query, offset, limit });
          expect(page.total).toBe(expected.length);
          expect(page.users.map((u) => u.id)).toEqual(
            expected.slice(offset, offset + limit).map((u) => u.id),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('pages without gaps or repeats across the whole large customer', async () => {
    const tenant = generateDemoTenant();
    const large = tenant.customers.find((c) => c.users.length >= 2500);
    assert.exists(large);
    const provider = new DemoProvider({ data: tenant });
    const seen: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await provider.searchUsers(large.customer.id, { query: '', offset, limit: 100 });
      expect(page.total).toBe(large.users.length);
      if (page.users.length === 0) break;
      seen.push(...page.users.map((u) => u.id));
    }
    expect(seen).toEqual(linearSearch(large.users, '').map((u) => u.id));
  });

  it('refuses an unknown customer', async () => {
    const provider = new DemoProvider({ data: handmade() });
    await expect(provider.searchUsers('nope', { query: '', offset: 0, limit: 5 })).rejects.toMatchObject({
      reason: 'provider_error',
    });
  });
});

describe('DemoProvider user look-ups', () => {
  it('gets users by id in stable order, leaving unknown ids out', async () => {
    const provider = new DemoProvider({ data: handmade() });
    const users = await provider.getUsers('c1', ['u5', 'missing', 'u1', 'u0', 'u1']);
    expect(users.map((u) => u.id)).toEqual(['u0', 'u1', 'u5']);
  });

  it('finds users by e-mail ignoring case and returns the rest as given', async () => {
    const provider = new DemoProvider({ data: handmade() });
    const result = await provider.findUsersByEmail('c1', [
      ' Liam@Handmade.test',
      'ANNA.SMITH@handmade.test',
      'Nobody@Handmade.test',
      'anna.smith',
    ]);
    expect(result.found.map((u) => u.id)).toEqual(['u1', 'u5']);
    expect(result.notFound).toEqual(['Nobody@Handmade.test', 'anna.smith']);
  });

  it('hands out copies, so callers cannot change the tenant', async () => {
    const provider = new DemoProvider({ data: handmade() });
    const [user] = await provider.getUsers('c1', ['u1']);
    assert.exists(user);
    user.displayName = 'Changed';
    expect(await provider.getUsers('c1', ['u1'])).toMatchObject([{ displayName: 'Anna Smith' }]);
  });
});
