/**
 * Run by durability.test.ts as a child process that is killed with SIGKILL: opens the demo tenant
 * in argv[2], applies changes eight at a time and prints `applied <userId> <give|take>` once each
 * call has resolved, until it is killed.
 */
import { openDemoBackend } from '../../../src/providers/demo/demo-backend.js';
import { C, giveFlow, smallTenant, takeFlow, withFlow, withoutFlow } from './tenant-files.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: crash-child.ts <dataDir>');
const { provider, tenant } = await openDemoBackend(dataDir, {
  initial: smallTenant,
  compactAfterRecords: 40,
});
const work = [
  ...withoutFlow(tenant.data).map((userId) => ({ userId, how: 'give' as const })),
  ...withFlow(tenant.data).map((userId) => ({ userId, how: 'take' as const })),
];
process.stdout.write('ready\n');
let next = 0;
const worker = async () => {
  for (let item = work[next++]; item !== undefined; item = work[next++]) {
    await provider.applyUserChange(C, item.userId, item.how === 'give' ? giveFlow : takeFlow);
    process.stdout.write(`applied ${item.userId} ${item.how}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, worker));
process.stdout.write('done\n');
// Keeps running (without closing anything) until the parent kills it.
setInterval(() => {}, 1_000);
