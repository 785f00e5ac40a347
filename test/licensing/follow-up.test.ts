import { describe, expect, it } from 'vitest';
import { doneBy, retryableFailures, retryParts } from '../../src/licensing/follow-up.js';
import type { ChangeRequest, FailureReason, ItemResult } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { makeChangeRequest, makeItem, makeResult, makeUser } from '../support/licensing-factories.js';

const ann = makeUser({ id: 'ann' });
const bob = makeUser({ id: 'bob' });

function result(userId: string, skuId: string, op: 'assign' | 'revoke', reason?: FailureReason): ItemResult {
  return makeResult({
    userId,
    skuId,
    op,
    outcome: reason === undefined ? 'success' : 'failed',
    ...(reason ? { reason } : {}),
  });
}

function completed(results: ItemResult[], items = defaultItems()): ChangeRequest {
  return makeChangeRequest({
    status: 'completed',
    items,
    results: Object.fromEntries(results.map((r) => [resultKey(r.userId, r.skuId, r.op), r])),
  });
}

function defaultItems() {
  return [
    {
      ...makeItem(ann, {
        assign: [
          { skuId: 'e3', disabledPlans: ['x'] },
          { skuId: 'visio', disabledPlans: [] },
        ],
      }),
    },
    {
      ...makeItem(bob, { assign: [{ skuId: 'e3', disabledPlans: ['x'] }], revoke: ['p2'] }),
      planChanges: ['e3'],
    },
  ];
}

describe('retry parts', () => {
  it('sends again exactly the failed parts with a retryable reason, never a success or a lasting refusal', () => {
    const request = completed([
      result('ann', 'e3', 'assign', 'throttled'),
      result('ann', 'visio', 'assign'),
      result('bob', 'e3', 'assign', 'mutually_exclusive'),
      result('bob', 'p2', 'revoke', 'provider_error'),
    ]);
    expect(retryParts(request)).toEqual([
      { userId: 'ann', assign: [{ skuId: 'e3', disabledPlans: ['x'], newOnly: true }], revoke: [] },
      { userId: 'bob', assign: [], revoke: ['p2'] },
    ]);
  });

  it.each<[FailureReason, boolean]>([
    ['throttled', true],
    ['provider_error', true],
    ['insufficient_licenses', true],
    ['usage_location_missing', true],
    ['usage_location_not_allowed', false],
    ['missing_prerequisite', false],
    ['mutually_exclusive', false],
    ['inherited_from_group', false],
    ['user_not_found', false],
  ])('%s is retried: %s', (reason, retried) => {
    const request = completed([result('ann', 'visio', 'assign', reason)]);
    expect(retryableFailures(request).length).toBe(retried ? 1 : 0);
  });

  it('keeps a failed plan change a plan change (no newOnly), with the plans it was planned with', () => {
    const request = completed([result('bob', 'e3', 'assign', 'throttled')]);
    expect(retryParts(request)).toEqual([
      { userId: 'bob', assign: [{ skuId: 'e3', disabledPlans: ['x'] }], revoke: [] },
    ]);
  });

  it('leaves out what a completed retry did since (succeeded or found done), and keeps what failed again', () => {
    const request = completed([
      result('ann', 'e3', 'assign', 'throttled'),
      result('ann', 'visio', 'assign', 'throttled'),
      result('bob', 'p2', 'revoke', 'throttled'),
    ]);
    const retry = completed([
      result('ann', 'e3', 'assign'),
      { ...result('ann', 'visio', 'assign'), outcome: 'noop' },
      result('bob', 'p2', 'revoke', 'throttled'),
    ]);
    const done = doneBy([retry]);
    expect([...done].sort()).toEqual([resultKey('ann', 'e3', 'assign'), resultKey('ann', 'visio', 'assign')]);
    expect(retryParts(request, done)).toEqual([{ userId: 'bob', assign: [], revoke: ['p2'] }]);
  });

  it('has nothing to send for a request without retryable failures', () => {
    expect(retryParts(completed([result('ann', 'e3', 'assign'), result('bob', 'p2', 'revoke')]))).toEqual([]);
  });
});
