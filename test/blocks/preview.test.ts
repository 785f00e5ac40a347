import { describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import { previewBlocks, renderPreview } from '../../blocks/preview.js';
import { renderPreviewUsers } from '../../blocks/preview-users.js';
import type { ChangePreview, PreviewLine } from '../../src/licensing/preview.js';
import { expectValidModal } from '../support/block-kit.js';
import { makeUsers } from '../support/licensing-factories.js';
import { expectFits, sectionTexts } from '../support/view-checks.js';

const line = (overrides: Partial<PreviewLine> = {}): PreviewLine => ({
  skuId: 'E3',
  op: 'assign',
  changes: ['u1', 'u2'],
  noops: ['u3'],
  failures: [
    { userId: 'u4', reason: 'usage_location_missing' },
    { userId: 'u5', reason: 'mutually_exclusive', blockingSkuId: 'E1' },
  ],
  ...overrides,
});

const previewOf = (lines: PreviewLine[]): ChangePreview => {
  const sum = (of: (l: PreviewLine) => number) => lines.reduce((n, l) => n + of(l), 0);
  const changes = sum((l) => l.changes.length);
  const failures = sum((l) => l.failures.length);
  return {
    lines,
    users: 5,
    changes,
    noops: sum((l) => l.noops.length),
    failures,
    allFail: changes === 0 && failures > 0,
  };
};

const base = { draftId: 'drf_aaaaaaaaaa', customerName: 'Contoso', productNames: { E3: 'Office 365 E3' } };

describe('renderPreview', () => {
  it('says per line who changes, who is a no-op and who fails for which reason, with a Users button', () => {
    const view = renderPreview({
      ...base,
      preview: previewOf([line()]),
      usersButtons: true,
      submit: 'apply',
    });
    expectValidModal(view);
    expectFits(view);
    const texts = sectionTexts(view).join('\n');
    expect(texts).toContain(
      '*Assign Office 365 E3*\n2 will get it · 1 have it already · :x: 2 will fail: 1 no usage location, 1 hold a product it cannot be combined with',
    );
    expect(texts).toContain('*5 users:* 2 changes · 1 no change · :x: 2 expected to fail');
    expect(view.submit?.text).toBe('Apply');
    expect(JSON.parse(view.private_metadata ?? '{}')).toEqual({ draftId: base.draftId });
    const buttons = view.blocks.flatMap((b) => ('accessory' in b && b.accessory ? [b.accessory] : []));
    expect(buttons).toMatchObject([{ value: 'assign:E3' }]);
    expect(patterns.previewUsers.test(String((buttons[0] as { action_id: string }).action_id))).toBe(true);
  });

  it('has no submit when every change would fail, and says so', () => {
    const failing = line({ changes: [], noops: [] });
    const view = renderPreview({ ...base, preview: previewOf([failing]), submit: 'approval' });
    expectValidModal(view);
    expect(view.submit).toBeUndefined();
    expect(sectionTexts(view).join('\n')).toContain('every change (2) is expected to fail');
  });

  it('stays within 100 blocks however many lines, saying how many are not listed', () => {
    const lines = Array.from({ length: 150 }, (_, i) => line({ skuId: `S${i}` }));
    const view = renderPreview({ ...base, preview: previewOf(lines), usersButtons: true, submit: 'apply' });
    expectValidModal(view);
    expectFits(view);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view.blocks)).toContain('more products are changed');
    expect(previewBlocks({ preview: previewOf(lines), productNames: {}, budget: 10 })).toHaveLength(10);
  });
});

