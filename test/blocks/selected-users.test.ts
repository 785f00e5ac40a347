import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import { renderSelectedUsers } from '../../blocks/selected-users.js';
import { makeUser, makeUsers } from '../support/licensing-factories.js';
import { expectFits, sectionTexts } from '../support/view-checks.js';

describe('renderSelectedUsers', () => {
  it('lists 1,000 selected users sorted, within 100 blocks and 3,000 characters a section', () => {
    const all = makeUsers(1000);
    const view = renderSelectedUsers({ draftId: 'd', customerName: 'Contoso', users: [...all].reverse() });
    expectFits(view);
    expect(view.callback_id).toBe(ids.views.selected);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('1000 users selected');
    for (const u of all) expect(text).toContain(u.email);
    expect(text.indexOf('Person 00000')).toBeLessThan(text.indexOf('Person 00999'));
  });

  it('pages when the users do not fit one view', () => {
    const many = makeUsers(20000);
    const first = renderSelectedUsers({ draftId: 'd', customerName: 'Contoso', users: many });
    expectFits(first);
    const nav = (first.blocks as KnownBlock[]).find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(nav.elements.map((e) => e.action_id)).toEqual(['selected_page_next']);
    expect(patterns.selectedPage.test(nav.elements[0]?.action_id ?? '')).toBe(true);
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
