/**
 * What the multi-replica test reads after the run, all from where production keeps it: the
 * request and its results from the Postgres store, the demo tenant and its change events from the
 * shared tables (through the code every replica loads it with), what Slack shows from the fake,
 * and the apply observer's lines (apply-observer.ts) for who applied what and when.
 */
import { readFile } from 'node:fs/promises';
import { CSV_OUTCOME_WORDS } from '../../blocks/results-csv.js';
import type { Pool } from '../../src/db/pool.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { countAppliedParts } from '../../src/providers/demo/demo-change-count.js';
import { DemoChangeEvent } from '../../src/providers/demo/demo-change-log.js';
import { CHANNEL, messagesAbout } from '../crash/operator.js';
import { parseCsv } from '../support/csv.js';
import type { SlackFake } from '../support/slack-fake.js';
import type { ObservedApply } from './apply-observer.js';

/** The observer's lines so far (none before the first apply). */
export async function observedApplies(file: string): Promise<ObservedApply[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ObservedApply);
}

/** Parts the shared tenant's change events hold more than once for `customerId`: key → times. */
export async function committedMoreThanOnce(pool: Pool, customerId: string): Promise<string[]> {
  const { rows } = await pool.query<{ event: unknown; at: Date }>(
    'SELECT event, at FROM demo_events WHERE customer_id = $1 ORDER BY seq',
    [customerId],
  );
  const records = rows.map((row) => ({ ...DemoChangeEvent.parse(row.event), at: row.at.toISOString() }));
  return countAppliedParts(records)
    .filter((part) => part.count > 1)
    .map((part) => `${part.userId}|${part.skuId}|${part.op}: ${part.count} times`);
}

/**
 * What Slack shows of the request that the store contradicts: the summary's final counts, one CSV
 * with every planned part once and its stored outcome, one summary message.
 */
export function slackProblems(
  fake: SlackFake,
  request: ChangeRequest,
  counts: { success: number; noop: number; failed: number },
  planned: number,
): string[] {
  const problems: string[] = [];
  const summaries = messagesAbout(fake, CHANNEL, request.id);
  if (summaries.length !== 1) problems.push(`${summaries.length} summaries of ${request.id}, not 1`);
  const final = summaries.find((m) => /\bcompleted: \d+ succeeded/.test(m.text ?? ''));
  const shown = /completed: (\d+) succeeded, (\d+) no change, (\d+) failed/.exec(final?.text ?? '');
  // Every part is reported as the tenant shows it, so the run's verification finds nothing.
  if (final !== undefined && !(final.text ?? '').includes('; verified against the tenant'))
    problems.push(`the summary of ${request.id} does not say verified: ${final.text ?? ''}`);
  if (shown === null) problems.push(`no summary of ${request.id} says completed`);
  else {
    const [success, noop, failed] = shown.slice(1).map(Number);
    if (success !== counts.success || noop !== counts.noop || failed !== counts.failed) {
      problems.push(
        `the summary says ${success} succeeded, ${noop} no change, ${failed} failed; the results are ${counts.success}, ${counts.noop}, ${counts.failed}`,
      );
    }
  }
  const csvs = fake.files().filter((file) => file.filename === `licenses-${request.id}.csv`);
  if (csvs.length !== 1) problems.push(`${csvs.length} CSVs of ${request.id}, not 1`);
  const csv = csvs.at(-1)?.content;
  if (csv === undefined) return problems;
  const [header, ...rows] = parseCsv(csv.toString('utf8')).filter((row) => row.some((cell) => cell !== ''));
  const [user, sku, op, outcome] = ['user_id', 'sku_id', 'operation', 'outcome'].map(
    (name) => header?.indexOf(name) ?? -1,
  );
  // A revoke planned as a no-op (the user never had it) reads 'did not have it' (results-csv.ts).
  const neverHeld = new Set(
    request.items.flatMap((item) =>
      item.noops.filter((noop) => noop.op === 'revoke').map((noop) => `${item.userId}|${noop.skuId}|revoke`),
    ),
  );
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row[user ?? -1]}|${row[sku ?? -1]}|${row[op ?? -1]}`;
    if (seen.has(key)) problems.push(`the CSV lists ${key} twice`);
    seen.add(key);
    const result = request.results[key]?.outcome;
    const words = result === undefined ? 'pending' : CSV_OUTCOME_WORDS[result];
    const stored = result === 'noop' && neverHeld.has(key) ? 'did not have it' : words;
    if (row[outcome ?? -1] !== stored)
      problems.push(`the CSV says ${key} ${row[outcome ?? -1]}, the store ${stored}`);
  }
  if (seen.size !== planned) problems.push(`the CSV lists ${seen.size} parts of ${planned} planned`);
  return problems;
}
