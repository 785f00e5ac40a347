import assert from 'node:assert/strict';
/** One failure case for each failure reason of DESIGN.md §5, as the operator reads it in the thread. */
import { afterAll, describe, expect, it } from 'vitest';
import { type FailureReason, failureMessages, type TenantUser } from '../../src/licensing/model.js';
import type { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import { DEMO_SKUS, type DemoCases, demoCases } from '../../src/providers/demo/generator.js';
import {
  CHANNEL,
  type HarnessOptions,
  reportAckLatencies,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  contosoOf,
  FLOW_CALLS,
  finishedRun,
  present,
  selectUsers,
  submitChange,
  textOf,
  withSeatsLeft,
} from './flow.js';

afterAll(() => reportAckLatencies('failures.test.ts'));

/**
 * A product these users can get, ticked beside one each of them fails for: a request whose every
 * change would fail cannot be submitted (its preview has no submit).
 */
const ALSO_SUBMITTABLE = DEMO_SKUS.VISIOCLIENT;

/** Runs one request through Slack and returns what its thread says. */
async function threadOf(
  options: HarnessOptions,
  users: (cases: DemoCases) => TenantUser[],
  change: { assign?: string[]; revoke?: string[] },
): Promise<{ text: string; users: TenantUser[] }> {
  const h = closedAfterTest(await startAppHarness(options));
  const contoso = contosoOf(h.data);
  const chosen = users(demoCases(contoso));
  const manage = await selectUsers(h, contoso.customer, chosen);
  const submitted = await submitChange(h, manage.id, change);
  expect(submitted.responseAction).toBe('update');
  const { thread } = await finishedRun(h);
  expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
  return { text: textOf(thread), users: chosen };
}

function expectFailure(text: string, user: TenantUser, reason: FailureReason) {
  const line = text.split('\n').find((l) => l.includes(user.displayName) && l.includes(':x:'));
  expect(line, `a failure line for ${user.displayName}`).toBeDefined();
  expect(line).toContain(failureMessages[reason]);
}

describe('failures in the thread', () => {
  it('usage_location_missing', async () => {
    const { text, users } = await threadOf({}, (c) => [c.noUsageLocation, c.unlicensed], {
      assign: [DEMO_SKUS.ENTERPRISEPACK],
    });
    expectFailure(text, present(users[0], 'user 0'), 'usage_location_missing');
  });

  it('usage_location_not_allowed', async () => {
    const { text, users } = await threadOf({}, (c) => [c.outsideCallingPlanCountries], {
      assign: [DEMO_SKUS.MCOPSTN1, ALSO_SUBMITTABLE],
    });
    expectFailure(text, present(users[0], 'user 0'), 'usage_location_not_allowed');
  });

  it('missing_prerequisite', async () => {
    const { text, users } = await threadOf({}, (c) => [c.unlicensed], {
      assign: [DEMO_SKUS.MCOMEETADV, ALSO_SUBMITTABLE],
    });
    expectFailure(text, present(users[0], 'user 0'), 'missing_prerequisite');
  });

  it('mutually_exclusive', async () => {
    const { text, users } = await threadOf({}, (c) => [c.e1Holder], {
      assign: [DEMO_SKUS.ENTERPRISEPACK, ALSO_SUBMITTABLE],
    });
    expectFailure(text, present(users[0], 'user 0'), 'mutually_exclusive');
  });

  it('inherited_from_group', async () => {
    const { text, users } = await threadOf({}, (c) => [c.groupInherited], {
      revoke: [DEMO_SKUS.EMS],
      assign: [ALSO_SUBMITTABLE],
    });
    expectFailure(text, present(users[0], 'user 0'), 'inherited_from_group');
  });

  it('user_not_found (the user is deleted while the run goes)', async () => {
    let victim = '';
    // The first change the run applies is the moment an admin deletes the second user.
    let deleted = false;
    let provider: DemoProvider | undefined;
    const deleteVictim = () => {
      if (deleted || provider === undefined) return;
      deleted = true;
      provider.removeUser(TEST_CUSTOMERS.contoso.id, victim);
    };
    const { text, users } = await threadOf(
      {
        provider: { onChange: deleteVictim },
        wrapProvider: (demo) => {
          provider = demo;
          return demo;
        },
        service: { concurrency: 1 },
      },
      (c) => {
        victim = c.unlicensed.id;
        return [c.callingPlanHolder, c.unlicensed];
      },
      { assign: [DEMO_SKUS.EMS] },
    );
    expectFailure(text, present(users[1], 'user 1'), 'user_not_found');
    expect(text).toContain('assigned to 1 user');
  });

  it('throttled (after the retries)', async () => {
    const { text, users } = await threadOf(
      {
        provider: { faults: { throttleRate: 1, retryAfterMs: 1 } },
        service: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
      },
      (c) => [c.unlicensed],
      { assign: [DEMO_SKUS.ENTERPRISEPACK] },
    );
    expectFailure(text, present(users[0], 'user 0'), 'throttled');
  });

  it('provider_error (with the provider’s message)', async () => {
    const { text, users } = await threadOf(
      {
        provider: { faults: { serverErrorRate: 1 } },
        service: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
      },
      (c) => [c.unlicensed],
      { assign: [DEMO_SKUS.ENTERPRISEPACK] },
    );
    expectFailure(text, present(users[0], 'user 0'), 'provider_error');
    expect(text).toContain('Service Unavailable');
  });

  it('insufficient_licenses (two requests race for the last seat)', async () => {
    const OTHER = 'U0OTHEROP';
    const h = closedAfterTest(
      await startAppHarness({
        provider: { latencyMs: 20 },
        tenant: (data) => withSeatsLeft(data, DEMO_SKUS.ENTERPRISEPREMIUM, 1),
      }),
    );
    const contoso = contosoOf(h.data);
    const [first, second] = contoso.users.filter(
      (u) => u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0,
    );
    assert(first && second);
    const views: string[] = [];
    for (const [operator, user] of [
      ['U0OPERATOR', first],
      [OTHER, second],
    ] as const) {
      views.push((await selectUsers(h, contoso.customer, [user], operator)).id);
    }
    const [a, b] = await Promise.all([
      submitChange(
        h,
        present(views[0], 'the first view'),
        { assign: [DEMO_SKUS.ENTERPRISEPREMIUM] },
        'U0OPERATOR',
      ),
      submitChange(h, present(views[1], 'the second view'), { assign: [DEMO_SKUS.ENTERPRISEPREMIUM] }, OTHER),
    ]);
    expect([a.responseAction, b.responseAction]).toEqual(['update', 'update']);
    await h.idle();
    const summaries = h.fake.messages(CHANNEL).filter((m) => m.threadTs === undefined);
    expect(summaries).toHaveLength(2);
    const text = textOf(summaries.flatMap((s) => h.fake.thread(CHANNEL, s.ts)));
    const loser = [first, second].find(
      (u) =>
        !h.provider
          .holdingsOf(contoso.customer.id, u.id)
          .some((l) => l.skuId === DEMO_SKUS.ENTERPRISEPREMIUM),
    );
    expectFailure(text, present(loser, 'the user left without E5'), 'insufficient_licenses');
    expect(h.provider.productOf(contoso.customer.id, DEMO_SKUS.ENTERPRISEPREMIUM)?.available).toBe(0);
    expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
  });
});
