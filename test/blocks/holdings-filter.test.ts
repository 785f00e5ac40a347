import { describe, expect, it } from 'vitest';
import {
  addedText,
  filterOptions,
  filterValue,
  holdingsFilterBlocks,
  parseFilterValue,
} from '../../blocks/holdings-filter.js';
import { expectValidModal } from '../support/block-kit.js';

const products = Array.from({ length: 120 }, (_, i) => ({
  skuId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: i === 7 ? 'Office 365 E3' : `Product ${i}`,
}));

describe('holdings filter', () => {
  it('offers nothing where the backend answers no filter (Partner Center)', () => {
    expect(holdingsFilterBlocks({ kinds: [], products }, 0)).toEqual([]);
    expect(filterOptions({ kinds: [], products })).toEqual([]);
  });

  it('offers only the kinds the backend answers, products by a word of their name, at most 100', () => {
    const all = filterOptions({ kinds: ['holds', 'holdsNothing', 'noUsageLocation'], products });
    expect(all).toHaveLength(100);
    expect(all.slice(0, 2).map((o) => o.value)).toEqual(['nothing', 'no_location']);
    const typed = filterOptions({ kinds: ['holds', 'holdsNothing'], products }, 'E3');
    expect(typed.map((o) => o.text.text)).toEqual(['Who hold Office 365 E3']);
    expect(filterOptions({ kinds: ['noUsageLocation'], products }, 'usage').map((o) => o.value)).toEqual([
      'no_location',
    ]);
  });

  it('reads back what it offered and nothing else', () => {
    for (const filter of [
      { holds: products[7]?.skuId ?? '' },
      { holdsNothing: true as const },
      { noUsageLocation: true as const },
    ]) {
      expect(parseFilterValue(filterValue(filter))).toEqual(filter);
    }
    expect(parseFilterValue('holds:')).toBeNull();
    expect(parseFilterValue('everyone')).toBeNull();
    expect(parseFilterValue(undefined)).toBeNull();
  });

  it('says what was added, or that nobody matched, in a valid view', () => {
    const data = { kinds: ['holds', 'holdsNothing'] as const, products };
    const holds = { filter: { holds: products[7]?.skuId ?? '' }, matched: 1182 };
    expect(addedText(data, holds)).toBe(
      ':white_check_mark: Added the 1,182 users who hold *Office 365 E3* to the selection.',
    );
    expect(addedText(data, { filter: { holdsNothing: true }, matched: 0 })).toBe(
      'Every user of the customer holds a license: none added.',
    );
    const blocks = holdingsFilterBlocks({ ...data, added: holds }, 3);
    expectValidModal({ type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks });
  });
});
