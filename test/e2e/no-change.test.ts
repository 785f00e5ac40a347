/**
 * Issue 13 item 5 over signed HTTP on the demo tenant: "no change" counts changes, not selected
 * users who never had the product being revoked. Revoking E3 from two holders and three users
 * without it reads 2 changes on every surface: the manage step's "Request sent", the summary, the
 * thread and the CSV; the three read "did not have it" apart from the counts.
 */
import { afterAll, expect, it } from 'vitest';
import { renderResultsCsv } from '../../blocks/results-csv.js';
import { failureMessages } from '../../src/licensing/model.js';
import { countResults } from '../../src/licensing/run-counts.js';
import { DEMO_SKUS } from '../../src/providers/demo/catalog.js';
import { OPERATOR, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { contosoOf, finishedRun, present, selectUsers, submitChange, textOf } from './flow.js';

afterAll(() => reportAckLatencies('no-change.test.ts'));

const E3 = DEMO_SKUS.ENTERPRISEPACK;

it('counts the revokes of E3 from its 2 holders, not the 3 selected users who never had it, alike on every surface', async () => {
  const h = closedAfterTest(await startAppHarness());
  const contoso = contosoOf(h.data);
  const holders = contoso.users
    .filter((u) => {
      // E3 alone, so no other product of theirs needs it.
      const [only, ...more] = contoso.holdings[u.id] ?? [];
      return more.length === 0 && only?.skuId === E3 && only.direct && only.viaGroups.length === 0;
    })
    .slice(0, 2);
  const without = contoso.users.filter((u) => (contoso.holdings[u.id] ?? []).length === 0).slice(0, 3);
  expect(holders).toHaveLength(2);
  expect(without).toHaveLength(3);

  const root = await selectUsers(h, contoso.customer, [...holders, ...without]);
  const sent = await submitChange(h, root.id, { revoke: [E3], reason: 'Leavers' });
  expect(sent.responseAction).toBe('update');
  const { summary, thread } = await finishedRun(h);

  // The old count said "3 no change": the three never had E3, so nothing was asked of them.
  expect(textOf([summary])).toContain('Revoke *Office 365 E3* from 2 users (3 do not have it)');
  expect(textOf([summary])).toContain(':white_check_mark: 2 succeeded · 0 no change · :x: 0 failed');
  expect(summary.text).toContain('completed: 2 succeeded, 0 no change, 0 failed');
  const replies = textOf(thread);
  expect(replies).toContain('Results for Contoso: 2 succeeded, 0 no change, 0 failed');
  expect(replies).not.toContain('No change needed');
  expect(replies).toContain('*Nothing to revoke*\n• *Office 365 E3*: 3 selected users did not have it');

  const [request] = await h.service.recentRequests(OPERATOR, 1);
  const stored = present(await h.store.getRequest(present(request, 'the request').id), 'the stored request');
  expect(countResults(stored)).toEqual({ total: 2, done: 2, success: 2, noop: 0, failed: 0 });
  // The run still records a result for every selected user and product.
  expect(Object.keys(stored.results)).toHaveLength(5);
  const rows = renderResultsCsv(stored, failureMessages).trim().split('\r\n').slice(1);
  const outcome = (u: { id: string }) =>
    rows.find((row) => row.includes(`,${u.id},`))?.match(new RegExp(`,${E3},revoke,([^,]*),`))?.[1];
  expect(holders.map(outcome)).toEqual(['success', 'success']);
  expect(without.map(outcome)).toEqual(['did not have it', 'did not have it', 'did not have it']);
});
