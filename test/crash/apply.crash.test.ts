/**
 * Crash after Apply: the operator submits a change, is shown "Request sent" with its request id,
 * and the bot (a real child process) is killed 0–300 ms later (skewed toward the first
 * milliseconds, where the request may still be only in memory), with kill -9 or SIGTERM; it starts
 * again on the same DATA_DIR and the next round begins. At the end every request the operator was
 * told about must be in the store and completed, its results agreeing with the demo tenant.
 *
 * Seeded: the seed is printed and in every failure message; CRASH_SEED=<seed> replays the rounds.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import type { ChildSignal } from '../support/child-app.js';
import { endCrashTest, restartAfter, startCrashTest } from './crash-test.js';
import { auditResults, customerById, customerNamed, holding, listed, tally } from './evidence.js';
import { CHANNEL, messagesAbout, OPERATOR, shownCompleted, submitChange, type Told } from './operator.js';

const ROUNDS = 8;
const SIGTERM_ROUNDS = 2;
const MAX_DELAY_MS = 300;
const PRODUCT = DEMO_SKUS.FLOW_FREE;

interface Round {
  told: Told;
  signal: ChildSignal;
  /** ms between "Request sent" on screen and the signal. */
  signalledAfterMs: number;
}

describe('kill after Apply', () => {
  it('keeps and runs every request the operator was told was sent', async () => {
    const {
      seed,
      dice,
      child: app,
      baseline,
    } = await startCrashTest('apply crash test', {
      env: { OPERATOR_USER_IDS: OPERATOR, APPROVAL_REVOKE_THRESHOLD: '10' },
    });
    const contoso = customerNamed(baseline, 'Contoso');
    const candidates = dice.shuffle(
      contoso.users.filter((u) => u.usageLocation !== null && !holding(contoso, u.id, PRODUCT).any),
    );
    const signalOf = dice.signals(ROUNDS, SIGTERM_ROUNDS);

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const users = candidates.splice(0, dice.between(1, 5));
      const told = await submitChange(app, contoso, users, { assign: [PRODUCT] });
      expect(told.status, `seed ${seed}: a plain assignment needs no approval`).toBe('running');
      const signal = signalOf(i);
      const signalledAfterMs = await restartAfter(app, signal, told.at, dice.earlyIn(MAX_DELAY_MS));
      rounds.push({ told, signal, signalledAfterMs });
    }

    const toldIds = rounds.map((r) => r.told.requestId);
    const { notShownCompleted, stop, store, tenant } = await endCrashTest(app, toldIds);

    const lost: string[] = [];
    const unfinished: string[] = [];
    const misreported: string[] = [];
    const stale: string[] = [];
    const describeRound = (r: Round) =>
      `${r.told.requestId} (${r.signal} ${r.signalledAfterMs} ms after "Request sent")`;
    for (const round of rounds) {
      const request = store.requests.get(round.told.requestId);
      if (request === undefined) {
        lost.push(`${describeRound(round)}: not in the store`);
        continue;
      }
      if (request.status !== 'completed') {
        unfinished.push(`${describeRound(round)}: ${request.status} after restart`);
        continue;
      }
      const audit = auditResults(
        request,
        customerById(baseline, request.customerId),
        customerById(tenant, request.customerId),
      );
      if (audit.lost.length > 0)
        unfinished.push(`${describeRound(round)}: ${audit.lost.length} parts without a result`);
      misreported.push(...audit.misreported.map((line) => `${round.told.requestId} ${line}`));
    }
    for (const id of toldIds) {
      const completed = store.requests.get(id)?.status === 'completed';
      if (shownCompleted(app.fake, id) && !completed) {
        misreported.push(`${id}: its summary says completed, the store does not`);
      }
      // A kill between posting a summary and saving where it is leaves it behind; the restart
      // posts another. No bot can close that window without reading the channel's history.
      for (const summary of messagesAbout(app.fake, CHANNEL, id)) {
        if (completed && !/\bcompleted: \d+ succeeded/.test(summary.text ?? '')) {
          stale.push(`${id}: a summary still says: ${summary.text ?? ''}`);
        }
      }
    }

    const bySignal = (signal: ChildSignal, from: readonly string[]) =>
      from.filter((line) => rounds.some((r) => r.signal === signal && line.startsWith(r.told.requestId)))
        .length;
    const report = [
      `seed ${seed} (CRASH_SEED=${seed} to replay): ${ROUNDS} rounds, ${ROUNDS - SIGTERM_ROUNDS} kill -9 and ${SIGTERM_ROUNDS} SIGTERM, 0–${MAX_DELAY_MS} ms after "Request sent"`,
      `lost (told sent, not in the store): ${lost.length} (kill -9 ${bySignal('SIGKILL', lost)}, SIGTERM ${bySignal('SIGTERM', lost)})`,
      listed(lost),
      `never completed after restart: ${unfinished.length}`,
      listed(unfinished),
      `misreported: ${misreported.length}${misreported.length > 0 ? ` (${tally(misreported)})` : ''}`,
      listed(misreported),
      `stale summaries left by a kill (not asserted): ${stale.length}`,
      listed(stale),
      `summaries never shown completed: ${notShownCompleted.length}; final stop ${JSON.stringify(stop)}`,
      `rounds: ${rounds.map((r) => `${r.signal === 'SIGKILL' ? 'K' : 'T'}+${r.signalledAfterMs}`).join(' ')}`,
    ].join('\n');
    console.log(`apply crash test\n${report}`);
    const failure = `${report}\n${app.output(6000)}`;
    expect(lost.length, failure).toBe(0);
    expect(unfinished.length, failure).toBe(0);
    expect(misreported.length, failure).toBe(0);
  }, 180_000);
});
