import assert from 'node:assert/strict';
import type { Checkboxes, InputBlock, KnownBlock, ModalView } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignText } from '../../blocks/assign-text.js';
import { ids, patterns } from '../../blocks/ids.js';
import { type LicensesStepData, renderLicensesStep } from '../../blocks/licenses-step.js';
import { limits } from '../../blocks/limits.js';
import { stateText } from '../../blocks/product-lines.js';
import { PREDICTED_REASONS, type PredictedReason, type Refusal } from '../../src/licensing/eligibility.js';
import type { ProductOverview } from '../../src/licensing/licensing-service.js';
import type { Product } from '../../src/licensing/model.js';
import { validateModalView } from '../support/block-kit.js';
import { makeProduct } from '../support/licensing-factories.js';

function overview(
  product: Partial<Product> = {},
  holders: string[] = [],
  inherited: string[] = [],
): ProductOverview {
  const held = new Set([...holders, ...inherited]).size;
  return {
    product: makeProduct(product),
    holders,
    inheritedHolders: inherited,
    state: held === 0 ? 'none' : held === 5 ? 'all' : 'some',
  };
}

function data(overrides: Partial<LicensesStepData> = {}): LicensesStepData {
  return {
    draftId: 'draft-1',
    customerName: 'Contoso',
    selectedCount: 5,
    products: [
      overview({ name: 'Office 365 E3' }, ['u1', 'u2', 'u3']),
      overview({ name: 'Visio Plan 2', total: 10, consumed: 10 }, ['u1', 'u2', 'u3', 'u4', 'u5']),
      overview({ name: 'Power BI Pro', status: 'warning' }, [], ['u1']),
    ],
    approvalThreshold: 10,
    plannedRevocations: null,
    ...overrides,
  };
}

function inputs(view: ModalView, pattern: RegExp): InputBlock[] {
  return (view.blocks as KnownBlock[]).filter(
    (b): b is InputBlock => b.type === 'input' && pattern.test(b.block_id ?? ''),
  );
}

function optionValues(blocks: InputBlock[]): string[] {
  return blocks.flatMap((b) => ((b.element as Checkboxes).options ?? []).map((o) => o.value ?? ''));
}

