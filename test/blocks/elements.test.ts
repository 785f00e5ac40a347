import { describe, expect, it } from 'vitest';
import { listFirst, plural, sentence } from '../../blocks/elements.js';

describe('text helpers', () => {
  it('lists the first names and counts the rest', () => {
    const upper = (s: string) => s.toUpperCase();
    expect(listFirst(['a', 'b', 'c', 'd', 'e'], 2, upper)).toBe('A, B and 3 more');
    expect(listFirst(['a', 'b'], 2, upper)).toBe('A, B');
    expect(listFirst([], 2, upper)).toBe('');
  });

  it('says one in the singular, any other count in the plural', () => {
    expect(plural(1, 'user')).toBe('1 user');
    expect(plural(0, 'user')).toBe('0 users');
    expect(plural(2, 'more cause')).toBe('2 more causes');
  });

  it('starts a sentence with a capital letter and leaves the rest as it is', () => {
    expect(sentence('turn off Microsoft 365 Apps')).toBe('Turn off Microsoft 365 Apps');
    expect(sentence('')).toBe('');
  });
});
