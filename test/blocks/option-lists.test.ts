import assert from 'node:assert/strict';
import { describe, expect, it } from 'vitest';
import { customerOptions, userOption, userOptions } from '../../blocks/option-lists.js';
import { makeCustomer, makeUser } from '../support/licensing-factories.js';

describe('option lists', () => {
  it('makes at most 100 user options of "Name (email)" with the id as value', () => {
    const users = Array.from({ length: 150 }, () => makeUser());
    const options = userOptions(users);
    const [first] = users;
    assert(first);
    expect(options).toHaveLength(100);
    expect(options[0]).toEqual({
      text: { type: 'plain_text', text: `${first.displayName} (${first.email})`, emoji: true },
      value: first.id,
    });
  });

  it('truncates long names to 75 characters', () => {
    const option = userOption(makeUser({ displayName: 'N'.repeat(80), email: 'e'.repeat(80) }));
    expect(option.text.text.length).toBeLessThanOrEqual(75);
    expect(option.text.text.endsWith('…')).toBe(true);
  });

  it('makes customer options with the customer id as value', () => {
    const customers = Array.from({ length: 120 }, (_, i) => makeCustomer({ domain: `c${i}.example` }));
    const options = customerOptions(customers);
    expect(options).toHaveLength(100);
    expect(options[3]?.value).toBe(customers[3]?.id);
    expect(options[3]?.value).toBeDefined();
    expect(options[3]?.text.text).toContain('c3.example');
    for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
  });

  it("shows each customer's user count when the provider gives it, cutting the name, never the count", () => {
    const [contoso, one, long, unknown] = customerOptions([
      makeCustomer({ name: 'Contoso', domain: 'contoso.com', userCount: 1200 }),
      makeCustomer({ name: 'Solo', userCount: 1 }),
      makeCustomer({ name: 'L'.repeat(80), domain: 'long.example', userCount: 123_456 }),
      makeCustomer({ name: 'Fabrikam', domain: 'fabrikam.com' }),
    ]);
    expect(contoso?.text.text).toBe('Contoso (contoso.com) · 1,200 users');
    expect(one?.text.text).toBe('Solo · 1 user');
    expect(long?.text.text).toHaveLength(75);
    expect(long?.text.text.endsWith('… · 123,456 users')).toBe(true);
    expect(unknown?.text.text).toBe('Fabrikam (fabrikam.com)');
  });

  it('refuses a value longer than 150 characters instead of cutting an id', () => {
    expect(() => userOption(makeUser({ id: 'x'.repeat(151) }))).toThrow(RangeError);
  });
});
