import { describe, expect, it } from 'vitest';
import { settleChangedSince } from '../../../src/licensing/execution/changed-since.js';
import { runItem } from '../../../src/licensing/execution/item.js';
import { type Part, settlerFor } from '../../../src/licensing/execution/parts.js';
import type { ChangeItem } from '../../../src/licensing/model.js';
import { makeItem, makeLicense, makeUser } from '../../support/licensing-factories.js';

const settle = settlerFor('u1', () => new Date(0));
const assign = (skuId: string, disabledPlans: string[]): Part => ({ op: 'assign', skuId, disabledPlans });
const revoke = (skuId: string): Part => ({ op: 'revoke', skuId, disabledPlans: [] });

/** An undo: E3 (left with p2 off) goes back to p1 off, Visio (left revoked) comes back, Project (left new) goes. */
const undo: ChangeItem = {
  ...makeItem(makeUser({ id: 'u1' }), {
    assign: [
      { skuId: 'e3', disabledPlans: ['p1'] },
      { skuId: 'visio', disabledPlans: ['v1'] },
    ],
    revoke: ['project'],
  }),
  asLeft: { e3: { disabledPlans: ['p2'] }, visio: null, project: { disabledPlans: [] } },
};
const parts = [assign('e3', ['p1']), assign('visio', ['v1']), revoke('project')];

describe('settleChangedSince', () => {
  it('goes on with every part whose product is as the undone request left it', () => {
    const licenses = [makeLicense('e3', { disabledPlans: ['p2'] }), makeLicense('project')];
    expect(settleChangedSince(undo, parts, licenses, settle)).toEqual({ settled: [], rest: parts });
  });

  it('leaves alone a part whose product changed since, as a no-op marked changedSince', () => {
    const licenses = [
      makeLicense('e3', { disabledPlans: [] }),
      makeLicense('visio', { disabledPlans: ['v9'] }),
      makeLicense('project', { direct: false, viaGroups: ['g'] }),
    ];
    const { settled, rest } = settleChangedSince(undo, parts, licenses, settle);
    expect(rest).toEqual([]);
    expect(settled.map((r) => [r.skuId, r.outcome, r.changedSince])).toEqual([
      ['e3', 'noop', true],
      ['visio', 'noop', true],
      ['project', 'noop', true],
    ]);
  });

  it('does not take a part its own interrupted run applied for a change since', () => {
    const licenses = [
      makeLicense('e3', { disabledPlans: ['p1'] }),
      makeLicense('visio', { disabledPlans: ['v1'] }),
    ];
    expect(settleChangedSince(undo, parts, licenses, settle).rest).toEqual(parts);
  });

  it('checks nothing for an item that is not an undo', () => {
    const { asLeft: _, ...plain } = undo;
    expect(settleChangedSince(plain, parts, [], settle)).toEqual({ settled: [], rest: parts });
  });

  it('sends nothing for a part changed since when the item runs (one found in its target state is a plain no-op)', async () => {
    const sent: Part[][] = [];
    const results = await runItem(undo, {
      results: {},
      holdings: async () => ({
        ok: true,
        holdings: new Map([['u1', [makeLicense('e3', { disabledPlans: [] })]]]),
      }),
      attempt: () => async (attempted) => {
        sent.push([...attempted]);
        return { ok: true, warnings: [] };
      },
      resumed: false,
      now: () => new Date(0),
    });
    expect(sent).toEqual([[assign('visio', ['v1'])]]);
    expect(
      results.map((r) => `${r.op} ${r.skuId} ${r.outcome}${r.changedSince ? ' changed since' : ''}`),
    ).toEqual(['assign e3 noop changed since', 'revoke project noop', 'assign visio success']);
  });
});
