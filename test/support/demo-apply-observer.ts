/**
 * An observer the crash tests load into the child (`--import`, see child-app.ts `preload`): every
 * change the demo provider reports as applied (applyUserChange resolved) is appended as one JSON
 * line per part to the file named by DEMO_APPLY_LOG, synchronously, before the caller hears of it.
 * It changes nothing the bot does. A part with two lines was applied twice: the first application
 * was lost with the process and the resumed run made it again.
 *
 * The line is written after the in-memory change and before any later timer runs, and the demo
 * tenant file serialises its data when a write starts (on a timer), so the file can never hold a
 * change this log misses.
 */
import { appendFileSync } from 'node:fs';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';

/** One applied part, as the observer writes it. */
export interface AppliedPart {
  customerId: string;
  userId: string;
  skuId: string;
  op: 'assign' | 'revoke';
  pid: number;
}

const logFile = process.env.DEMO_APPLY_LOG;
if (logFile !== undefined && logFile !== '') {
  const original = DemoProvider.prototype.applyUserChange;
  if (typeof original !== 'function') {
    throw new Error(
      'demo-apply-observer: DemoProvider.prototype.applyUserChange is gone; update the observer',
    );
  }
  DemoProvider.prototype.applyUserChange = async function observed(
    this: DemoProvider,
    customerId,
    userId,
    change,
  ) {
    // What the provider answers goes back unchanged: the observer only writes down what it saw.
    const answer = await original.call(this, customerId, userId, change);
    const parts: AppliedPart[] = [
      ...change.assign.map((a) => ({
        customerId,
        userId,
        skuId: a.skuId,
        op: 'assign' as const,
        pid: process.pid,
      })),
      ...change.revoke.map((skuId) => ({
        customerId,
        userId,
        skuId,
        op: 'revoke' as const,
        pid: process.pid,
      })),
    ];
    if (parts.length > 0) appendFileSync(logFile, parts.map((part) => `${JSON.stringify(part)}\n`).join(''));
    return answer;
  };
}
