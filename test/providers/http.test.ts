import { describe, expect, it } from 'vitest';
import { parseBody, parseRetryAfter } from '../../../src/providers/http.js';

describe('the shared HTTP wrapper', () => {
  it('reads Retry-After as seconds (fractional too) or an HTTP date; absent means no delay given', () => {
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(parseRetryAfter('10')).toBe(10_000);
    expect(parseRetryAfter(' 57 ')).toBe(57_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('parses BOM-prefixed JSON and the documented "totalCount": 04 quirk; leaves text as text', () => {
    expect(parseBody('\uFEFF{"totalCount":1,"items":[]}')).toEqual({ totalCount: 1, items: [] });
    expect(parseBody('{"totalCount": 04, "items": [{"n": 10}]}')).toEqual({
      totalCount: 4,
      items: [{ n: 10 }],
    });
    expect(parseBody('42')).toBe(42);
    expect(parseBody('Service Unavailable')).toBe('Service Unavailable');
    expect(parseBody('')).toBeUndefined();
  });
});