describe('renderPreviewUsers', () => {
  it('pages 12,000 users within Slack limits, failures first with their reason, each user once', () => {
    const users = makeUsers(12_000);
    const all12k = users.map((u) => u.id);
    const big = line({
      changes: all12k.slice(0, 3000),
      noops: all12k.slice(3000, 11_000),
      failures: all12k.slice(11_000).map((userId) => ({ userId, reason: 'insufficient_licenses' as const })),
    });
    const pages = [];
    for (let page = 0; ; page++) {
      const view = renderPreviewUsers({
        draftId: base.draftId,
        line: big,
        productName: 'Office 365 E3',
        users,
        page,
      });
      expectValidModal(view);
      expectFits(view);
      expect(JSON.parse(view.private_metadata ?? '{}')).toEqual({
        draftId: base.draftId,
        skuId: 'E3',
        op: 'assign',
      });
      pages.push(sectionTexts(view).join('\n'));
      const next = JSON.stringify(view.blocks).includes(`${ids.actions.previewUsersPage}_next`);
      if (!next) break;
    }
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.join('\n');
    expect(all.indexOf('*Will fail: beyond the seats left (1000)*')).toBeLessThan(
      all.indexOf('*Will get it (3000)*'),
    );
    for (const user of [users[0], users[3500], users[11_999]]) {
      expect(all.split(`${user?.displayName} (`).length - 1).toBe(1);
    }
  });
});

describe('a "Replace A with B" line', () => {
  const replace = line({
    skuId: 'E1',
    op: 'replace',
    to: 'E3',
    changes: ['u1', 'u2'],
    noops: ['u3'],
    failures: [
      { userId: 'u4', reason: 'inherited_from_group' },
      { userId: 'u5', reason: 'usage_location_missing' },
      { userId: 'u6', reason: 'missing_prerequisite', blockingSkuId: 'E1' },
      { userId: 'u7', reason: 'insufficient_licenses' },
    ],
  });
  const productNames = { E1: 'Office 365 E1', E3: 'Office 365 E3' };

  it('says both products, who changes, who has nothing to replace and who fails why, with a Users button', () => {
    const view = renderPreview({
      ...base,
      productNames,
      preview: previewOf([replace]),
      usersButtons: true,
      submit: 'apply',
    });
    expectValidModal(view);
    expectFits(view);
    expect(sectionTexts(view)).toContain(
      '*Replace Office 365 E1 with Office 365 E3*\n2 will change · 1 do not have it: nothing to replace · ' +
        ':x: 4 will fail: 1 no usage location, 1 beyond the seats left, ' +
        '1 lack or keep a product that needs one of them, 1 have it through a group',
    );
    const buttons = view.blocks.flatMap((b) => ('accessory' in b && b.accessory ? [b.accessory] : []));
    expect(buttons).toMatchObject([{ value: 'replace:E1' }]);
  });

  it('lists its users pushed: failures by reason, then who changes, then the no-ops; metadata names the line', () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((id) => ({
      id,
      displayName: `Name ${id}`,
      email: `${id}@contoso.com`,
    }));
    const view = renderPreviewUsers({
      draftId: base.draftId,
      line: replace,
      productName: 'Office 365 E1',
      toName: 'Office 365 E3',
      users,
    });
    expectValidModal(view);
    expectFits(view);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('*Replace Office 365 E1 with Office 365 E3*: 7 users');
    const heads = text.split('\n').filter((l) => l.startsWith('*') && !l.startsWith('*Replace'));
    expect(heads).toEqual([
      '*Will fail: no usage location (1)*',
      '*Will fail: beyond the seats left (1)*',
      '*Will fail: lack or keep a product that needs one of them (1)*',
      '*Will fail: have it through a group (1)*',
      '*Will change (2)*',
      '*Do not have it (1)*: no change',
    ]);
    expect(text).toContain('*Do not have it (1)*: no change\n• Name u3 (u3@contoso.com)');
    expect(text).toContain('*Will fail: have it through a group (1)*\n• Name u4 (u4@contoso.com)');
    expect(JSON.parse(view.private_metadata ?? '{}')).toEqual({
      draftId: base.draftId,
      skuId: 'E1',
      op: 'replace',
    });
  });
});
