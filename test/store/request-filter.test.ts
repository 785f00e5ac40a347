import { describe, expect, it } from 'vitest';
import type { RequestHeader } from '../../src/licensing/model.js';
import { matchingHeaders, newestFirst } from '../../src/store/request-filter.js';
import { makeChangeRequest } from '../support/licensing-factories.js';

function header(overrides: Partial<RequestHeader> = {}): RequestHeader {
  const { items: _items, results: _results, ...made } = makeChangeRequest(overrides);
  return made;
}

describe('matchingHeaders', () => {
  const a = header({
    id: 'a',
    requestedBy: 'U1',
    customerId: 'c1',
    status: 'completed',
    createdAt: '2025-01-01T00:00:00Z',
  });
  const b = header({
    id: 'b',
    requestedBy: 'U2',
    customerId: 'c1',
    status: 'running',
    createdAt: '2025-01-03T00:00:00Z',
  });
  const c = header({
    id: 'c',
    requestedBy: 'U1',
    customerId: 'c2',
    status: 'approved',
    createdAt: '2025-01-02T00:00:00Z',
  });
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
