import type { Checkboxes, InputBlock, KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import { renderProductHolders } from '../../blocks/product-holders.js';
import { renderSelectedUsers } from '../../blocks/selected-users.js';
import { renderServicePlans } from '../../blocks/service-plans.js';
import { renderSubmitted } from '../../blocks/submitted.js';
import type { TenantUser } from '../../src/licensing/model.js';
import { validateModalView } from '../support/block-kit.js';
import { makeProduct, makeUser } from '../support/licensing-factories.js';

function users(n: number): TenantUser[] {
  return Array.from({ length: n }, (_, i) =>
    makeUser({ displayName: `Person ${String(i).padStart(5, '0')}`, email: `p${i}@contoso.com` }),
  );
}

function sectionTexts(view: ModalView): string[] {
  return (view.blocks as KnownBlock[]).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function expectFits(view: ModalView): void {
  expect(validateModalView(view)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
  for (const t of sectionTexts(view)) expect(t.length).toBeLessThanOrEqual(limits.sectionText);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(limits.privateMetadata);
}

describe('renderSelectedUsers', () => {
  it('lists 1,000 selected users sorted, within 100 blocks and 3,000 characters a section', () => {
    const all = users(1000);
    const view = renderSelectedUsers({ draftId: 'd', customerName: 'Contoso', users: [...all].reverse() });
    expectFits(view);
    expect(view.callback_id).toBe(ids.views.selected);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('1000 users selected');
    for (const u of all) expect(text).toContain(u.email);
    expect(text.indexOf('Person 00000')).toBeLessThan(text.indexOf('Person 00999'));
  });

  it('pages when the users do not fit one view', () => {
    const many = users(20000);
    const first = renderSelectedUsers({ draftId: 'd', customerName: 'Contoso', users: many });
    expectFits(first);
    const nav = (first.blocks as KnownBlock[]).find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(nav.elements.map((e) => e.action_id)).toEqual(['selected_page_next']);
    expect(patterns.selectedPage.test(nav.elements[0]!.action_id)).toBe(true);
    const second = renderSelectedUsers({ draftId: 'd', customerName: 'Contoso', users: many, page: 1 });
    expectFits(second);
    expect(sectionTexts(second).join()).not.toBe(sectionTexts(first).join());
  });

  it('escapes names', () => {
    const view = renderSelectedUsers({
      draftId: 'd',
      customerName: 'C',
      users: [makeUser({ displayName: '<!channel>' })],
    });
    expectFits(view);
    expect(JSON.stringify(view.blocks)).not.toContain('<!channel>');
  });
});

describe('renderProductHolders', () => {
  it('shows direct and group holders sorted, with metadata { draftId, skuId }', () => {
    const all = users(5);
    const product = makeProduct({ name: 'Office 365 E3' });
    const view = renderProductHolders({
      draftId: 'd',
      users: all,
      overview: { product, holders: [all[3]!.id, all[1]!.id], inheritedHolders: [all[4]!.id], state: 'some' },
    });
    expectFits(view);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'd', skuId: product.skuId });
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('3 of 5 selected have it (1 through a group)');
    expect(text).toContain('Assigned directly (2)');
    expect(text).toContain('Through a group only (1)');
    expect(text.indexOf(all[1]!.email)).toBeLessThan(text.indexOf(all[3]!.email));
  });

  it('fits with 5,000 holders and says when nobody has it', () => {
    const all = users(5000);
    const product = makeProduct();
    expectFits(
      renderProductHolders({
        draftId: 'd',
        users: all,
        overview: { product, holders: all.map((u) => u.id), inheritedHolders: [], state: 'all' },
      }),
    );
    const none = renderProductHolders({
      draftId: 'd',
      users: all.slice(0, 3),
      overview: { product, holders: [], inheritedHolders: [], state: 'none' },
    });
    expectFits(none);
    expect(JSON.stringify(none.blocks)).toContain('None of the selected users has this product.');
  });
});

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

describe('renderSubmitted', () => {
  it('says the request is under way and where results go', () => {
    const view = renderSubmitted({
      requestId: 'req_1',
      customerName: 'Contoso',
      status: 'running',
      resultsChannelId: 'C123',
    });
    expectFits(view);
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe('Done');
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('Request req_1 is under way');
    expect(text).toContain('<#C123>');
  });

  it('says who may approve when it waits for approval', () => {
    const view = renderSubmitted({
      requestId: 'req_2',
      customerName: '<!here>',
      status: 'pending_approval',
      approvers: ['U1', 'U2'],
      approvalChannelId: 'C9',
      resultsInDm: true,
      revocations: 12,
    });
    expectFits(view);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('waiting for approval');
    expect(text).toContain('<@U1>, <@U2> in <#C9>');
    expect(text).toContain('direct message');
    expect(text).not.toContain('<!here>');
  });
});
