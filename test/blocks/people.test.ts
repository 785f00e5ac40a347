import { describe, expect, it } from 'vitest';
import { byName, people } from '../../blocks/people.js';
import { makeChangeRequest, makeItem, makeUser } from '../support/licensing-factories.js';

describe('people', () => {
  it('orders users by name, case-insensitively, a user without a name by id', () => {
    const users = [
      makeUser({ displayName: 'bob' }),
      makeUser({ displayName: 'Ava' }),
      makeUser({ displayName: 'Cy' }),
    ];
    const map = people(makeChangeRequest({ items: users.map((u) => makeItem(u)) }));
    const ids = [users[0]?.id, users[1]?.id, users[2]?.id, 'a-stranger'].map(String);
    expect([...ids].sort(byName(map))).toEqual(['a-stranger', users[1]?.id, users[0]?.id, users[2]?.id]);
  });
});
