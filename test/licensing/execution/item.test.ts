import { describe, expect, it } from 'vitest';
import type { Holdings } from '../../../src/licensing/execution/holdings-prefetch.js';
import { runItem, settleByHoldings } from '../../../src/licensing/execution/item.js';
import { type Part, settlerFor } from '../../../src/licensing/execution/parts.js';
import { LicenseProviderError } from '../../../src/providers/license-provider.js';
import { makeItem, makeLicense, makeUser } from '../../support/licensing-factories.js';

const part = (skuId: string, op: Part['op'] = 'assign'): Part => ({ op, skuId, disabledPlans: [] });
const now = () => new Date(0);
const settle = settlerFor('u1', now);
const outcomes = (results: { skuId: string; op: string; outcome: string; reason?: string }[]) =>
  results.map((r) => `${r.op} ${r.skuId} ${r.outcome}${r.reason ? ` ${r.reason}` : ''}`);

describe('settleByHoldings', () => {
  const licenses = [
    makeLicense('held'),
    makeLicense('group', { direct: false, viaGroups: ['g'] }),
    makeLicense('other-plans', { disabledPlans: ['teams'] }),
  ];
  const parts = [
    part('held'),
    part('group'),
    part('other-plans'),
    part('new'),
    part('gone', 'revoke'),
    part('group', 'revoke'),
    part('held', 'revoke'),
  ];

  it('settles what needs no call: applied parts are no-ops in a fresh run, group licenses cannot be revoked', () => {
    const { settled, toApply } = settleByHoldings(parts, licenses, false, settle);
    expect(outcomes(settled)).toEqual([
      'assign held noop',
      'assign group noop',
      'revoke gone noop',
      'revoke group failed inherited_from_group',
    ]);
    expect(toApply).toEqual([part('other-plans'), part('new'), part('held', 'revoke')]);
  });

  it('counts parts found applied as successes when resuming (the interrupted run applied them)', () => {
    const { settled } = settleByHoldings(parts, licenses, true, settle);
    expect(outcomes(settled)).toEqual([
      'assign held success',
      'assign group noop',
      'revoke gone success',
      'revoke group failed inherited_from_group',
    ]);
  });
});

describe('runItem', () => {
  const item = {
    ...makeItem(makeUser({ id: 'u1' }), { assign: [{ skuId: 'e3', disabledPlans: [] }] }),
    noops: [{ skuId: 'visio', op: 'revoke' as const }],
  };
  const deps = (holdings: Holdings) => ({
    results: {},
    holdings: async () => holdings,
    attempt: () => async () => ({ ok: true as const, warnings: [] }),
    resumed: false,
    now,
  });

  it('records the planned no-ops, then applies what the holdings leave', async () => {
    const results = await runItem(item, deps({ ok: true, holdings: new Map([['u1', []]]) }));
    expect(outcomes(results)).toEqual(['revoke visio noop', 'assign e3 success']);
  });

  it('fails every part of a user the holdings no longer know', async () => {
    const results = await runItem(item, deps({ ok: true, holdings: new Map() }));
    expect(outcomes(results)).toEqual(['revoke visio noop', 'assign e3 failed user_not_found']);
  });

  it('fails the parts as exhausted when the holdings could not be read', async () => {
    const error = new LicenseProviderError('provider_error', 'down', { transient: true });
    const results = await runItem(item, deps({ ok: false, error }));
    expect(results[1]).toMatchObject({ outcome: 'failed', reason: 'provider_error', detail: 'down' });
  });
});

describe('runItem with a replacement', () => {
  const user = makeUser({ id: 'u1' });
  const item = () => ({
    ...makeItem(user, { assign: [{ skuId: 'e5', disabledPlans: [] }], revoke: ['e3'] }),
    replaces: [{ from: 'e3', to: 'e5' }],
  });
  const run = async (
    licenses: ReturnType<typeof makeLicense>[],
    options: {
      resumed?: boolean;
      results?: Record<string, never> | Parameters<typeof runItem>[1]['results'];
    } = {},
  ) => {
    const calls: string[][] = [];
    const holdings: Holdings = { ok: true, holdings: new Map([['u1', licenses]]) };
    const results = await runItem(item(), {
      results: options.results ?? {},
      holdings: async () => holdings,
      attempt: () => async (parts) => {
        calls.push(parts.map((p) => `${p.op} ${p.skuId}`));
        return { ok: true, warnings: [] };
      },
      resumed: options.resumed ?? false,
      now,
    });
    return { calls, results: outcomes(results) };
  };

  it('applies B and A in one call for a holder of A', async () => {
    expect(await run([makeLicense('e3')])).toEqual({
      calls: [['assign e5', 'revoke e3']],
      results: ['assign e5 success', 'revoke e3 success'],
    });
  });

  it('finds both applied when resuming after the call landed', async () => {
    expect(await run([makeLicense('e5')], { resumed: true })).toEqual({
      calls: [],
      results: ['assign e5 success', 'revoke e3 success'],
    });
  });

  it('replaces nothing when A is gone and B never came, even when resuming', async () => {
    expect(await run([], { resumed: true })).toEqual({
      calls: [],
      results: ['assign e5 noop', 'revoke e3 noop'],
    });
  });

  it('fails both parts when A is held only through a group', async () => {
    expect(await run([makeLicense('e3', { direct: false, viaGroups: ['g'] })])).toEqual({
      calls: [],
      results: ['assign e5 failed inherited_from_group', 'revoke e3 failed inherited_from_group'],
    });
  });

  it('revokes A alone from a user who holds B by now', async () => {
    expect(await run([makeLicense('e3'), makeLicense('e5')])).toEqual({
      calls: [['revoke e3']],
      results: ['assign e5 noop', 'revoke e3 success'],
    });
  });

  it('never revokes A alone when B has a result but the user does not hold it', async () => {
    const failedB = {
      userId: 'u1',
      skuId: 'e5',
      op: 'assign' as const,
      outcome: 'failed' as const,
      reason: 'insufficient_licenses' as const,
      at: now().toISOString(),
    };
    expect(await run([makeLicense('e3')], { resumed: true, results: { 'u1|e5|assign': failedB } })).toEqual({
      calls: [],
      results: ['revoke e3 failed insufficient_licenses'],
    });
  });
});