describe('renderLicensesStep', () => {
  it('is a valid modal: each product with its state, availability and buttons', () => {
    const view = renderLicensesStep(data({ purchaseUrl: 'https://partner.microsoft.com/buy' }));
    expect(validateModalView(view)).toEqual([]);
    expect(view.callback_id).toBe(ids.views.manage);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'draft-1' });
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('3 of 5 selected have it');
    expect(json).toContain('All 5 selected have it');
    expect(json).toContain('1 of 5 selected has it (through a group)');
    expect(json).toContain('*0 available*');
    expect(json).toContain(':warning:');
    expect(json).toContain('https://partner.microsoft.com/buy');
    expect(json).toContain('Who has it');
    expect(json).toContain('cannot be revoked here');
    expect(view.submit?.text).toBe('Apply');
  });

  it('gives a text hint instead of a Buy more link when no purchase URL is set', () => {
    const view = renderLicensesStep(data());
    expect(validateModalView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('buy more in Partner Center');
  });

  it('shows how many service plans are turned off', () => {
    const d = data();
    const product = d.products[0]?.product;
    const plan = product?.servicePlans[0];
    assert(product && plan);
    const sku = product.skuId;
    const view = renderLicensesStep({ ...d, disabledPlansBySku: { [sku]: [plan.id] } });
    expect(JSON.stringify(view.blocks)).toContain('Service plans (1 of 2 off)');
  });

  it('ticks nothing and uses dispatch_action on the revoke groups only', () => {
    const view = renderLicensesStep(data());
    const assign = inputs(view, patterns.assign);
    const revoke = inputs(view, patterns.revoke);
    expect(assign).toHaveLength(1);
    expect(revoke).toHaveLength(1);
    for (const b of [...assign, ...revoke]) expect((b.element as Checkboxes).initial_options).toBeUndefined();
    expect(revoke[0]?.dispatch_action).toBe(true);
    expect(assign[0]).toBeDefined();
    expect(assign[0]?.dispatch_action).toBeUndefined();
  });

  it('shows all 18 products in the assign and revoke groups, at most 10 a group', () => {
    const products = Array.from({ length: 18 }, (_, i) => overview({ name: `Product ${i}` }, ['u1']));
    const view = renderLicensesStep(data({ products }));
    expect(validateModalView(view)).toEqual([]);
    const skus = products.map((p) => p.product.skuId);
    for (const pattern of [patterns.assign, patterns.revoke]) {
      const groups = inputs(view, pattern);
      expect(groups.length).toBe(2);
      for (const g of groups) expect((g.element as Checkboxes).options.length).toBeLessThanOrEqual(10);
      expect(optionValues(groups)).toEqual(skus);
    }
  });

  it('stays within 100 blocks with many products, still listing every one to tick', () => {
    for (const n of [45, 120, 300]) {
      const products = Array.from({ length: n }, (_, i) =>
        overview({ name: `A rather long product name number ${i}`, total: 5, consumed: 5 }, ['u1'], ['u2']),
      );
      const view = renderLicensesStep(data({ products, purchaseUrl: 'https://example.com/buy' }));
      expect(validateModalView(view)).toEqual([]);
      expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
      expect(optionValues(inputs(view, patterns.assign))).toHaveLength(n);
      expect(optionValues(inputs(view, patterns.revoke))).toHaveLength(n);
    }
  });

  it('asks for approval and a required reason when revocations reach the threshold', () => {
    const below = renderLicensesStep(data({ plannedRevocations: 9 }));
    expect(inputs(below, /^approval_reason$/)[0]?.optional).toBe(true);
    expect(JSON.stringify(below.blocks)).not.toContain("needs a manager's approval");

    const at = renderLicensesStep(data({ plannedRevocations: 10 }));
    expect(validateModalView(at)).toEqual([]);
    const reason = inputs(at, /^approval_reason$/)[0];
    expect(reason?.block_id).toBe(ids.blocks.reason);
    expect(reason?.optional).toBe(false);
    expect(JSON.stringify(at.blocks)).toContain(
      "needs a manager's approval:* it revokes 10 licenses, and revoking 10 or more needs approval",
    );
    expect(at.submit?.text).toBe('Request approval');
  });

  it('asks for approval with the earlier revocations of the window, never for a request that takes nothing', () => {
    const earlier = { requests: 2, revocations: 4, windowHours: 24 };
    const submit = (overrides: Partial<LicensesStepData>) => renderLicensesStep(data(overrides)).submit?.text;
    expect(submit({ approvalThreshold: 5, plannedRevocations: 2, earlier })).toBe('Request approval');
    expect(submit({ approvalThreshold: 5, plannedRevocations: 2 })).toBe('Apply');
    expect(submit({ approvalThreshold: 5, plannedRevocations: 0, earlier })).toBe('Apply');
    expect(submit({ approvalThreshold: 3, plannedRevocations: 3 })).toBe('Request approval');
    expect(submit({ approvalThreshold: 3, plannedRevocations: null })).toBe('Apply');
  });

  it('tells the operator when earlier requests push this one over the threshold', () => {
    const view = renderLicensesStep(
      data({
        approvalThreshold: 5,
        plannedRevocations: 2,
        earlier: { requests: 2, revocations: 4, windowHours: 24 },
      }),
    );
    expect(validateModalView(view)).toEqual([]);
    expect(inputs(view, /^approval_reason$/)[0]?.optional).toBe(false);
    expect(JSON.stringify(view.blocks)).toContain(
      "needs a manager's approval:* it revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6 revocations, and 5 or more need approval.",
    );
  });

  it('names service plans turned off for users who keep the product as what needs approval', () => {
    const only = renderLicensesStep(data({ approvalThreshold: 3, plannedRevocations: 8, planRemovals: 8 }));
    expect(validateModalView(only)).toEqual([]);
    expect(JSON.stringify(only.blocks)).toContain(
      "needs a manager's approval:* it turns service plans off on 8 licenses users keep: 8 revocations, and 3 or more need approval.",
    );
    const both = renderLicensesStep(data({ approvalThreshold: 3, plannedRevocations: 3, planRemovals: 1 }));
    expect(JSON.stringify(both.blocks)).toContain(
      'it revokes 2 licenses and turns service plans off on 1 license users keep: 3 revocations',
    );
  });

  it('escapes product and customer names and keeps option text within 75', () => {
    const view = renderLicensesStep(
      data({
        customerName: '<!channel>',
        products: [overview({ name: `<!here> ${'x'.repeat(100)}` }, ['u1'])],
        error: 'Pick <@U1>',
      }),
    );
    expect(validateModalView(view)).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U1>');
  });

  it('handles a customer without products', () => {
    const view = renderLicensesStep(data({ products: [] }));
    expect(validateModalView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('owns no product');
  });
});

