import { describe, expect, it } from 'vitest';
import type { ChangeItem, ItemResult, PriorState, UserLicense } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { undoParts } from '../../src/licensing/undo.js';
import { makeLicense } from '../support/licensing-factories.js';

const item = (userId: string, change: Partial<ChangeItem['change']>, planChanges?: string[]): ChangeItem => ({
  userId,
  displayName: userId,
  email: `${userId}@example.com`,
  change: { assign: change.assign ?? [], revoke: change.revoke ?? [] },
  noops: [],
  ...(planChanges ? { planChanges } : {}),
});

const result = (userId: string, skuId: string, op: ItemResult['op'], outcome: ItemResult['outcome']) => ({
  [resultKey(userId, skuId, op)]: { userId, skuId, op, outcome, at: '2026-01-01T00:00:00.000Z' },
});

const e3 = (disabledPlans: string[], extra: Partial<UserLicense> = {}) =>
  makeLicense('e3', { disabledPlans, ...extra });

/**
 * The request: E3 with p2 off assigned to ann (new), bob (had it with p1 off: a plan change) and
 * cid (failed); Visio revoked from dan (had it with v1 off) and eve (no-op).
 */
const request = {
  items: [
    item('ann', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }),
    item('bob', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }, ['e3']),
    item('cid', { assign: [{ skuId: 'e3', disabledPlans: ['p2'] }] }),
    item('dan', { revoke: ['visio'] }),
    item('eve', { revoke: ['visio'] }),
  ],
  results: {
    ...result('ann', 'e3', 'assign', 'success'),
    ...result('bob', 'e3', 'assign', 'success'),
    ...result('cid', 'e3', 'assign', 'failed'),
    ...result('dan', 'visio', 'revoke', 'success'),
    ...result('eve', 'visio', 'revoke', 'noop'),
  },
};

const prior: PriorState[] = [
  { userId: 'ann', licenses: [] },
  { userId: 'bob', licenses: [e3(['p1'])] },
  { userId: 'cid', licenses: [] },
  { userId: 'dan', licenses: [makeLicense('visio', { disabledPlans: ['v1'] })] },
  { userId: 'eve', licenses: [] },
];

/** The tenant as the run left it. */
const asLeft = (): Map<string, UserLicense[]> =>
  new Map([
    ['ann', [e3(['p2'])]],
    ['bob', [e3(['p2'])]],
    ['cid', []],
    ['dan', []],
    ['eve', []],
  ]);

describe('undoParts', () => {
  it('revokes a new license, and assigns a changed or revoked product again with the plans the user had off', () => {
    expect(undoParts(request, prior, asLeft())).toEqual({
      parts: [
        { userId: 'ann', assign: [], revoke: ['e3'] },
        { userId: 'bob', assign: [{ skuId: 'e3', disabledPlans: ['p1'] }], revoke: [] },
        { userId: 'dan', assign: [{ skuId: 'visio', disabledPlans: ['v1'] }], revoke: [] },
      ],
      changedSince: [],
      unrecorded: [],
    });
  });

  it('leaves alone what changed since the run: other plans, revoked since, assigned again since', () => {
    const now = asLeft();
    now.set('ann', [e3([])]);
    now.set('bob', []);
    now.set('dan', [makeLicense('visio', { disabledPlans: ['v2'] })]);
    expect(undoParts(request, prior, now)).toEqual({
      parts: [],
      changedSince: [
        { userId: 'ann', skuId: 'e3', op: 'assign' },
        { userId: 'bob', skuId: 'e3', op: 'assign' },
        { userId: 'dan', skuId: 'visio', op: 'revoke' },
      ],
      unrecorded: [],
    });
  });

  it('compares plans as sets, and takes a product now held through a group only as not held directly', () => {
    const now = asLeft();
    const twice = { ...request };
    twice.items = [
      item('ann', { assign: [{ skuId: 'e3', disabledPlans: ['p2', 'p3'] }] }),
      ...request.items.slice(3),
    ];
    now.set('ann', [e3(['p3', 'p2'])]);
    now.set('dan', [makeLicense('visio', { direct: false, viaGroups: ['g1'] })]);
    expect(undoParts(twice, prior, now).parts).toEqual([
      { userId: 'ann', assign: [], revoke: ['e3'] },
      { userId: 'dan', assign: [{ skuId: 'visio', disabledPlans: ['v1'] }], revoke: [] },
    ]);
  });

  it('keeps a license the user held through a group before: only the direct assignment the run made goes', () => {
    const viaGroup = prior.map((state) =>
      state.userId === 'ann'
        ? { userId: 'ann', licenses: [e3(['p9'], { direct: false, viaGroups: ['g'] })] }
        : state,
    );
    expect(undoParts(request, viaGroup, asLeft()).parts[0]).toEqual({
      userId: 'ann',
      assign: [],
      revoke: ['e3'],
    });
  });

  it('cannot undo a user whose state before the run was not recorded', () => {
    const derivation = undoParts(
      request,
      prior.filter((state) => state.userId !== 'bob'),
      asLeft(),
    );
    expect(derivation.unrecorded).toEqual([{ userId: 'bob', skuId: 'e3', op: 'assign' }]);
    expect(derivation.parts.map((part) => part.userId)).toEqual(['ann', 'dan']);
  });
});
