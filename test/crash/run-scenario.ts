/**
 * One 1,000-user run on the demo tenant, interrupted again and again: the operator assigns Power
 * Automate Free to 1,000 users of a large customer and revokes Visio Plan 2 from them (an
 * assign + revoke mix with successes, planned no-ops and refusals), the bot (a real child
 * process) is stopped with `signal` at random points while the run goes and started again on the
 * same DATA_DIR (the run resumes), then it is left to finish. What it leaves is then counted:
 *
 * - lost: planned parts with no result at the end (or a run that never completes);
 * - doubled: parts applied more than once, from the demo tenant's change log (countDemoChanges)
 *   and, independently, from an observer in the child that logs every change the demo provider
 *   reports applied (test/support/demo-apply-observer.ts);
 * - misreported: results the tenant contradicts (see evidence.ts `contradiction`), and what
 *   Slack shows (the summary's final counts, the CSV of every result) against the results.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { CSV_OUTCOME_WORDS } from '../../blocks/results-csv.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { neverHeldKeys } from '../../src/licensing/run-counts.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import type { ChildSignal } from '../support/child-app.js';
import { parseCsv } from '../support/csv.js';
import type { SlackFake } from '../support/slack-fake.js';
import { endCrashTest, startCrashTest } from './crash-test.js';
import {
  auditResults,
  customerById,
  customerNamed,
  listed,
  loggedMoreThanOnce,
  observedMoreThanOnce,
  priorStateGaps,
  tally,
} from './evidence.js';
import { CHANNEL, messagesAbout, OPERATOR, shownCompleted, sleep, submitChange } from './operator.js';

const USERS = 1000;
const ASSIGNED = DEMO_SKUS.FLOW_FREE;
const REVOKED = DEMO_SKUS.VISIOCLIENT;
/** Writes per second per tenant: the 1,000-user run takes a few seconds. */
const WRITES_PER_SECOND = 100;
const observer = path.join(import.meta.dirname, '..', 'support', 'demo-apply-observer.ts');

export interface RunScenario {
  /** Label in the output. */
  name: string;
  customerName: string;
  signal: ChildSignal;
  stops: number;
  /** Each stop comes 0–maxDelayMs after the run (re)started. */
  maxDelayMs: number;
}

export interface RunCrashCounts {
  seed: number;
  report: string;
  lost: number;
  doubled: number;
  misreported: number;
  /** Applied parts whose state before the run is not recorded as the tenant held it (evidence.ts priorStateGaps). */
  priorGaps: number;
  /** Stops that came while the run still went (the others found it finished). */
  stopsDuringRun: number;
  completed: boolean;
}

/**
 * What Slack shows of the request's results that the store contradicts (`problems`), and
 * summaries left behind by a kill between posting a summary and saving where it is (`stale`: the
 * restart posts another; no bot can close that window without reading the channel's history).
 */
function slackDisagreements(
  fake: SlackFake,
  request: ChangeRequest,
  counts: Record<string, number>,
): { problems: string[]; stale: string[] } {
  const problems: string[] = [];
  const summaries = messagesAbout(fake, CHANNEL, request.id);
  const finals = summaries.filter((m) => /\bcompleted: \d+ succeeded/.test(m.text ?? ''));
  const final = finals.at(-1);
  if (final === undefined) problems.push(`no summary of ${request.id} says completed`);
  else {
    // Every part is reported as the tenant shows it, so the run's verification finds nothing.
    if (!(final.text ?? '').includes('; verified against the tenant'))
      problems.push(`the summary of ${request.id} does not say verified: ${final.text ?? ''}`);
    const shown = /completed: (\d+) succeeded, (\d+) no change, (\d+) failed/.exec(final.text ?? '');
    const [success, noop, failed] = (shown ?? []).slice(1).map(Number);
    if (success !== counts.success || noop !== counts.noop || failed !== counts.failed) {
      problems.push(
        `the summary says ${success} succeeded, ${noop} no change, ${failed} failed; the results are ${counts.success}, ${counts.noop}, ${counts.failed}`,
      );
    }
  }
  const stale = summaries
    .filter((m) => !finals.includes(m))
    .map((m) => `one of ${summaries.length} summaries still says: ${m.text ?? ''}`);

  const csvs = fake.files().filter((file) => file.filename === `licenses-${request.id}.csv`);
  const csv = csvs.at(-1);
  if (csv?.content === undefined) {
    problems.push(`no CSV of the results of ${request.id}`);
    return { problems, stale };
  }
  const [header, ...rows] = parseCsv(csv.content.toString('utf8'));
  const column = (name: string) => header?.indexOf(name) ?? -1;
  const [user, sku, op, outcome] = ['user_id', 'sku_id', 'operation', 'outcome'].map(column);
  const seen = new Set<string>();
  const neverHeld = neverHeldKeys(request);
  for (const row of rows) {
    const key = `${row[user ?? -1]}|${row[sku ?? -1]}|${row[op ?? -1]}`;
    if (seen.has(key)) problems.push(`the CSV lists ${key} twice`);
    seen.add(key);
    // A revoke of a product the user never had is counted nowhere: the CSV says so in words.
    const result = request.results[key];
    const stored = neverHeld.has(key)
      ? 'did not have it'
      : result
        ? CSV_OUTCOME_WORDS[result.outcome]
        : 'pending';
    if (row[outcome ?? -1] !== stored)
      problems.push(`the CSV says ${key} ${row[outcome ?? -1]}, the store ${stored}`);
  }
  return { problems, stale };
}

