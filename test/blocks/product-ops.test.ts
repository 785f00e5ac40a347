import { describe, expect, it } from 'vitest';
import { compareProductOps, groupByProductOp, productOrder } from '../../blocks/product-ops.js';

const request = {
  products: [
    { skuId: 'visio', name: 'Visio' },
    { skuId: 'e3', name: 'Office 365 E3' },
  ],
};

describe('product × operation lines', () => {
  it("places a product by the request's order, a product it does not name last", () => {
    const rank = productOrder(request);
    expect([rank('visio'), rank('e3')]).toEqual([0, 1]);
    expect(rank('gone')).toBeGreaterThan(rank('e3'));
  });

  it("orders assignments first, then by the request's product order, unnamed products last by id", () => {
    const lines = [
      { op: 'revoke' as const, skuId: 'visio' },
      { op: 'assign' as const, skuId: 'zz-gone' },
      { op: 'assign' as const, skuId: 'e3' },
      { op: 'assign' as const, skuId: 'aa-gone' },
      { op: 'revoke' as const, skuId: 'e3' },
      { op: 'assign' as const, skuId: 'visio' },
    ];
    expect([...lines].sort(compareProductOps(request))).toEqual([
      { op: 'assign', skuId: 'visio' },
      { op: 'assign', skuId: 'e3' },
      { op: 'assign', skuId: 'aa-gone' },
      { op: 'assign', skuId: 'zz-gone' },
      { op: 'revoke', skuId: 'visio' },
      { op: 'revoke', skuId: 'e3' },
    ]);
  });

  it('groups parts by product and operation, each group in the order of its parts, the groups in line order', () => {
    const parts = [
      { op: 'revoke' as const, skuId: 'visio', userId: 'u1' },
      { op: 'assign' as const, skuId: 'e3', userId: 'u1' },
      { op: 'assign' as const, skuId: 'e3', userId: 'u2' },
      { op: 'revoke' as const, skuId: 'e3', userId: 'u3' },
    ];
    expect(groupByProductOp(request, parts)).toEqual([
      { op: 'assign', skuId: 'e3', parts: [parts[1], parts[2]] },
      { op: 'revoke', skuId: 'visio', parts: [parts[0]] },
      { op: 'revoke', skuId: 'e3', parts: [parts[3]] },
    ]);
  });
});
