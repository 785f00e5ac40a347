/**
 * Verified results, end to end: an operator's request over signed HTTP with the Slack fake, run on
 * the demo tenant or the Graph fake; after the run the users' holdings are read again and every
 * reported result checked. A tenant changed behind the bot's back (a success undone, a failure
 * made true) ends as mismatches in the summary, a thread message and the CSV; Graph's eventual
 * consistency (a read that first shows the old state) still ends "verified" within the attempts.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { UserChange } from '../../src/licensing/model.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import {
  type AppHarness,
  reportAckLatencies,
  startAppHarness,
  startGraphApp,
} from '../support/app-harness.js';
import { parseCsv } from '../support/csv.js';
import { type GraphFake, makeTenant, SKU } from '../support/graph-fake/index.js';
import { contosoOf, finishedRun, present, selectUsers, submitChange, textOf } from './flow.js';

let h: AppHarness | undefined;
/** The Graph fake of the test on Graph, for changes behind the bot's back. */
let graph: GraphFake | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  graph = undefined;
});
afterAll(() => reportAckLatencies('verified-results.test.ts'));

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The uploaded CSV of the run as rows keyed by its header. */
function csvRows(harness: AppHarness): Record<string, string>[] {
  const [file] = harness.fake.files();
  const [header = [], ...rows] = parseCsv(present(file?.content, 'the CSV').toString('utf8'));
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

/**
 * The demo provider, with `behindTheBack` run on the tenant itself right after the bot's change
 * of a user landed or was refused: someone else changing the tenant before the run is verified.
 */
function tampered(demo: LicenseProvider, behindTheBack: (userId: string) => Promise<void>): LicenseProvider {
  return Object.assign(Object.create(demo) as LicenseProvider, {
    applyUserChange: async (customerId: string, userId: string, change: UserChange) => {
      try {
        return await demo.applyUserChange(customerId, userId, change);
      } finally {
        await behindTheBack(userId);
      }
    },
  });
}

describe('verified results on the demo tenant', () => {
  it('says "verified" when the tenant holds what the run reported', async () => {
    h = await startAppHarness();
    const contoso = contosoOf(h.data);
    const { unlicensed, e1Holder } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed, e1Holder]);
    await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    const { summary, thread } = await finishedRun(h);
    expect(textOf([summary])).toContain('1 succeeded · 0 no change · :x: 1 failed');
    expect(textOf([summary])).toContain('Verified against the tenant: 2 results checked');
    expect(textOf(thread)).not.toContain('do not match');
    const [stored] = await h.store.listRequests({ limit: 1 });
    expect(stored?.verification).toMatchObject({ checked: 2, mismatches: [] });
    expect(csvRows(h).filter((row) => row.outcome === 'mismatch')).toEqual([]);
  });

  it('catches a success undone and a failure made true behind its back: summary, thread and CSV', async () => {
    let undo: (userId: string) => Promise<void> = async () => {};
    h = await startAppHarness({ wrapProvider: (demo) => tampered(demo, (userId) => undo(userId)) });
    const contoso = contosoOf(h.data);
    const { unlicensed, e1Holder } = demoCases(contoso);
    const other = present(
      contoso.users.find(
        (u) =>
          u.id !== unlicensed.id && u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0,
      ),
      'a second unlicensed user',
    );
    const demo = h.provider;
    const customerId = contoso.customer.id;
    undo = async (userId) => {
      // Someone removes the E3 the bot just gave, and swaps E1 for E3 where the bot was refused.
      if (userId === unlicensed.id)
        await demo.applyUserChange(customerId, userId, { assign: [], revoke: [DEMO_SKUS.ENTERPRISEPACK] });
      if (userId === e1Holder.id)
        await demo.applyUserChange(customerId, userId, {
          assign: [{ skuId: DEMO_SKUS.ENTERPRISEPACK, disabledPlans: [] }],
          revoke: [DEMO_SKUS.STANDARDPACK],
        });
    };
    const manage = await selectUsers(h, contoso.customer, [unlicensed, other, e1Holder]);
    await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    const { summary, thread } = await finishedRun(h);

    // The counts stay what the run reported; the mismatches are results of their own.
    const said = textOf([summary]);
    expect(said).toContain('2 succeeded · 0 no change · :x: 1 failed');
    expect(said).toContain('2 results do not match the tenant');
    expect(said).toContain(unlicensed.displayName);
    expect(said).not.toContain('Verified against the tenant');
    const mismatches = present(
      thread.find((message) => textOf([message]).includes('do not match the tenant')),
      'the thread message of mismatches',
    );
    const words = textOf([mismatches]);
    expect(words).toContain(
      `${unlicensed.displayName} (${unlicensed.email}): *Office 365 E3* reported assigned, but the tenant shows the user does not hold it`,
    );
    expect(words).toContain(
      `${e1Holder.displayName} (${e1Holder.email}): *Office 365 E3* reported failed (not assigned), but the tenant shows the user holds it`,
    );
    expect(words).not.toContain(other.displayName);
    expect(words).not.toMatch(GUID);

    const stored = present((await h.store.listRequests({ limit: 1 }))[0], 'the request');
    expect(stored.verification?.checked).toBe(3);
    expect(stored.verification?.mismatches).toEqual(
      expect.arrayContaining([
        {
          userId: unlicensed.id,
          skuId: DEMO_SKUS.ENTERPRISEPACK,
          op: 'assign',
          reported: 'success',
          found: 'not_held',
        },
        {
          userId: e1Holder.id,
          skuId: DEMO_SKUS.ENTERPRISEPACK,
          op: 'assign',
          reported: 'failed',
          found: 'held_directly',
        },
      ]),
    );
    const rows = csvRows(h).filter((row) => row.outcome === 'mismatch');
    expect(rows.map((row) => [row.display_name, row.product, row.reported, row.tenant])).toEqual(
      expect.arrayContaining([
        [unlicensed.displayName, 'Office 365 E3', 'success', 'the user does not hold it'],
        [e1Holder.displayName, 'Office 365 E3', 'failed', 'the user holds it'],
      ]),
    );
    expect(rows).toHaveLength(2);
    const audit = await h.store.listAudit({ requestId: stored.id, limit: 10 });
    expect(audit.find((entry) => entry.action === 'run_completed')?.details).toMatchObject({
      success: 2,
      failed: 1,
      mismatches: 2,
      verified: 'mismatches',
    });
    expect(h.logger.errors()).toEqual([]);
  });
});

