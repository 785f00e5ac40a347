import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { renderProductHolders } from '../../blocks/product-holders.js';
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
