/**
 * Peak memory with a 100,000-user customer generated and loaded into a DemoProvider, its search
 * index built. Each figure comes from a fresh child process (`node --import tsx`), so nothing
 * else of the benchmark run is counted; the baseline is an empty child started the same way.
 * Target: ≤ 250 MB peak RSS.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { generateCustomer } from '../src/providers/demo/generator.js';

const USERS = 100_000;
const CHILD_FLAG = '--memory-child';

interface Measure {
  peakRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  seconds: number;
  users: number;
}

export async function run(): Promise<void> {
  const empty = await measureInChild('empty');
  const tenant = await measureInChild('tenant');
  console.log(
    `memory of a ${USERS.toLocaleString('en')}-user customer loaded into a DemoProvider, index built`,
  );
  console.log(`  baseline (empty node --import tsx): peak RSS ${empty.peakRssMb.toFixed(0)} MB`);
  console.log(
    `  ours: peak RSS ${tenant.peakRssMb.toFixed(0)} MB (target ≤ 250 MB); ${(tenant.peakRssMb - empty.peakRssMb).toFixed(0)} MB above the baseline; after GC: RSS ${tenant.rssMb.toFixed(0)} MB, heap ${tenant.heapUsedMb.toFixed(0)} MB; ${tenant.users.toLocaleString('en')} users generated, loaded and indexed in ${tenant.seconds.toFixed(1)} s`,
  );
}

async function measureInChild(mode: 'empty' | 'tenant'): Promise<Measure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, mode],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), maxBuffer: 1 << 20 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Measure;
}

async function child(mode: string): Promise<void> {
  const started = performance.now();
  const provider =
    mode === 'tenant'
      ? new DemoProvider({
          data: {
            version: 1,
            customers: [generateCustomer({ seed: 100, users: USERS, id: 'bench-memory' })],
          },
        })
      : undefined;
  await provider?.searchUsers('bench-memory', { query: 'a', offset: 0, limit: 100 });
  await provider?.listProducts('bench-memory');
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  // Still in use here, so the after-GC figures include the whole tenant.
  const users = (await provider?.searchUsers('bench-memory', { query: '', offset: 0, limit: 0 }))?.total ?? 0;
  const measure: Measure = {
    peakRssMb,
    rssMb: rss / 2 ** 20,
    heapUsedMb: heapUsed / 2 ** 20,
    seconds,
    users,
  };
  console.log(JSON.stringify(measure));
}

const childAt = process.argv.indexOf(CHILD_FLAG);
if (childAt >= 0) {
  await child(process.argv[childAt + 1] ?? 'empty');
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
