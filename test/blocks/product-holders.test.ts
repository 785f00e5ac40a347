import assert from 'node:assert/strict';
import { describe, expect, it } from 'vitest';
import { renderProductHolders } from '../../blocks/product-holders.js';
import { makeProduct, makeUsers } from '../support/licensing-factories.js';
import { expectFits, sectionTexts } from '../support/view-checks.js';

describe('renderProductHolders', () => {
  it('shows direct and group holders sorted, with metadata { draftId, skuId }', () => {
    const all = makeUsers(5);
    const product = makeProduct({ name: 'Office 365 E3' });
    const [, second, , fourth, fifth] = all;
    assert(second && fourth && fifth);
    const view = renderProductHolders({
      draftId: 'd',
      users: all,
      overview: { product, holders: [fourth.id, second.id], inheritedHolders: [fifth.id], state: 'some' },
    });
    expectFits(view);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'd', skuId: product.skuId });
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('3 of 5 selected have it (1 through a group)');
    expect(text).toContain('Assigned directly (2)');
    expect(text).toContain('Through a group only (1)');
    expect(text.indexOf(second.email)).toBeLessThan(text.indexOf(fourth.email));
  });

  it('says which direct holders also get it through a group and would keep it if revoked', () => {
    const [both, onlyDirect, onlyGroup] = makeUsers(3);
    assert(both && onlyDirect && onlyGroup);
    const view = renderProductHolders({
      draftId: 'd',
      users: [both, onlyDirect, onlyGroup],
      overview: {
        product: makeProduct({ name: 'Enterprise Mobility + Security E3' }),
        holders: [both.id, onlyDirect.id],
        inheritedHolders: [onlyGroup.id],
        alsoThroughGroup: [both.id],
        state: 'all',
      },
    });
    expectFits(view);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain(
      'Assigned directly (2)*: 1 of them also gets it through a group and would keep it if revoked',
    );
    const lines = text.split('\n');
    const bothLine = lines.find((l) => l.includes(both.email)) ?? '';
    const directLine = lines.find((l) => l.includes(onlyDirect.email)) ?? '';
    expect(bothLine).toContain('also through a group: keeps it if revoked');
    expect(directLine).not.toContain('through a group');
    expect(text).toContain('Through a group only (1)');
  });

  it('counts the holders over the whole selection, not over the holders it was given', () => {
    const holders = makeUsers(4);
    const view = renderProductHolders({
      draftId: 'd',
      users: holders,
      selectedCount: 30,
      overview: {
        product: makeProduct(),
        holders: holders.map((u) => u.id),
        inheritedHolders: [],
        state: 'some',
      },
    });
    expectFits(view);
    expect(sectionTexts(view).join('\n')).toContain('4 of 30 selected have it');
  });

  it('fits with 5,000 holders and says when nobody has it', () => {
    const all = makeUsers(5000);
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
