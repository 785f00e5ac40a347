/**
 * Run by durability.test.ts as a child process that is killed with SIGKILL: opens the demo tenant
 * in argv[2] and, until it is killed, toggles Power Automate Free for every user of Contoso, eight
 * workers each owning its users, printing `applied <userId> <give|take>` once each call resolved.
 */
import { openDemoBackend } from '../../../src/providers/demo/demo-backend.js';
import { C, giveFlow, smallTenant, takeFlow, withFlow, withoutFlow } from './tenant-files.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: crash-child.ts <dataDir>');
const { provider, tenant } = await openDemoBackend(dataDir, {
  initial: smallTenant,
  compactAfterRecords: 40,
});
const holding = new Set(withFlow(tenant.data));
const users = [...withoutFlow(tenant.data), ...holding];
const WORKERS = 8;
const worker = async (index: number) => {
  const mine = users.filter((_, at) => at % WORKERS === index);
  for (;;) {
    for (const userId of mine) {
      const give = !holding.has(userId);
      await provider.applyUserChange(C, userId, give ? giveFlow : takeFlow);
      if (give) holding.add(userId);
      else holding.delete(userId);
      process.stdout.write(`applied ${userId} ${give ? 'give' : 'take'}\n`);
    }
  }
};
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
