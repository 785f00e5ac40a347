import assert from 'node:assert/strict';
import type { Checkboxes, KnownBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  browseBlockId,
  ids,
  parseUserSearchBlockId,
  pasteBlockId,
  userSearchBlockId,
} from '../../blocks/ids.js';
import { limits } from '../../blocks/limits.js';
import { pageCount, renderUsersStep, type UsersStepData } from '../../blocks/users-step.js';
import type { TenantUser } from '../../src/licensing/model.js';
import { validateModalView } from '../support/block-kit.js';
import { makeUser } from '../support/licensing-factories.js';

function users(n: number, prefix = 'User'): TenantUser[] {
  return Array.from({ length: n }, (_, i) =>
    makeUser({ displayName: `${prefix} ${String(i).padStart(4, '0')}`, email: `u${i}@contoso.com` }),
  );
}

function data(overrides: Partial<UsersStepData> = {}): UsersStepData {
  const all = users(35);
  const [first] = all;
  const twelfth = all[11];
  assert(first && twelfth);
  return {
    draftId: 'draft-1',
    customerName: 'Contoso',
    version: 3,
    browser: { users: all.slice(10, 20), page: 1, total: 35, query: '' },
    selected: [twelfth, first],
    notFoundEmails: [],
    ...overrides,
  };
}

function byId(blocks: readonly KnownBlock[], id: string): KnownBlock | undefined {
  return blocks.find((b) => b.block_id === id);
}

function texts(view: { blocks: readonly unknown[] }): string {
  return JSON.stringify(view.blocks);
}