export async function runCrashScenario(scenario: RunScenario): Promise<RunCrashCounts> {
  const logDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-crash-applied-'));
  onTestFinished(() => rm(logDir, { recursive: true, force: true }));
  const applied = path.join(logDir, 'applied.jsonl');
  const { seed, dice, fake, child, baseline } = await startCrashTest(scenario.name, {
    env: {
      OPERATOR_USER_IDS: OPERATOR,
      APPROVAL_REVOKE_THRESHOLD: '100000',
      TENANT_WRITES_PER_SECOND: String(WRITES_PER_SECOND),
      DEMO_APPLY_LOG: applied,
    },
    preload: [observer],
  });
  const customer = customerNamed(baseline, scenario.customerName);
  const users = dice.shuffle(customer.users).slice(0, USERS);

  const told = await submitChange(child, customer, users, { assign: [ASSIGNED], revoke: [REVOKED] });
  const { requestId } = told;

  const stopsAt: string[] = [];
  let stopsDuringRun = 0;
  let startedAt = told.at;
  for (let i = 0; i < scenario.stops; i++) {
    const delayMs = dice.between(0, scenario.maxDelayMs + 1);
    await sleep(Math.max(0, delayMs - (performance.now() - startedAt)));
    const during = !shownCompleted(fake, requestId);
    if (during) stopsDuringRun += 1;
    stopsAt.push(`${during ? '' : '(done) '}+${Math.round(performance.now() - startedAt)}`);
    await child.kill(scenario.signal);
    await child.start();
    startedAt = performance.now();
  }
  const { notShownCompleted, stop, store, tenant } = await endCrashTest(child, [requestId], {
    quietMs: 15_000,
    timeoutMs: 60_000,
  });

  const request = store.requests.get(requestId);
  const lost: string[] = [];
  const misreported: string[] = [];
  const stale: string[] = [];
  const priorGaps: string[] = [];
  let planned = 0;
  let resultCounts = { success: 0, noop: 0, failed: 0 };
  if (request === undefined) lost.push(`${requestId} is not in the store`);
  else {
    if (request.status !== 'completed') lost.push(`${requestId} is ${request.status}, not completed`);
    const before = customerById(baseline, request.customerId);
    const audit = auditResults(request, before, customerById(tenant, request.customerId));
    priorGaps.push(...priorStateGaps(request, store.priorStates.get(requestId) ?? [], before));
    planned = audit.planned;
    resultCounts = audit.counts;
    lost.push(...audit.lost.map((key) => `${key}: no result`));
    misreported.push(...audit.misreported);
    const slack = slackDisagreements(fake, request, audit.counts);
    misreported.push(...slack.problems);
    stale.push(...slack.stale);
  }
  const ofThisCustomer = (times: Map<string, number>) =>
    [...times]
      .filter(([key]) => key.startsWith(`${customer.customer.id}|`))
      .map(([key, n]) => `${key}: ${n} times`);
  const doubledLogged = ofThisCustomer(await loggedMoreThanOnce(child.dataDir));
  const doubledObserved = ofThisCustomer(await observedMoreThanOnce(applied));
  const doubled = Math.max(doubledLogged.length, doubledObserved.length);

  const report = [
    `${scenario.name}: seed ${seed} (CRASH_SEED=${seed} to replay); ${USERS} users of ${scenario.customerName}, ${planned} planned parts (results: ${resultCounts.success} success, ${resultCounts.noop} noop, ${resultCounts.failed} failed)`,
    `${scenario.stops} × ${scenario.signal} 0–${scenario.maxDelayMs} ms after each (re)start, ${stopsDuringRun} while the run went: ${stopsAt.join(' ')}`,
    `lost: ${lost.length}`,
    listed(lost),
    `doubled: ${doubled} (change log ${doubledLogged.length}, observed calls ${doubledObserved.length})`,
    listed(doubledLogged.length >= doubledObserved.length ? doubledLogged : doubledObserved),
    `misreported: ${misreported.length}${misreported.length > 0 ? ` (${tally(misreported)})` : ''}`,
    listed(misreported),
    `applied without the state before it recorded as it was: ${priorGaps.length}`,
    listed(priorGaps),
    `stale summaries (not asserted): ${stale.length}${stale.length > 0 ? ` (${stale.join('; ')})` : ''}`,
    `request ${requestId}: ${request?.status ?? 'missing'}; summary shown completed: ${notShownCompleted.length === 0}; final stop ${JSON.stringify(stop)}; ${child.starts} starts`,
  ].join('\n');
  console.log(report);
  return {
    seed,
    report: `${report}\n${child.output(6000)}`,
    lost: lost.length,
    doubled,
    misreported: misreported.length,
    priorGaps: priorGaps.length,
    stopsDuringRun,
    completed: request?.status === 'completed',
  };
}

/** The run's verdict: nothing lost, doubled, misreported or applied without its state before, and completed. */
export function expectRunAgreesWithTenant(counts: RunCrashCounts): void {
  expect(counts.lost, counts.report).toBe(0);
  expect(counts.doubled, counts.report).toBe(0);
  expect(counts.misreported, counts.report).toBe(0);
  expect(counts.priorGaps, counts.report).toBe(0);
  expect(counts.completed, counts.report).toBe(true);
}