const TENANT = '9d4f0000-0000-4000-8000-0000000000a1';

/**
 * The app on the Graph fake (reads lag `staleReads` reads behind each write), after a request
 * giving two of its users E3 has run.
 */
async function onGraph(staleReads: number, wrap?: (provider: LicenseProvider) => LicenseProvider) {
  const app = await startGraphApp({
    fake: { tenants: [makeTenant({ tenantId: TENANT, users: 12, name: 'Contoso' })], staleReads },
    wrapProvider: wrap,
  });
  h = app;
  graph = app.graph;
  const fake = app.graph;
  const users = fake.tenant(TENANT).users.slice(0, 2);
  const customer = { id: TENANT, name: 'Contoso' };
  const manage = await selectUsers(h, customer, users);
  await submitChange(h, manage.id, { assign: [SKU.E3] });
  const run = await finishedRun(h);
  const lastWrite = Math.max(...fake.requests.filter((r) => r.method === 'POST').map((r) => r.at));
  const readsAfter = fake.requests.filter(
    (r) => r.method === 'GET' && r.path === '/users' && r.at > lastWrite,
  );
  return { ...run, users, readsAfter, fake };
}

describe('verified results on Microsoft Graph', () => {
  it('ends "verified" when the first reads still show the old state and a later one the new', async () => {
    const { summary, thread, users, readsAfter, fake } = await onGraph(2);
    expect(textOf([summary])).toContain('Verified against the tenant: 2 results checked');
    expect(textOf(thread)).not.toContain('do not match');
    for (const user of users)
      expect(fake.user(TENANT, user.id).licenses.map((l) => l.skuId)).toEqual([SKU.E3]);
    // The first read and two more of the users it found lagging (three reads, the attempts allowed).
    expect(readsAfter).toHaveLength(3);
  });

  it('reports a difference that outlasts the attempts as a mismatch', async () => {
    const { summary, thread, users, readsAfter } = await onGraph(100);
    const said = textOf([summary]);
    expect(said).toContain('2 succeeded');
    expect(said).toContain('2 results do not match the tenant');
    const words = textOf(thread);
    for (const user of users)
      expect(words).toContain(
        `${user.displayName} (${user.mail}): *Office 365 E3* reported assigned, but the tenant shows the user does not hold it`,
      );
    expect(readsAfter).toHaveLength(3);
  });

  it('catches a licence removed in the tenant behind its back, read after read', async () => {
    const { summary, thread, users, readsAfter } = await onGraph(0, (provider) =>
      tampered(provider, async (userId) => {
        // Someone removes the first user's E3 in the admin center once the bot has assigned it.
        const first = graph?.tenant(TENANT).users[0];
        if (first?.id === userId) first.licenses = [];
      }),
    );
    const [first, second] = users;
    expect(textOf([summary])).toContain('1 result does not match the tenant');
    const words = textOf(thread);
    expect(words).toContain(`${first?.displayName} (${first?.mail}): *Office 365 E3* reported assigned`);
    expect(words).not.toContain(`${second?.displayName} (`);
    // Every read, then two more of the one user who differs.
    expect(readsAfter).toHaveLength(3);
  });
});
