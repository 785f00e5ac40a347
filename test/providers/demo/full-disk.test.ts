/**
 * The demo tenant on a disk that really fills up: a 2 MB tmpfs, filled to the last byte. Where a
 * tmpfs cannot be mounted (not root, a container without the capability) the same test runs with
 * an injected ENOSPC and says so in one line.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoTenant, readDemoTenant } from '../../../src/providers/demo/demo-file.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import { DEMO_SKUS } from '../../../src/providers/demo/generator.js';
import { refusal } from '../../support/provider-refusal.js';
import {
  C,
  faultyDisk,
  filesOf,
  giveFlow,
  smallTenant,
  takeFlow,
  withFlow,
  withoutFlow,
} from './tenant-files.js';

let root: string;
let mounted = false;
/** Closed before unmounting, even when the test failed half-way (an open log keeps the mount busy). */
const opened: Array<{ close: (options?: { retryForMs?: number }) => Promise<unknown> }> = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'demo-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', root], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.info(`full-disk test: no tmpfs (${why}); an injected ENOSPC stands in for the full disk`);
  }
});

afterAll(async () => {
  for (const tenant of opened) await tenant.close({ retryForMs: 0 });
  if (mounted) {
    try {
      execFileSync('umount', [root], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', root], { stdio: 'pipe' });
    }
  }
  await rm(root, { recursive: true, force: true });
});

/** Writes a file until the disk refuses even one more byte; returns its path. */
async function fillDisk(dir: string): Promise<string> {
  const filler = path.join(dir, 'filler');
  const handle = await open(filler, 'a');
  try {
    for (const size of [1 << 16, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          await handle.appendFile(chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    await handle.close();
  }
  return filler;
}

describe('a full disk', () => {
  it('refuses changes as transient without a half line, keeps memory equal to disk, and recovers', async () => {
    const dir = path.join(root, 'data');
    await mkdir(dir, { recursive: true });
    const injected = faultyDisk();
    const tenant = await openDemoTenant(dir, {
      initial: smallTenant,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      ...(mounted ? {} : { fs: injected.fs }),
    });
    opened.push(tenant);
    const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
    const give = withoutFlow(tenant.data).slice(0, 6);
    const take = withFlow(tenant.data).slice(0, 6);
    const memory = provider.snapshot();
    const seats = provider.productOf(C, DEMO_SKUS.FLOW_FREE);
    const files = await filesOf(dir);

    let filler: string | undefined;
    if (mounted) filler = await fillDisk(root);
    else injected.full = true;

    const refused = await Promise.allSettled([
      ...give.map((userId) => provider.applyUserChange(C, userId, giveFlow)),
      ...take.map((userId) => provider.applyUserChange(C, userId, takeFlow)),
    ]);
    for (const result of refused) {
      expect(result.status).toBe('rejected');
      expect(await refusal(Promise.reject((result as PromiseRejectedResult).reason))).toMatchObject({
        reason: 'provider_error',
        transient: true,
      });
    }
    expect(provider.snapshot()).toEqual(memory);
    expect(provider.productOf(C, DEMO_SKUS.FLOW_FREE)).toEqual(seats);
    expect(await filesOf(dir)).toEqual(files);
    expect(tenant.health().log.writable).toBe(false);
    // A snapshot cannot be written either; it leaves no temporary file behind.
    await expect(tenant.flush()).resolves.toBeUndefined(); // nothing to fold in yet
    tenant.persist();
    await expect(tenant.flush()).rejects.toThrow(/ENOSPC/);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await filesOf(dir)).toEqual(files);

    if (filler !== undefined) await rm(filler);
    injected.full = false;
    await Promise.all([
      ...give.map((userId) => provider.applyUserChange(C, userId, giveFlow)),
      ...take.map((userId) => provider.applyUserChange(C, userId, takeFlow)),
    ]);
    expect(tenant.health().log.writable).toBe(true);
    expect(await readDemoTenant(dir)).toEqual(provider.snapshot());
    expect((await tenant.close({ retryForMs: 2_000 })).problems).toEqual([]);
    expect(await readDemoTenant(dir)).toEqual(provider.snapshot());
  });
});
