/**
 * Verification of runs as pg-boss jobs (STORE=postgres): the run-finish job reads the tenant back
 * and saves the verdict with the completion before the closing posts; a tenant changed behind the
 * bot's back ends as a mismatch in the summary, the thread and the CSV; and verification keeps to
 * the finisher's share of its job's time (a finish never outlives its deadline for it).
 */
import { expect, it } from 'vitest';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { TEST_CUSTOMERS } from '../support/app-harness.js';
import { parseCsv } from '../support/csv.js';
import { describePostgres, useFreshSchema } from '../support/postgres.js';
import type { SlackFake } from '../support/slack-fake.js';
import { CHANNEL, submitAssign, withQueueHarness } from './queue-harness.js';

const schema = useFreshSchema();

/** The request's summary and thread as text, and its CSV's rows keyed by the header. */
function told(fake: SlackFake, request: ChangeRequest) {
  const ts = request.report?.ts ?? '';
  const text = (m: { text?: string; blocks?: unknown } | undefined) =>
    `${m?.text ?? ''}\n${JSON.stringify(m?.blocks ?? [])}`;
  const files = fake.files().filter((file) => file.threadTs === ts);
  const [header = [], ...rows] = parseCsv(files[0]?.content?.toString('utf8') ?? '');
  return {
    summary: text(fake.message(CHANNEL, ts)),
    thread: fake.thread(CHANNEL, ts).map(text).join('\n'),
    csvs: files.length,
    rows: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? '']))),
  };
}

describePostgres('verified runs as pg-boss jobs', () => {
  it('reads "verified" when the tenant agrees, and lists a licence removed behind its back as a mismatch', async () => {
    await withQueueHarness(schema, async (h) => {
      const sku = await h.roomiest();
      let target: string | undefined;
      const replica = await h.startReplica({
        afterApply: async (userId) => {
          // The first user the bot changes loses the licence again in the admin center.
          if (target !== undefined) return;
          target = userId;
          await h.demo.applyUserChange(TEST_CUSTOMERS.contoso.id, userId, { assign: [], revoke: [sku] });
        },
      });
      const request = await submitAssign(replica.service, h.contosoUserIds.slice(0, 6), sku);
      const done = await h.completed(request.id);
      expect(done.verification?.mismatches).toEqual([
        { userId: target, skuId: sku, op: 'assign', reported: 'success', found: 'not_held' },
      ]);
      const { summary, thread, csvs, rows } = told(h.fake, done);
      expect(summary).toContain('1 result does not match the tenant');
      expect(thread).toContain('reported assigned, but the tenant shows the user does not hold it');
      expect(csvs).toBe(1);
      expect(rows.filter((row) => row.outcome === 'mismatch').map((row) => row.user_id)).toEqual([target]);

      // A second request on the other users, nobody interfering: verified.
      const clean = await submitAssign(replica.service, h.contosoUserIds.slice(6, 10), sku);
      const cleanDone = await h.completed(clean.id);
      expect(cleanDone.verification).toMatchObject({ mismatches: [] });
      expect(cleanDone.verification?.unverified).toBeUndefined();
      expect(told(h.fake, cleanDone).summary).toContain('Verified against the tenant');
      expect(replica.logger.errors()).toEqual([]);
    });
  });

  it('keeps within its job: a wait longer than the finisher may take ends "not verified", and the run completes', async () => {
    // Jobs expire after 4 s, so a finisher verifies within 2.4 s; the 10 s wait does not fit.
    await withQueueHarness(
      schema,
      async (h) => {
        const replica = await h.startReplica();
        const request = await submitAssign(replica.service, h.contosoUserIds.slice(0, 3), await h.roomiest());
        const done = await h.completed(request.id);
        expect(done.verification).toMatchObject({ mismatches: [], unverified: 'out_of_time' });
        const { summary, csvs } = told(h.fake, done);
        expect(summary).toContain('Not verified');
        expect(summary).not.toContain('Verified against the tenant');
        expect(csvs).toBe(1);
      },
      { verification: { delayMs: 10_000, retryDelayMs: 5 } },
    );
  });
});
