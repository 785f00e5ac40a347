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
