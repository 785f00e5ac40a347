/**
 * Loaded into each replica child (`--import`, child-app.ts `preload`): every change the shared demo
 * tenant reports as applied (committed) is appended to REPLICA_APPLY_LOG as one JSON line with the
 * replica's pid and the time, synchronously, before the caller hears of it. It changes nothing the
 * bot does; the test reads from it which replica is running a request and when another took over.
 */
import { appendFileSync } from 'node:fs';
import { SharedDemoProvider } from '../../src/providers/demo/postgres/shared-demo-provider.js';

export interface ObservedApply {
  customerId: string;
  userId: string;
  pid: number;
  /** Date.now() when the change was reported applied. */
  at: number;
}

const logFile = process.env.REPLICA_APPLY_LOG;
if (logFile !== undefined && logFile !== '') {
  const original = SharedDemoProvider.prototype.applyUserChange;
  SharedDemoProvider.prototype.applyUserChange = async function observed(
    this: SharedDemoProvider,
    customerId,
    userId,
    change,
  ) {
    const answer = await original.call(this, customerId, userId, change);
    const line: ObservedApply = { customerId, userId, pid: process.pid, at: Date.now() };
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    return answer;
  };
}
