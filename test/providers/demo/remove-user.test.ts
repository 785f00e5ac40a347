import { describe, expect, it } from 'vitest';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import { DEMO_SKUS, demoCases, generateCustomer } from '../../../src/providers/demo/generator.js';
import { refusal } from '../../support/provider-refusal.js';
import { contoso, seatsOf } from './tenant-files.js';

const C = 'contoso';

function setup() {
  const data = generateCustomer({ seed: 7, users: 60, id: C, name: 'Contoso', spareSeats: 0 });
  let changes = 0;
  const provider = new DemoProvider({
    data: { version: 1, customers: [data] },
    onChange: () => {
      changes += 1;
    },
  });
  return { provider, data, cases: demoCases(data), changes: () => changes };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  return (await refusal(promise)).reason;
}

describe('DemoProvider.removeUser', () => {
  it('frees the seats the user held and forgets the user everywhere', async () => {
    const { provider, cases, changes } = setup();
    const leaver = cases.baseWithAddOn;
    const held = provider.holdingsOf(C, leaver.id).map((license) => license.skuId);
    expect(held).toContain(DEMO_SKUS.ENTERPRISEPACK);
    const before = new Map(held.map((skuId) => [skuId, seatsOf(provider, skuId, C)]));
    const byEmail = { query: leaver.email, offset: 0, limit: 10 };
    expect((await provider.searchUsers(C, byEmail)).users.map((user) => user.id)).toContain(leaver.id);

    provider.removeUser(C, leaver.id);

    for (const [skuId, product] of before) {
      expect(provider.productOf(C, skuId)).toMatchObject({
        consumed: product.consumed - 1,
        available: product.available + 1,
      });
    }
    expect(provider.holdingsOf(C, leaver.id)).toEqual([]);
    expect(await provider.getUsers(C, [leaver.id, cases.unlicensed.id])).toEqual([cases.unlicensed]);
    expect([...(await provider.getHoldings(C, [leaver.id])).keys()]).toEqual([]);
    expect(await provider.findUsersByEmail(C, [leaver.email])).toEqual({
      found: [],
      notFound: [leaver.email],
    });
    expect((await provider.searchUsers(C, byEmail)).users.map((user) => user.id)).not.toContain(leaver.id);
    expect(contoso(provider.snapshot()).users.map((user) => user.id)).not.toContain(leaver.id);
    expect(changes()).toBe(1);
  });

  it('answers user_not_found for the removed user from then on, and leaves others alone', async () => {
    const { provider, cases } = setup();
    provider.removeUser(C, cases.unlicensed.id);
    expect(
      await reasonOf(
        provider.applyUserChange(C, cases.unlicensed.id, {
          assign: [{ skuId: DEMO_SKUS.EMS, disabledPlans: [] }],
          revoke: [],
        }),
      ),
    ).toBe('user_not_found');
    expect(() => provider.removeUser(C, cases.unlicensed.id)).toThrow(/does not exist/);
    await provider.applyUserChange(C, cases.baseWithAddOn.id, { assign: [], revoke: [DEMO_SKUS.MCOMEETADV] });
    expect(provider.holdingsOf(C, cases.baseWithAddOn.id).map((l) => l.skuId)).not.toContain(
      DEMO_SKUS.MCOMEETADV,
    );
  });
});
