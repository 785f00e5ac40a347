import { describe, expect, it } from 'vitest';
import type { RequestHeader } from '../../src/licensing/model.js';
import { matchingHeaders, newestFirst } from '../../src/store/request-filter.js';
import { makeChangeRequest } from '../support/licensing-factories.js';

/** A header by who asked, for which customer, in which status, created on which day of January 2025. */
function header(id: string, who: string, customerId: string, status: RequestHeader['status'], day: number) {
  const createdAt = `2025-01-0${day}T00:00:00Z`;
  const {
    items: _items,
    results: _results,
    ...made
  } = makeChangeRequest({ id, requestedBy: who, customerId, status, createdAt });
  return made;
}

describe('matchingHeaders', () => {
  const a = header('a', 'U1', 'c1', 'completed', 1);
  const b = header('b', 'U2', 'c1', 'running', 3);
  const c = header('c', 'U1', 'c2', 'approved', 2);
  const ids = (found: RequestHeader[]) => found.map((each) => each.id);

  it('lists the most recent first, up to the limit', () => {
    expect(ids(matchingHeaders([a, b, c], { limit: 10 }))).toEqual(['b', 'c', 'a']);
    expect(ids(matchingHeaders([a, b, c], { limit: 2 }))).toEqual(['b', 'c']);
  });

  it('keeps only what every given field matches', () => {
    expect(ids(matchingHeaders([a, b, c], { requestedBy: 'U1', limit: 10 }))).toEqual(['c', 'a']);
    expect(ids(matchingHeaders([a, b, c], { customerId: 'c1', limit: 10 }))).toEqual(['b', 'a']);
    expect(ids(matchingHeaders([a, b, c], { status: ['completed', 'approved'], limit: 10 }))).toEqual([
      'c',
      'a',
    ]);
    expect(ids(matchingHeaders([a, b, c], { requestedBy: 'U1', customerId: 'c1', limit: 10 }))).toEqual([
      'a',
    ]);
  });

  it('counts createdSince as inclusive', () => {
    expect(ids(matchingHeaders([a, b, c], { createdSince: '2025-01-02T00:00:00Z', limit: 10 }))).toEqual([
      'b',
      'c',
    ]);
  });

  it('does not reorder what it was given', () => {
    const given = [a, b, c];
    matchingHeaders(given, { limit: 10 });
    expect(ids(given)).toEqual(['a', 'b', 'c']);
  });
});

describe('newestFirst', () => {
  it('orders by creation time, most recent first, and ties as equal', () => {
    expect(newestFirst({ createdAt: '2025-01-01' }, { createdAt: '2025-01-02' })).toBe(1);
    expect(newestFirst({ createdAt: '2025-01-02' }, { createdAt: '2025-01-01' })).toBe(-1);
    expect(newestFirst({ createdAt: '2025-01-01' }, { createdAt: '2025-01-01' })).toBe(0);
  });
});
