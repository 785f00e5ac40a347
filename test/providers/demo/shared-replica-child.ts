/**
 * Run by shared-replicas.test.ts as one replica in its own process: opens the shared demo tenant
 * on the schema argv[3] of DATABASE_URL argv[2] (seeding it with `contested()` when it is the
 * first), prints `ready`, waits for a line on stdin (so the replicas write at the same time),
 * assigns Power Automate Free to every user of argv[4] (comma-separated) in turn, prints
 * `ok <userId>` or `refused <userId> <reason>` for each, then `seats <consumed> <available>` as
 * it then reads them, and exits.
 */
import { createPool } from '../../../src/db/pool.js';
import { openSharedDemo } from '../../../src/providers/demo/postgres/open-shared-demo.js';
import { isLicenseProviderError } from '../../../src/providers/license-provider.js';
import { CONTESTED, contested, FLOW, giveFlow } from './shared-tenant-data.js';

const [url, schema, list] = process.argv.slice(2);
if (url === undefined || schema === undefined || list === undefined)
  throw new Error('usage: shared-replica-child.ts <url> <schema> <userIds>');
const pool = createPool({ connectionString: url, max: 4, schema });
const quiet = { info() {}, warn() {}, error() {} };
const { provider, close } = await openSharedDemo(pool, { initial: contested, logger: quiet });
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
for (const userId of list.split(',')) {
  try {
    await provider.applyUserChange(CONTESTED, userId, giveFlow);
    process.stdout.write(`ok ${userId}\n`);
  } catch (error) {
    if (!isLicenseProviderError(error)) throw error;
    process.stdout.write(`refused ${userId} ${error.reason}\n`);
  }
}
const flow = (await provider.listProducts(CONTESTED)).find((product) => product.skuId === FLOW);
process.stdout.write(`seats ${flow?.consumed} ${flow?.available}\n`);
await close();
await pool.end();
