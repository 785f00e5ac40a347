import { describe, expect, it } from 'vitest';
import { type AttemptParts, applyParts } from '../../../src/licensing/execution/apply-parts.js';
import type { Attempt } from '../../../src/licensing/execution/attempt.js';
import { type Part, settlerFor } from '../../../src/licensing/execution/parts.js';
import { LicenseProviderError } from '../../../src/providers/license-provider.js';

const part = (skuId: string, op: Part['op'] = 'assign'): Part => ({ op, skuId, disabledPlans: [] });
const settle = settlerFor('u1', () => new Date(0));

/** An attempt that answers by the products asked for, and records each call. */
function scripted(answer: (skuIds: string[], call: number) => Attempt) {
  const calls: string[][] = [];
  const attempt: AttemptParts = async (parts) => {
    const skuIds = parts.map((p) => p.skuId);
    calls.push(skuIds);
    return answer(skuIds, calls.length);
  };
  return { attempt, calls };
}

const ok = (...warnings: string[]): Attempt => ({ ok: true, warnings });
const refused = (
  reason: 'missing_prerequisite' | 'usage_location_missing' | 'throttled',
  extra: { exhausted?: boolean; landed?: Part[] } = {},
): Attempt => ({
  ok: false,
  error: new LicenseProviderError(reason, reason),
  exhausted: extra.exhausted ?? false,
  landed: extra.landed ?? [],
});
const outcomes = (results: { skuId: string; outcome: string; reason?: string }[]) =>
  results.map((r) => `${r.skuId} ${r.outcome}${r.reason ? ` ${r.reason}` : ''}`);

describe('applyParts', () => {
  it('applies all parts in one call and keeps what the backend said as the note', async () => {
    const { attempt, calls } = scripted(() => ok('takes a day', 'really'));
    const results = await applyParts([part('e3'), part('visio')], attempt, settle);
    expect(calls).toEqual([['e3', 'visio']]);
    expect(results.map((r) => [r.skuId, r.outcome, r.note])).toEqual([
      ['e3', 'success', 'takes a day really'],
      ['visio', 'success', 'takes a day really'],
    ]);
  });

  it('makes no call without parts', async () => {
    const { attempt, calls } = scripted(() => ok());
    expect(await applyParts([], attempt, settle)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('after a refusal for one product, tries product by product so the others still land', async () => {
    const { attempt, calls } = scripted((skuIds) =>
      skuIds.includes('visio') ? refused('missing_prerequisite') : ok(),
    );
    const results = await applyParts([part('e3'), part('visio'), part('p1', 'revoke')], attempt, settle);
    expect(calls).toEqual([['e3', 'visio', 'p1'], ['e3'], ['visio'], ['p1'], ['visio']]);
    expect(outcomes(results)).toEqual(['e3 success', 'p1 success', 'visio failed missing_prerequisite']);
  });

  it('gives a part refused for its order another pass once the others landed', async () => {
    let baseHeld = false;
    const { attempt, calls } = scripted((skuIds) => {
      if (skuIds.includes('e3')) baseHeld = skuIds.length === 1;
      return skuIds.includes('addon') && !baseHeld ? refused('missing_prerequisite') : ok();
    });
    const results = await applyParts([part('addon'), part('e3')], attempt, settle);
    expect(calls).toEqual([['addon', 'e3'], ['addon'], ['e3'], ['addon']]);
    expect(outcomes(results)).toEqual(['e3 success', 'addon success']);
  });

  it('does not split a refusal about the user, nor one whose retries ran out', async () => {
    const user = scripted(() => refused('usage_location_missing'));
    const results = await applyParts([part('e3'), part('visio')], user.attempt, settle);
    expect(user.calls).toHaveLength(1);
    expect(outcomes(results)).toEqual([
      'e3 failed usage_location_missing',
      'visio failed usage_location_missing',
    ]);

    const e3 = part('e3');
    const busy = scripted(() => refused('throttled', { exhausted: true, landed: [e3] }));
    const exhausted = await applyParts([e3, part('visio')], busy.attempt, settle);
    expect(busy.calls).toHaveLength(1);
    // The part the holdings showed landed is a success; the other keeps the exhausted reason.
    expect(outcomes(exhausted)).toEqual(['e3 success', 'visio failed throttled']);
  });
});

describe('applyParts with a replacement', () => {
  const pair = [{ from: 'e3', to: 'e5' }];

  it('keeps the pair in one call in the product-by-product fallback, and a refusal fails both parts', async () => {
    const { attempt, calls } = scripted((skuIds) =>
      skuIds.includes('e5') ? refused('missing_prerequisite') : ok(),
    );
    const results = await applyParts(
      [part('visio'), part('e5'), part('e3', 'revoke')],
      attempt,
      settle,
      pair,
    );
    // The pair gets its second pass (an order reason) as one unit too.
    expect(calls).toEqual([['visio', 'e5', 'e3'], ['visio'], ['e5', 'e3'], ['e5', 'e3']]);
    expect(outcomes(results)).toEqual([
      'visio success',
      'e5 failed missing_prerequisite',
      'e3 failed missing_prerequisite',
    ]);
  });

  it('never tries the pair apart when it is all there is', async () => {
    const { attempt, calls } = scripted(() => refused('missing_prerequisite'));
    const results = await applyParts([part('e5'), part('e3', 'revoke')], attempt, settle, pair);
    expect(calls).toEqual([['e5', 'e3']]);
    expect(outcomes(results)).toEqual(['e5 failed missing_prerequisite', 'e3 failed missing_prerequisite']);
  });
});
