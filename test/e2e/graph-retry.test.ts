/**
 * Retry only the failed on Microsoft Graph: the Graph fake answers 429 to one user's
 * assignLicense until the executor gives up; "Retry failed (1)" sends that user's part again,
 * and no other user gets a second assignLicense.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { OPERATOR, reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { makeTenant, SKU } from '../support/graph-fake/index.js';
import { blocksText, finishedRun, present, selectUsers, submitChange, textOf } from './flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000003';
/** The executor gives up on a throttled part after two attempts. */
const ATTEMPTS = 2;

afterAll(() => reportAckLatencies('graph-retry.test.ts'));

describe('retry only the failed, on Microsoft Graph', () => {
  it('sends again only the throttled user’s assignLicense; every user gets E3 from exactly one accepted call', async () => {
    const h = closedAfterTest(
      await startGraphApp({
        fake: { tenants: [makeTenant({ tenantId: TENANT, users: 12, name: 'Contoso' })] },
        service: { retry: { maxAttempts: ATTEMPTS, baseDelayMs: 1, maxDelayMs: 2 } },
      }),
    );
    const { graph } = h;
    const users = graph.tenant(TENANT).users.slice(0, 3);
    const throttled = present(users[1], 'the throttled user');
    graph.fail({
      status: 429,
      retryAfter: '0.001',
      count: ATTEMPTS,
      method: 'POST',
      path: `/users/${throttled.id}/assignLicense`,
    });

    const manage = await selectUsers(h, { id: TENANT, name: 'Contoso' }, users);
    expect((await submitChange(h, manage.id, { assign: [SKU.E3] })).responseAction).toBe('update');
    const { summary } = await finishedRun(h);
    expect(textOf([summary])).toContain(':x: 1 failed');
    expect(graph.user(TENANT, throttled.id).licenses).toEqual([]);

    await h.driver.blockActions({
      userId: OPERATOR,
      message: { channel: summary.channel, ts: summary.ts },
      actions: [{ actionId: ids.actions.retryFailed }],
    });
    const modal = await h.fake.waitFor(() => {
      const view = h.fake.openModalOf(OPERATOR);
      return view?.callbackId === ids.views.followUp && view.definition.submit !== undefined
        ? view
        : undefined;
    }, 5000);
    expect(blocksText(modal.blocks)).toContain('1 license to assign');
    expect((await h.driver.viewSubmission({ userId: OPERATOR, viewId: modal.id })).responseAction).toBe(
      'update',
    );
    await h.idle();

    for (const user of users) {
      expect(graph.user(TENANT, user.id).licenses.map((l) => l.skuId)).toEqual([SKU.E3]);
      const accepted = graph.requests.filter(
        (r) => r.method === 'POST' && r.path === `/users/${user.id}/assignLicense` && r.status < 300,
      );
      expect(accepted, user.displayName).toHaveLength(1);
    }
    const retried = graph.requests.filter((r) => r.method === 'POST' && r.path.includes(throttled.id));
    expect(retried.map((r) => r.status)).toEqual([...Array(ATTEMPTS).fill(429), 200]);
    expect(h.logger.errors()).toEqual([]);
  });
});
