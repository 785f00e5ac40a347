/**
 * Crash after Approve: requests above the approval threshold wait for a manager; a manager clicks
 * Approve on the approval message, Slack shows "Approved by …", and the bot (a real child process)
 * is killed 0–400 ms after that update (skewed toward the first milliseconds), with kill -9 or
 * SIGTERM, and started again on the same DATA_DIR. At the end every approval Slack showed must be
 * approved in the store and its request run to completion, its results agreeing with the tenant.
 *
 * Seeded: the seed is printed and in every failure message; CRASH_SEED=<seed> replays the rounds.
 */
import { describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_SKUS } from '../../src/providers/demo/generator.js';
import type { ChildSignal } from '../support/child-app.js';
import { endCrashTest, restartAfter, startCrashTest } from './crash-test.js';
import { auditResults, customerById, customerNamed, listed, readStore, tally } from './evidence.js';
import {
  APPROVALS,
  APPROVER,
  approvalMessageOf,
  buttonsOf,
  OPERATOR,
  SECOND_APPROVER,
  shownApproved,
  submitChange,
} from './operator.js';

const ROUNDS = 6;
const SIGTERM_ROUNDS = 1;
const MAX_DELAY_MS = 400;
const THRESHOLD = 3;
/** Power Automate Free: held directly by many users, needed by no other product. */
const PRODUCT = DEMO_SKUS.FLOW_FREE;

interface Round {
  requestId: string;
  signal: ChildSignal;
  /** ms between "Approved by" on screen and the signal; undefined when it never showed. */
  signalledAfterMs: number | undefined;
}

