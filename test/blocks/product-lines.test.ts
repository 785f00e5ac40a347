import { describe, expect, it } from 'vitest';
import type { HoldersOverview } from '../../blocks/group-keepers.js';
import { renderLicensesStep, revokeText } from '../../blocks/licenses-step.js';
import { expiringText } from '../../blocks/product-lines.js';
import type { ProductOverview } from '../../src/licensing/licensing-service.js';
import type { Product } from '../../src/licensing/model.js';
import { validateModalView } from '../support/block-kit.js';
import { makeProduct } from '../support/licensing-factories.js';

function overview(product: Partial<Product>, holders: string[] = []): ProductOverview {
  return {
    product: makeProduct(product),
    holders,
    inheritedHolders: [],
    state: holders.length === 0 ? 'none' : 'some',
  };
}

describe('expiringText', () => {
  it("gives the date as Slack's date token, with a readable fallback", () => {
    // 12 Dec 2026 00:00 UTC
    expect(expiringText('2026-12-12T00:00:00.000Z')).toBe(
      'subscription expiring on <!date^1797033600^{date_short}|2026-12-12 00:00 UTC>',
    );
  });

  it('says no date when the provider gives none or an unreadable one', () => {
    expect(expiringText(undefined)).toBe('subscription expiring');
    expect(expiringText('soon')).toBe('subscription expiring');
  });
});

describe('product lines of the manage step', () => {
  it('show when a product in warning expires, in detailed and compact lines, and validate', () => {
    const expiring = overview({
      name: 'Visio Plan 2',
      status: 'warning',
      nextLifecycleDate: '2026-12-12T00:00:00Z',
    });
    const base = {
      draftId: 'draft-1',
      customerName: 'Contoso',
      selectedCount: 5,
      approvalThreshold: 10,
      plannedRevocations: null,
    };
    const detailed = renderLicensesStep({
      ...base,
      products: [expiring, overview({ name: 'Office 365 E3' })],
    });
    expect(validateModalView(detailed)).toEqual([]);
    expect(JSON.stringify(detailed.blocks)).toContain(
      '*Visio Plan 2* :warning: _subscription expiring on <!date^1797033600^{date_short}|2026-12-12 00:00 UTC>_',
    );
    const many = Array.from({ length: 80 }, (_, i) => overview({ name: `Product ${i}` }, ['u1']));
    const compact = renderLicensesStep({ ...base, products: [expiring, ...many] });
    expect(validateModalView(compact)).toEqual([]);
    expect(JSON.stringify(compact.blocks)).toContain(
      '• *Visio Plan 2* :warning: _subscription expiring on <!date^1797033600',
    );
  });

  it('keep the plain warning for a product in warning without a date', () => {
    const view = renderLicensesStep({
      draftId: 'draft-1',
      customerName: 'Contoso',
      selectedCount: 2,
      approvalThreshold: 10,
      plannedRevocations: null,
      products: [overview({ name: 'Visio Plan 2', status: 'warning' })],
    });
    expect(validateModalView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain(':warning: _subscription expiring_');
  });
});

describe('revokeText', () => {
  /** `holders` hold it directly, `both` of them through a group too, `groupOnly` only through one. */
  const emsOf = (holders: string[], both: string[], groupOnly: string[] = []): HoldersOverview => ({
    product: makeProduct({ name: 'Enterprise Mobility + Security E3' }),
    holders,
    inheritedHolders: groupOnly,
    alsoThroughGroup: both,
    state: 'some',
  });

  it('counts who would keep the product through a group apart from who would lose it', () => {
    expect(revokeText(emsOf(['a', 'b', 'c', 'd', 'e'], ['d', 'e'], ['f']), 30)).toBe(
      '3 lose it · 2 keep it through a group',
    );
    expect(revokeText(emsOf(['a', 'b'], ['a', 'b']), 30)).toBe('All 2 who have it keep it through a group');
    expect(revokeText(emsOf(['a'], ['a']), 30)).toBe('The 1 who has it keeps it through a group');
    expect(revokeText(emsOf(['a'], ['a']), 1)).toBe('The selected user keeps it through a group');
  });

  it('is the state over the selection when nobody keeps it through a group', () => {
    expect(revokeText(emsOf(['a', 'b'], [], ['c']), 30)).toBe('3 of 30 selected have it (1 through a group)');
    expect(revokeText(emsOf([], [], ['c']), 30)).toBe(
      '1 of 30 selected has it (through a group): cannot be revoked here',
    );
    expect(revokeText(emsOf(['a'], ['z']), 30)).toBe('1 of 30 selected has it');
  });

  it('is offered as the revoke option of the manage step, within 75 characters', () => {
    const holders = Array.from({ length: 9999 }, (_, i) => `u${i}`);
    const view = renderLicensesStep({
      draftId: 'draft-1',
      customerName: 'Contoso',
      selectedCount: 12_000,
      approvalThreshold: 10,
      plannedRevocations: null,
      products: [emsOf(holders, holders.slice(0, 4321))],
    });
    expect(validateModalView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('"5678 lose it · 4321 keep it through a group"');
  });
});
