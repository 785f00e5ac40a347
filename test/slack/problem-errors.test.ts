import { describe, expect, it } from 'vitest';
import { renderLicensesStep } from '../../blocks/licenses-step.js';
import type { ProductOverview } from '../../src/licensing/licensing-service.js';
import { problemErrors } from '../../src/slack/listeners/submit-errors.js';
import { makeProduct } from '../support/licensing-factories.js';

function view(products: number) {
  const overview: ProductOverview[] = Array.from({ length: products }, (_, i) => ({
    product: makeProduct({ skuId: `sku-${i}`, name: `Product ${i}` }),
    holders: [],
    inheritedHolders: [],
    state: 'none',
  }));
  return renderLicensesStep({
    draftId: 'drf_1',
    customerName: 'Contoso',
    selectedCount: 2,
    products: overview,
    approvalThreshold: 10,
    plannedRevocations: null,
  }) as { blocks: unknown[] };
}

describe('problemErrors', () => {
  it('puts each problem under the checkbox group offering its product', () => {
    const errors = problemErrors(view(12), [
      { kind: 'unknown_product', skuId: 'sku-11' },
      { kind: 'both_ways', skuId: 'sku-3' },
    ]);
    expect(errors).toEqual({
      assign_1: 'Product 11 is no longer offered for this customer.',
      revoke_0: 'Product 3 is ticked both to assign and to revoke.',
    });
  });

  it('puts an empty change under the first assign group and a missing reason under the reason', () => {
    expect(problemErrors(view(2), [{ kind: 'empty' }, { kind: 'reason_required' }])).toEqual({
      assign_0: 'Tick at least one product to assign or to revoke, or choose one to replace.',
      approval_reason: 'This request needs a manager’s approval: give a reason.',
    });
  });
});
