import type { Checkboxes, InputBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { patterns } from '../../blocks/ids.js';
import { renderServicePlans } from '../../blocks/service-plans.js';
import { makeProduct } from '../support/licensing-factories.js';
import { expectFits } from '../support/view-checks.js';

describe('renderServicePlans', () => {
  it('offers every plan in groups of at most 10 with the current choice ticked', () => {
    const plans = Array.from({ length: 23 }, (_, i) => ({
      id: `plan-${i}`,
      name: `PLAN_${i}`,
      friendlyName: `Plan ${i}`,
    }));
    const product = makeProduct({ servicePlans: plans });
    const view = renderServicePlans({ draftId: 'd', product, disabledPlans: ['plan-2', 'plan-15'] });
    expectFits(view);
    expect(view.submit?.text).toBe('Save');
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'd', skuId: product.skuId });
    const groups = (view.blocks as KnownBlock[]).filter(
      (b): b is InputBlock => b.type === 'input' && patterns.planOff.test(b.block_id ?? ''),
    );
    expect(groups).toHaveLength(3);
    const elements = groups.map((g) => g.element as Checkboxes);
    expect(elements.flatMap((e) => e.options.map((o) => o.value))).toEqual(plans.map((p) => p.id));
    expect(elements.flatMap((e) => (e.initial_options ?? []).map((o) => o.value))).toEqual([
      'plan-2',
      'plan-15',
    ]);
    for (const e of elements) expect(e.options.length).toBeLessThanOrEqual(10);
  });

  it('ticks nothing when the choice is unchanged, and has no submit without plans', () => {
    const product = makeProduct();
    const view = renderServicePlans({ draftId: 'd', product, disabledPlans: null });
    expectFits(view);
    expect(JSON.stringify(view.blocks)).not.toContain('initial_options');
    const empty = renderServicePlans({
      draftId: 'd',
      product: makeProduct({ servicePlans: [] }),
      disabledPlans: null,
    });
    expectFits(empty);
    expect(empty.submit).toBeUndefined();
  });
});
