import type { Checkboxes, InputBlock, KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { patterns } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import { renderServicePlans } from '../../blocks/service-plans.js';
import { validateModalView } from '../support/block-kit.js';
import { makeProduct } from '../support/licensing-factories.js';

function sectionTexts(view: ModalView): string[] {
  return (view.blocks as KnownBlock[]).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function expectFits(view: ModalView): void {
  expect(validateModalView(view)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
  for (const t of sectionTexts(view)) expect(t.length).toBeLessThanOrEqual(limits.sectionText);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(limits.privateMetadata);
}

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