describe('renderUsersStep', () => {
  it('is a valid modal carrying only the draft id', () => {
    const view = renderUsersStep(data());
    expect(validateModalView(view)).toEqual([]);
    expect(view.callback_id).toBe(ids.views.users);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'draft-1' });
    expect(view.submit?.text).toBe('Next');
  });

  it('puts the typeahead in an actions block whose id carries the version', () => {
    const view = renderUsersStep(data({ version: 7 }));
    const block = byId(view.blocks as KnownBlock[], userSearchBlockId(7));
    expect(block).toMatchObject({
      type: 'actions',
      elements: [{ type: 'multi_external_select', action_id: ids.actions.userSearch }],
    });
    expect(parseUserSearchBlockId(userSearchBlockId(7))).toBe(7);
    expect(byId(view.blocks as KnownBlock[], pasteBlockId(7))).toMatchObject({
      type: 'input',
      optional: true,
    });
  });

  it('shows the page as checkboxes with the selected ones of this page ticked', () => {
    const d = data();
    const view = renderUsersStep(d);
    const block = byId(view.blocks as KnownBlock[], browseBlockId(1, 3));
    expect(block?.type).toBe('actions');
    const element = (block as { elements: Checkboxes[] }).elements[0];
    expect(element?.options).toHaveLength(10);
    expect(element?.initial_options?.map((o) => o.value)).toEqual([d.selected[0]?.id]);
    expect(d.selected[0]).toBeDefined();
    expect(texts(view)).toContain('Page 2 of 4');
    const nav = byId(view.blocks as KnownBlock[], ids.blocks.browseNav) as {
      elements: { action_id: string }[];
    };
    expect(nav.elements.map((e) => e.action_id)).toEqual([
      ids.actions.pageFirst,
      ids.actions.pagePrevious,
      ids.actions.pageNext,
      ids.actions.pageLast,
      ids.actions.selectPage,
      ids.actions.clearSelection,
    ]);
  });

  it('has no previous buttons on the first page and no next buttons on the last', () => {
    const all = users(5);
    const view = renderUsersStep(
      data({ browser: { users: all, page: 0, total: 5, query: '' }, selected: all }),
    );
    expect(validateModalView(view)).toEqual([]);
    const nav = byId(view.blocks as KnownBlock[], ids.blocks.browseNav) as {
      elements: { action_id: string }[];
    };
    expect(nav.elements.map((e) => e.action_id)).toEqual([ids.actions.clearSelection]);
  });

  it('says so when nothing matches the filter', () => {
    const view = renderUsersStep(
      data({ browser: { users: [], page: 0, total: 0, query: 'zz' }, selected: [] }),
    );
    expect(validateModalView(view)).toEqual([]);
    expect(texts(view)).toContain('No user matches this filter.');
    expect(texts(view)).toContain('Selected: none yet.');
  });

  it('shows the selection sorted with its count and a button for all of it', () => {
    const selected = users(1000).reverse();
    const view = renderUsersStep(data({ selected }));
    expect(validateModalView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
    const section = byId(view.blocks as KnownBlock[], ids.blocks.selection) as { text: { text: string } };
    expect(section.text.text).toContain('Selected: 1000 users');
    expect(section.text.text.indexOf('User 0000')).toBeLessThan(section.text.text.indexOf('User 0001'));
    expect(section.text.text).toContain('…and 980 more');
    expect(section.text.text.length).toBeLessThanOrEqual(limits.sectionText);
    expect(texts(view)).toContain('View all 1000 selected');
  });

  it('lists every pasted e-mail not found, or counts the rest', () => {
    const notFound = Array.from({ length: 70 }, (_, i) => `missing${i}@contoso.com`);
    const view = renderUsersStep(data({ notFoundEmails: notFound }));
    expect(validateModalView(view)).toEqual([]);
    const section = byId(view.blocks as KnownBlock[], ids.blocks.notFound) as { text: { text: string } };
    expect(section.text.text).toContain('70 pasted e-mails');
    expect(section.text.text).toContain('missing49@contoso.com');
    expect(section.text.text).toContain('…and 20 more');
  });

  it('escapes names so they cannot mention or link', () => {
    const evil = makeUser({ displayName: '<!channel> & <https://x.y|click>', email: 'a<b>@c' });
    const view = renderUsersStep(
      data({
        browser: { users: [evil], page: 0, total: 1, query: '' },
        selected: [evil],
        customerName: '<!here>',
      }),
    );
    expect(validateModalView(view)).toEqual([]);
    const section = byId(view.blocks as KnownBlock[], ids.blocks.selection) as { text: { text: string } };
    expect(section.text.text).toContain('&lt;!channel&gt; &amp; &lt;https://x.y|click&gt;');
    expect(texts(view)).not.toContain('<!here>');
  });

  it('keeps option text within 75 characters for long names', () => {
    const long = makeUser({ displayName: 'N'.repeat(200), email: `${'e'.repeat(100)}@contoso.com` });
    const view = renderUsersStep(data({ browser: { users: [long], page: 0, total: 1, query: '' } }));
    expect(validateModalView(view)).toEqual([]);
  });

  it('counts pages', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(10)).toBe(1);
    expect(pageCount(11)).toBe(2);
  });
});

describe('renderUsersStep with any names', () => {
  it('always validates and never lets a name mention or link', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ displayName: fc.string({ maxLength: 300 }), email: fc.string({ maxLength: 200 }) }),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: 0, max: 5000 }),
        (people, total) => {
          const all = people.map((p) => makeUser(p));
          const view = renderUsersStep(
            data({
              browser: {
                users: all.slice(0, 10),
                page: 0,
                total: Math.max(total, all.length),
                query: '<!here>',
              },
              selected: all,
              notFoundEmails: people.map((p) => p.email),
            }),
          );
          expect(validateModalView(view)).toEqual([]);
          for (const block of view.blocks as KnownBlock[]) {
            if (block.type === 'section') expect(block.text?.text ?? '').not.toMatch(/<[!@#]/);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('renderUsersStep clear selection', () => {
  it('asks for confirmation, naming how many users would be removed', () => {
    const view = renderUsersStep(data());
    expect(validateModalView(view)).toEqual([]);
    const nav = byId(view.blocks as KnownBlock[], ids.blocks.browseNav) as {
      elements: { action_id: string; confirm?: { title: { text: string }; text: { text: string } } }[];
    };
    const clear = nav.elements.find((e) => e.action_id === ids.actions.clearSelection);
    expect(clear?.confirm?.title.text).toBe('Clear the selection?');
    expect(clear?.confirm?.text.text).toBe('This removes all 2 selected users from the selection.');
  });
});
