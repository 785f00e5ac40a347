import { describe, expect, it } from 'vitest';
import { groupFailuresByKind } from '../../blocks/failure-kinds.js';
import { makeChangeRequest, makeItem, makeResult, makeUser } from '../support/licensing-factories.js';

describe('groupFailuresByKind', () => {
  it('words plan changes apart and orders the groups as the thread and the summary list them', () => {
    const [ava, bob, cy, dee] = [makeUser(), makeUser(), makeUser(), makeUser()];
    if (!ava || !bob || !cy || !dee) throw new Error('four users');
    const e3 = [{ skuId: 'e3', disabledPlans: [] }];
    const request = makeChangeRequest({
      products: [
        { skuId: 'visio', name: 'Visio' },
        { skuId: 'e3', name: 'Office 365 E3' },
      ],
      items: [
        { ...makeItem(ava, { assign: e3 }), planChanges: ['e3'] },
        makeItem(bob, { assign: e3, revoke: ['visio'] }),
        makeItem(cy, { assign: [...e3, { skuId: 'visio', disabledPlans: [] }] }),
        makeItem(dee, { assign: e3 }),
      ],
    });
    const failed = (
      userId: string,
      skuId: string,
      op: 'assign' | 'revoke',
      reason: 'provider_error' | 'insufficient_licenses',
    ) => makeResult({ userId, skuId, op, outcome: 'failed', reason });
    const groups = groupFailuresByKind(request, [
      failed(bob.id, 'visio', 'revoke', 'provider_error'),
      failed(ava.id, 'e3', 'assign', 'insufficient_licenses'),
      failed(bob.id, 'e3', 'assign', 'provider_error'),
      failed(cy.id, 'e3', 'assign', 'insufficient_licenses'),
      failed(dee.id, 'e3', 'assign', 'insufficient_licenses'),
      failed(cy.id, 'visio', 'assign', 'provider_error'),
    ]);
    expect(groups.map((g) => [g.op, g.skuId, g.reason, g.planChange, g.userIds])).toEqual([
      ['assign', 'visio', 'provider_error', false, [cy.id]],
      // Within a product: new assignments before plan changes, the larger group first.
      ['assign', 'e3', 'insufficient_licenses', false, [cy.id, dee.id]],
      ['assign', 'e3', 'provider_error', false, [bob.id]],
      ['assign', 'e3', 'insufficient_licenses', true, [ava.id]],
      ['revoke', 'visio', 'provider_error', false, [bob.id]],
    ]);
  });
});