describe('kill after Approve', () => {
  it('keeps and runs every approval Slack showed', async () => {
    const {
      seed,
      dice,
      child: app,
      baseline,
    } = await startCrashTest('approve crash test', {
      env: {
        OPERATOR_USER_IDS: OPERATOR,
        APPROVER_USER_IDS: [APPROVER, SECOND_APPROVER].join(','),
        APPROVAL_CHANNEL_ID: APPROVALS,
        APPROVAL_REVOKE_THRESHOLD: String(THRESHOLD),
      },
    });
    const contoso = customerNamed(baseline, 'Contoso');
    const holders = dice.shuffle(
      contoso.users.filter((u) => {
        const held = (contoso.holdings[u.id] ?? []).find((l) => l.skuId === PRODUCT);
        return held?.direct === true && held.viaGroups.length === 0;
      }),
    );

    // Every request waits for approval, its approval message posted and on disk, before the first Approve.
    const requestIds: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const users = holders.splice(0, THRESHOLD);
      const told = await submitChange(app, contoso, users, {
        revoke: [PRODUCT],
        reason: `Crash test round ${i + 1}`,
      });
      expect(told.status, `seed ${seed}: ${THRESHOLD} revocations need approval`).toBe('pending_approval');
      requestIds.push(told.requestId);
    }
    for (const id of requestIds) {
      await app.fake.waitFor(() => approvalMessageOf(app.fake, id), 10_000);
    }
    // A clean stop, so that what follows measures the approvals alone (submissions have their test).
    await app.kill('SIGTERM');
    const submitted = await readStore(app.dataDir);
    const notPending = requestIds.filter((id) => submitted.approvals.get(id)?.status !== 'pending');
    expect(notPending, `seed ${seed}: told "Sent for approval", not pending after a clean stop`).toEqual([]);
    await app.start();
    const signalOf = dice.signals(ROUNDS, SIGTERM_ROUNDS);
    const rounds: Round[] = [];
    for (const [i, requestId] of requestIds.entries()) {
      const message = approvalMessageOf(app.fake, requestId);
      if (!message) throw new Error(`no approval message for ${requestId}`);
      const click = await app.driver.blockActions({
        userId: APPROVER,
        message: { channel: message.channel, ts: message.ts },
        actions: [{ actionId: ids.actions.approve }],
      });
      expect(click.status, `seed ${seed}: the Approve click of ${requestId}`).toBe(200);
      const shownAt = await app.fake
        .waitFor(
          () => shownApproved(approvalMessageOf(app.fake, requestId), APPROVER) && performance.now(),
          10_000,
        )
        .catch(() => undefined);
      const signal = signalOf(i);
      const afterMs = await restartAfter(
        app,
        signal,
        shownAt ?? performance.now(),
        dice.earlyIn(MAX_DELAY_MS),
      );
      // Measured from "Approved by" on screen; there is no such moment when it never showed.
      rounds.push({ requestId, signal, signalledAfterMs: shownAt === undefined ? undefined : afterMs });
    }

    const shown = rounds.filter((r) => r.signalledAfterMs !== undefined);
    const { notShownCompleted, stop, store, tenant } = await endCrashTest(
      app,
      shown.map((r) => r.requestId),
    );

    const lost: string[] = [];
    const misreported: string[] = [];
    const stale: string[] = [];
    const describeRound = (r: Round) =>
      r.signalledAfterMs === undefined
        ? `${r.requestId} (${r.signal}, "Approved by" never shown)`
        : `${r.requestId} (${r.signal} ${r.signalledAfterMs} ms after "Approved by")`;
    for (const round of rounds) {
      const approval = store.approvals.get(round.requestId);
      const request = store.requests.get(round.requestId);
      const finalMessage = approvalMessageOf(app.fake, round.requestId);
      const slackSaysApproved = round.signalledAfterMs !== undefined || shownApproved(finalMessage, APPROVER);
      const storeSaysApproved = approval?.status === 'approved';
      if (slackSaysApproved && !storeSaysApproved) {
        lost.push(
          `${describeRound(round)}: Slack shows approved, the store holds the approval ${approval?.status ?? 'nowhere'} and the request ${request?.status ?? 'nowhere'}`,
        );
        continue;
      }
      if (storeSaysApproved && request?.status !== 'completed') {
        lost.push(`${describeRound(round)}: approved in the store, never ran (request ${request?.status})`);
        continue;
      }
      if (storeSaysApproved && finalMessage !== undefined && buttonsOf(finalMessage).length > 0) {
        stale.push(
          `${describeRound(round)}: approved and run, the approval message still offers its buttons`,
        );
      }
      if (request?.status === 'completed') {
        const audit = auditResults(
          request,
          customerById(baseline, request.customerId),
          customerById(tenant, request.customerId),
        );
        if (audit.lost.length > 0)
          lost.push(`${describeRound(round)}: ${audit.lost.length} parts without a result`);
        misreported.push(...audit.misreported.map((line) => `${round.requestId} ${line}`));
      }
    }

    const bySignal = (signal: ChildSignal) =>
      lost.filter((line) => rounds.some((r) => r.signal === signal && line.startsWith(r.requestId))).length;
    const report = [
      `seed ${seed} (CRASH_SEED=${seed} to replay): ${ROUNDS} approvals, ${ROUNDS - SIGTERM_ROUNDS} kill -9 and ${SIGTERM_ROUNDS} SIGTERM, 0–${MAX_DELAY_MS} ms after "Approved by"`,
      `lost approvals: ${lost.length} of ${rounds.length} (kill -9 ${bySignal('SIGKILL')}, SIGTERM ${bySignal('SIGTERM')})`,
      listed(lost),
      `misreported results: ${misreported.length}${misreported.length > 0 ? ` (${tally(misreported)})` : ''}`,
      listed(misreported),
      `approved in the store but the message still has its buttons (not asserted): ${stale.length}`,
      `"Approved by" never shown: ${rounds.length - shown.length}; summaries never shown completed: ${notShownCompleted.length}; final stop ${JSON.stringify(stop)}`,
      `rounds: ${rounds.map((r) => `${r.signal === 'SIGKILL' ? 'K' : 'T'}+${r.signalledAfterMs ?? '?'}`).join(' ')}`,
    ].join('\n');
    console.log(`approve crash test\n${report}`);
    const failure = `${report}\n${app.output(6000)}`;
    expect(lost.length, failure).toBe(0);
    expect(misreported.length, failure).toBe(0);
    expect(shown.length, failure).toBe(rounds.length);
  }, 180_000);
});