describe('renderLicensesStep with any number of products', () => {
  it('lists every product to tick, ≤ 10 a group, within 100 blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 250 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 50 })),
        (n, withUrl, planned) => {
          const products = Array.from({ length: n }, (_, i) =>
            overview(
              { name: `Product ${i}`, total: i % 3, consumed: 0 },
              i % 2 ? ['u1'] : [],
              i % 5 ? [] : ['u2'],
            ),
          );
          const view = renderLicensesStep(
            data({
              products,
              plannedRevocations: planned,
              ...(withUrl ? { purchaseUrl: 'https://x.example/buy' } : {}),
            }),
          );
          expect(validateModalView(view)).toEqual([]);
          expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
          expect(optionValues(inputs(view, patterns.assign))).toHaveLength(n);
          expect(optionValues(inputs(view, patterns.revoke))).toHaveLength(n);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('stateText and option descriptions', () => {
  it('reads naturally for one, some, all and none of the selection', () => {
    expect(stateText(overview({}, ['u1']), 5)).toBe('1 of 5 selected has it');
    expect(stateText(overview({}, ['u1', 'u2'], ['u3']), 5)).toBe(
      '3 of 5 selected have it (1 through a group)',
    );
    expect(stateText(overview({}, ['u1', 'u2', 'u3', 'u4', 'u5']), 5)).toBe('All 5 selected have it');
    expect(stateText(overview({}), 5)).toBe('None of the 5 selected has it');
    expect(stateText({ ...overview({}, ['u1']), state: 'all' }, 1)).toBe('The selected user has it');
    expect(stateText(overview({}), 1)).toBe('The selected user does not have it');
  });

  it('says what assigning would take, and warns when seats are short', () => {
    expect(assignText(overview({ total: 100, consumed: 88 }, ['u1', 'u2']), 5)).toBe(
      '12 available · 3 would get it',
    );
    expect(assignText(overview({ total: 10, consumed: 9 }, ['u1']), 5)).toBe(
      'Not enough: 1 available for 4 users',
    );
    expect(assignText(overview({}, ['u1', 'u2', 'u3', 'u4', 'u5']), 5)).toBe('All selected have it already');
    expect(assignText(overview({ status: 'suspended' }), 5)).toBe('Suspended: cannot be assigned');
  });

  it('counts holders whose plans change apart from who would get the product', () => {
    const held = ['u1', 'u2', 'u3'];
    expect(assignText({ ...overview({ total: 100, consumed: 88 }, held), planChanges: 2 }, 5)).toBe(
      '12 available · 2 would get it · 2 who have it change plans',
    );
    expect(assignText({ ...overview({ total: 100, consumed: 88 }, held), planChanges: 0 }, 5)).toBe(
      '12 available · 2 would get it',
    );
    const all = overview({}, ['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(assignText({ ...all, planChanges: 4 }, 5)).toBe('All selected have it · 4 change plans');
    expect(assignText({ ...overview({}, ['u1']), planChanges: 1 }, 1)).toBe(
      'The selected user has it · it changes plans',
    );
  });

  it('counts only who can get it, and says in one phrase why the others cannot', () => {
    const refused = (reason: PredictedReason, n: number) =>
      Array.from({ length: n }, (_, i) => ({ userId: `${reason}-${i}`, reason }));
    const predicted = (cannot: Refusal[], gets = 9): ProductOverview => ({
      ...overview({ total: gets > 100 ? 100_000 : 100, consumed: 50 }),
      prediction: {
        skuId: 'sku',
        gets: Array.from({ length: gets }, (_, i) => `g${i}`),
        holds: [],
        cannot,
      },
    });
    const some = [...refused('usage_location_missing', 2), ...refused('mutually_exclusive', 3)];
    expect(assignText(predicted(some), 14)).toBe('9 would get it · 5 cannot: 2 no location, 3 conflicts');
    expect(assignText(predicted([]), 9)).toBe('50 available · 9 would get it');
    // Seats short part-way: the users beyond them are "no seats", each (was "Not enough" for all).
    const short = {
      ...predicted([...refused('usage_location_missing', 1), ...refused('insufficient_licenses', 3)], 2),
    };
    short.product = { ...short.product, available: 2 };
    expect(assignText(short, 6)).toBe('2 would get it · 4 cannot: 1 no location, 3 no seats');
    const fourReasons = PREDICTED_REASONS.filter((r) => r !== 'insufficient_licenses');
    const four = fourReasons.flatMap((reason) => refused(reason, 1000));
    expect(assignText(predicted(four, 1000), 5000)).toBe(
      '1000 would get it · 4000 cannot: no location, country, no base, conflicts',
    );
    const every = PREDICTED_REASONS.flatMap((reason) => refused(reason, 1000));
    const view = renderLicensesStep(data({ products: [predicted(every, 1000)], selectedCount: 6000 }));
    expect(validateModalView(view)).toEqual([]);
    const descriptions = inputs(view, patterns.assign).flatMap((b) =>
      (b.element as Checkboxes).options.map((o) => o.description?.text ?? ''),
    );
    expect(descriptions).toHaveLength(1);
    for (const text of descriptions) expect(text.length).toBeLessThanOrEqual(limits.optionDescription);
  });

  it('names on the product line the product in the way of those who cannot get it', () => {
    const e1 = overview({ name: 'Office 365 E1' }, ['u3', 'u4']);
    const e3: ProductOverview = {
      ...overview({ name: 'Office 365 E3' }),
      prediction: {
        skuId: 'e3',
        gets: ['u1'],
        holds: [],
        cannot: [
          { userId: 'u2', reason: 'usage_location_missing' },
          { userId: 'u3', reason: 'mutually_exclusive', blockingSkuId: e1.product.skuId },
          { userId: 'u4', reason: 'mutually_exclusive', blockingSkuId: e1.product.skuId },
        ],
      },
    };
    const view = renderLicensesStep(data({ products: [e1, e3] }));
    expect(validateModalView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain(
      'Cannot get it: 1 user without a usage location; 2 users holding Office 365 E1, which cannot be combined with it',
    );
  });

  it('shows total and assigned seats beside available, as Partner Center does', () => {
    const view = renderLicensesStep(data({ products: [overview({ total: 50, consumed: 38 }, ['u1'])] }));
    expect(JSON.stringify(view.blocks)).toContain('12 available of 50 · 38 assigned');
  });

  it('offers a suspended product neither to assign nor to revoke, and says why', () => {
    const suspended = overview({ name: 'Dynamics 365 Sales', status: 'suspended', total: 25, consumed: 4 }, [
      'u1',
    ]);
    const enabled = overview({ name: 'Office 365 E3' }, ['u2']);
    const view = renderLicensesStep(data({ products: [suspended, enabled] }));
    expect(validateModalView(view)).toEqual([]);
    for (const pattern of [patterns.assign, patterns.revoke]) {
      expect(optionValues(inputs(view, pattern))).toEqual([enabled.product.skuId]);
    }
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('subscription suspended');
    expect(json).toContain('cannot be assigned or revoked while suspended');
    const onlySuspended = renderLicensesStep(data({ products: [suspended] }));
    expect(validateModalView(onlySuspended)).toEqual([]);
    expect(inputs(onlySuspended, patterns.assign)).toEqual([]);
  });

  it('tells in the revoke list when there is nothing to revoke or only group licenses', () => {
    const view = renderLicensesStep(
      data({ products: [overview({ name: 'Nobody has it' }), overview({ name: 'Group only' }, [], ['u1'])] }),
    );
    const descriptions = inputs(view, patterns.revoke).flatMap((b) =>
      (b.element as Checkboxes).options.map((o) => o.description?.text),
    );
    expect(descriptions).toEqual([
      'None of the 5 selected has it: nothing to revoke',
      '1 of 5 selected has it (through a group): cannot be revoked here',
    ]);
  });

  it('shows the service-plan count on the button, and how many are off', () => {
    const json = JSON.stringify(renderLicensesStep(data()).blocks);
    expect(json).toContain('"Service plans (2)"');
  });
});
