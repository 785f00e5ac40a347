import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  encodeMetadata,
  escapeMrkdwn,
  limits,
  packLines,
  packLinesCapped,
  pageOf,
  truncate,
} from '../../blocks/limits.js';

describe('limits', () => {
  it('truncates with an ellipsis and never exceeds the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (s, max) => {
        const t = truncate(s, max);
        expect(t.length).toBeLessThanOrEqual(max);
        if (s.length <= max) expect(t).toBe(s);
      }),
    );
  });

  it('does not split a surrogate pair', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });

  it('chunks', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 10)).toEqual([]);
  });

  it('escapes &, < and >', () => {
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });

  it('packs lines into texts within the limit without losing any', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 400 }).map((s) => s.replace(/\n/g, ' ')),
          { maxLength: 200 },
        ),
        (lines) => {
          const texts = packLines(lines, 1000);
          for (const t of texts) expect(t.length).toBeLessThanOrEqual(1000);
          expect(texts.join('\n').split('\n').length).toBe(lines.length === 0 ? 1 : lines.length);
        },
      ),
    );
  });

  it('caps packed texts and counts what it left out', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`);
    const texts = packLinesCapped(lines, 3, (n) => `…and ${n} more`);
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(limits.sectionText);
    const shown = texts
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line')).length;
    expect(texts[2]).toContain(`…and ${1000 - shown} more`);
    expect(packLinesCapped(['a', 'b'], 1, (n) => `+${n}`, 3000, 5)).toEqual(['a\nb\n+5']);
  });

  it('pages items', () => {
    expect(pageOf([1, 2, 3], 2, 5)).toEqual({ items: [3], page: 1, pages: 2 });
    expect(pageOf([], 2, 0)).toEqual({ items: [], page: 0, pages: 1 });
  });

  it('refuses private_metadata over 3,000 characters', () => {
    expect(encodeMetadata({ draftId: 'd' })).toBe('{"draftId":"d"}');
    expect(() => encodeMetadata({ x: 'y'.repeat(3000) })).toThrow(RangeError);
  });
});
