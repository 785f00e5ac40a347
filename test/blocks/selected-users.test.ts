import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import { renderSelectedUsers } from '../../blocks/selected-users.js';
import type { TenantUser } from '../../src/licensing/model.js';
import { validateModalView } from '../support/block-kit.js';
import { makeUser } from '../support/licensing-factories.js';

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
