/**
 * The demo tenant keeps its promises across crashes: a change whose applyUserChange resolved is
 * in the change log, a change the log could not take is undone and refused as transient, and a
 * restart (snapshot + log replayed) sees exactly what callers were told.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, assert, describe, expect, it } from 'vitest';
import { openDemoBackend } from '../../../src/providers/demo/demo-backend.js';
import { countDemoChanges } from '../../../src/providers/demo/demo-change-count.js';
import {
  DEMO_ARCHIVE_DIR,
  DEMO_CHANGE_LOG_FILE,
  openDemoTenant,
  readDemoTenant,
} from '../../../src/providers/demo/demo-file.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import type { DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS } from '../../../src/providers/demo/generator.js';
import { refusal } from '../../support/provider-refusal.js';
import {
  C,
  contoso,
  faultyDisk,
  filesOf,
  giveFlow,
  present,
  seatsOf,
  smallTenant,
  takeFlow,
  tempDir,
  withFlow,
  withoutFlow,
} from './tenant-files.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  return dir;
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** A fresh tenant in a new data directory on a disk the test can fail or kill, and a provider journaling to it. */
async function journaledTenant() {
  const dir = await dataDir();
  const disk = faultyDisk();
  const tenant = await openDemoTenant(dir, { initial: smallTenant, fs: disk.fs, logger: quiet });
  const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
  return { dir, disk, tenant, provider };
}

function flowOf(provider: DemoProvider, userId: string) {
  return provider.holdingsOf(C, userId).find((license) => license.skuId === DEMO_SKUS.FLOW_FREE);
}

describe('a change reported as applied survives a crash', () => {
  it('is replayed from the log by a fresh open of the same directory (nothing was closed)', async () => {
    const { dir, disk, tenant: first, provider } = await journaledTenant();
    const give = withoutFlow(first.data).slice(0, 30);
    const take = withFlow(first.data).slice(0, 10);
    const leaver = present(give[29], 'a 30th user without Flow');
    const [firstUser, secondUser] = give;
    assert.exists(firstUser);
    assert.exists(secondUser);
    const calls = [
      ...give.map((userId) => provider.applyUserChange(C, userId, giveFlow)),
      ...take.map((userId) => provider.applyUserChange(C, userId, takeFlow)),
      // The same user twice at once: the second waits for the first to be journaled.
      provider.applyUserChange(C, firstUser, takeFlow),
    ];
    await Promise.all(calls);
    await provider.removeUser(C, leaver);
    const told = provider.snapshot();
    expect(flowOf(provider, firstUser)).toBeUndefined();
    expect(flowOf(provider, secondUser)).toMatchObject({ direct: true });

    // The process dies: its files are left as they are, nothing is flushed or compacted.
    await disk.die();
    const second = await openDemoTenant(dir, { logger: quiet });
    cleanups.push(() => second.close());
    expect(second.data).toEqual(told);
    expect(second.data).not.toEqual(smallTenant());
    expect(contoso(second.data).users.map((user) => user.id)).not.toContain(leaver);
    // The seat counts follow from the holdings.
    const reopened = new DemoProvider({ data: second.data });
    expect(reopened.productOf(C, DEMO_SKUS.FLOW_FREE)).toEqual(provider.productOf(C, DEMO_SKUS.FLOW_FREE));
  });

  it('keeps every change whose call resolved when the process is killed with SIGKILL mid-run', async () => {
    const dir = await dataDir();
    const initial = smallTenant();
    const child = startCrashChild(dir);
    cleanups.push(async () => child.kill('SIGKILL'));
    const seen: string[] = [];
    await child.linesUntil((line) => {
      if (line.startsWith('applied ')) seen.push(line);
      return seen.length >= 300;
    });
    child.kill('SIGKILL');
    await child.exited;
    // Lines printed before the kill but not read yet count too: they were all resolved calls.
    seen.push(...child.rest().filter((line) => line.startsWith('applied ')));

    // Each user's calls ran one after another, so at most one was under way at the kill: the
    // records hold every confirmed call, and at most that one more.
    const confirmed = new Map<string, { give: number; take: number }>();
    for (const line of seen) {
      const [, userId, how] = line.split(' ') as [string, string, 'give' | 'take'];
      const mine = confirmed.get(userId) ?? { give: 0, take: 0 };
      mine[how] += 1;
      confirmed.set(userId, mine);
    }
    expect(confirmed.size).toBeGreaterThan(50);
    const counts = await countDemoChanges(dir);
    const recorded = (userId: string, op: 'assign' | 'revoke') =>
      counts.find((part) => part.userId === userId && part.op === op)?.count ?? 0;
    const tenant = await readDemoTenant(dir);
    const holdsFlow = (data: DemoTenantData, userId: string) =>
      (contoso(data).holdings[userId] ?? []).some(
        (license) => license.skuId === DEMO_SKUS.FLOW_FREE && license.direct,
      );
    const wrong: string[] = [];
    for (const [userId, { give, take }] of confirmed) {
      const assigned = recorded(userId, 'assign');
      const revoked = recorded(userId, 'revoke');
      if (assigned < give || revoked < take || assigned + revoked > give + take + 1) {
        wrong.push(`${userId}: told ${give}+${take}, recorded ${assigned}+${revoked}`);
      }
      const held = (holdsFlow(initial, userId) ? 1 : 0) + assigned - revoked;
      if (held !== (holdsFlow(tenant, userId) ? 1 : 0))
        wrong.push(`${userId}: the tenant disagrees with its log`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the change log', () => {
  it('ignores a torn last line and cuts it off', async () => {
    const { dir, disk, tenant: first, provider } = await journaledTenant();
    const [userId, other] = withoutFlow(first.data);
    assert.exists(userId);
    assert.exists(other);
    await provider.applyUserChange(C, userId, giveFlow);
    const told = provider.snapshot();
    // A crash in the middle of the next record's write.
    await disk.die();
    const log = path.join(dir, DEMO_CHANGE_LOG_FILE);
    const whole = await readFile(log, 'utf8');
    const next = whole.replace(userId, other).trimEnd();
    await appendFile(log, next.slice(0, next.length / 2));

    expect(await readDemoTenant(dir)).toEqual(told);
    const second = await openDemoTenant(dir, { logger: quiet });
    cleanups.push(() => second.close());
    expect(second.data).toEqual(told);
    const archived = await archivedLines(dir);
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/"type":"change"/);
  });

  it('stops start-up with an error naming the log when a record in the middle is broken', async () => {
    const { dir, disk, tenant: first, provider } = await journaledTenant();
    for (const userId of withoutFlow(first.data).slice(0, 2))
      await provider.applyUserChange(C, userId, giveFlow);
    await disk.die();
    const log = path.join(dir, DEMO_CHANGE_LOG_FILE);
    const lines = (await readFile(log, 'utf8')).split('\n');
    const [firstLine = '', ...otherLines] = lines;
    const broken = [firstLine.replace('"holdings"', '"holdingz"'), ...otherLines].join('\n');
    await writeFile(log, broken);
    await expect(openDemoTenant(dir, { logger: quiet })).rejects.toThrow(
      `The demo tenant's change log ${log} has an invalid record on line 1 at holdings`,
    );
    expect(await readFile(log, 'utf8')).toBe(broken);
  });
});

describe('a log write that fails', () => {
  it('refuses the change as transient and leaves memory and disk as they were; the next call succeeds', async () => {
    const { dir, disk, tenant, provider } = await journaledTenant();
    cleanups.push(() => tenant.close());
    const give = withoutFlow(tenant.data).slice(0, 8);
    const take = withFlow(tenant.data).slice(0, 8);
    const [first, second] = give;
    assert.exists(first);
    assert.exists(second);
    await provider.applyUserChange(C, first, giveFlow);
    const memory = provider.snapshot();
    const seats = provider.productOf(C, DEMO_SKUS.FLOW_FREE);
    const files = await filesOf(dir);

    disk.full = true;
    // Sixteen calls at once share failing writes: every one of them must hear of it.
    const results = await Promise.allSettled([
      ...give.slice(1).map((userId) => provider.applyUserChange(C, userId, giveFlow)),
      ...take.map((userId) => provider.applyUserChange(C, userId, takeFlow)),
    ]);
    expect(results.map((result) => result.status)).toEqual(results.map(() => 'rejected'));
    const error = await refusal(provider.applyUserChange(C, second, giveFlow));
    expect(error).toMatchObject({
      reason: 'provider_error',
      transient: true,
      message: 'The demo tenant could not save the change; nothing was changed.',
    });
    expect(disk.failures).toBeGreaterThan(0);
    expect(provider.snapshot()).toEqual(memory);
    expect(provider.productOf(C, DEMO_SKUS.FLOW_FREE)).toEqual(seats);
    expect(await filesOf(dir)).toEqual(files);
    expect(tenant.health().log).toMatchObject({ writable: false, error: expect.stringMatching(/ENOSPC/) });

    disk.full = false;
    await Promise.all(give.slice(1).map((userId) => provider.applyUserChange(C, userId, giveFlow)));
    await Promise.all(take.map((userId) => provider.applyUserChange(C, userId, takeFlow)));
    expect(tenant.health().log.writable).toBe(true);
    expect(await readDemoTenant(dir)).toEqual(provider.snapshot());
    const log = await readFile(path.join(dir, DEMO_CHANGE_LOG_FILE), 'utf8');
    expect(
      log
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line).userId),
    ).toHaveLength(16);
  });

  it('undoes a removed user when the removal cannot be saved', async () => {
    const { dir, disk, tenant, provider } = await journaledTenant();
    cleanups.push(() => tenant.close());
    const [leaver] = withFlow(tenant.data);
    assert.exists(leaver);
    const memory = provider.snapshot();
    const seats = provider.productOf(C, DEMO_SKUS.FLOW_FREE);
    disk.full = true;
    await expect(provider.removeUser(C, leaver)).rejects.toMatchObject({ transient: true });
    expect(provider.snapshot()).toEqual(memory);
    expect(provider.productOf(C, DEMO_SKUS.FLOW_FREE)).toEqual(seats);
    expect(flowOf(provider, leaver)).toMatchObject({ direct: true });
    disk.full = false;
    await provider.removeUser(C, leaver);
    expect(await refusal(provider.applyUserChange(C, leaver, takeFlow))).toMatchObject({
      reason: 'user_not_found',
    });
    expect(await readDemoTenant(dir)).toEqual(provider.snapshot());
  });

  it('frees seats only once the revocation is saved, so an undo never over-commits a product', async () => {
    const dir = await dataDir();
    const tenant = await openDemoTenant(dir, { initial: smallTenant, logger: quiet });
    cleanups.push(() => tenant.close());
    const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
    const [holder] = withFlow(tenant.data);
    assert.exists(holder);
    const before = seatsOf(provider, DEMO_SKUS.FLOW_FREE);
    const revoking = provider.applyUserChange(C, holder, takeFlow);
    // Let the call reach the journal, not the disk.
    while (flowOf(provider, holder) !== undefined) await setImmediate();
    expect(seatsOf(provider, DEMO_SKUS.FLOW_FREE).consumed).toBe(before.consumed);
    await revoking;
    expect(seatsOf(provider, DEMO_SKUS.FLOW_FREE).consumed).toBe(before.consumed - 1);
  });
});

describe('a read-only data directory', () => {
  it('starts with the replayed tenant, refuses changes as transient, and takes them once writable', async () => {
    const { dir, disk: dying, tenant: first, provider: earlier } = await journaledTenant();
    const [before, after] = withoutFlow(first.data);
    assert.exists(before);
    assert.exists(after);
    await earlier.applyUserChange(C, before, giveFlow);
    await dying.die();
    const told = earlier.snapshot();

    const disk = faultyDisk();
    disk.readOnly = true;
    const warnings: string[] = [];
    const tenant = await openDemoTenant(dir, {
      fs: disk.fs,
      retryDelayMs: { initial: 5, max: 10 },
      logger: { ...quiet, warn: (line) => warnings.push(line) },
    });
    cleanups.push(() => tenant.close({ retryForMs: 0 }));
    expect(tenant.data).toEqual(told);
    expect(tenant.health()).toMatchObject({
      log: { writable: false, error: expect.stringMatching(/EROFS/) },
      snapshot: { writable: false },
    });
    expect(warnings).toEqual([
      expect.stringMatching(/change log .* cannot be written \(EROFS/),
      expect.stringMatching(/tenant file .* cannot be written \(EROFS.*\); changes stay in/),
    ]);
    const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
    expect(await refusal(provider.applyUserChange(C, after, giveFlow))).toMatchObject({ transient: true });
    expect(provider.snapshot()).toEqual(told);

    disk.readOnly = false;
    await provider.applyUserChange(C, after, giveFlow);
    expect(flowOf(provider, after)).toMatchObject({ direct: true });
    expect(await readDemoTenant(dir)).toEqual(provider.snapshot());
    expect(warnings).toHaveLength(2);
    expect((await tenant.close()).problems).toEqual([]);
    expect(await archivedLines(dir)).toHaveLength(2);
  });
});

describe('compaction', () => {
  it('folds the log into the snapshot and archives it, keeping every change exactly once', async () => {
    const dir = await dataDir();
    const tenant = await openDemoTenant(dir, {
      initial: smallTenant,
      compactAfterRecords: 5,
      coalesceMs: 1,
      logger: quiet,
    });
    const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
    const give = withoutFlow(tenant.data).slice(0, 12);
    for (const userId of give) {
      await provider.applyUserChange(C, userId, giveFlow);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Concurrent calls while compactions run: each waits at the gate, none is lost.
    const take = withFlow(tenant.data).slice(0, 20);
    await Promise.all(take.map((userId) => provider.applyUserChange(C, userId, takeFlow)));
    await tenant.flush();
    expect(tenant.writes).toBeGreaterThanOrEqual(3);
    expect(await archiveFiles(dir)).not.toHaveLength(0);
    const archived = await archivedLines(dir);
    const current = (await readFile(path.join(dir, DEMO_CHANGE_LOG_FILE), 'utf8')).split('\n').slice(0, -1);
    expect(archived.length + current.length).toBe(32);

    const report = await tenant.close();
    expect(report.problems).toEqual([]);
    expect((await stat(path.join(dir, DEMO_CHANGE_LOG_FILE))).size).toBe(0);
    expect(await archivedLines(dir)).toHaveLength(32);
    const snapshot: unknown = JSON.parse(await readFile(path.join(dir, 'demo-tenant.json'), 'utf8'));
    expect(snapshot).toEqual(provider.snapshot());
  });

  it('compacts at open when the log holds changes, and a crash before the move only replays them again', async () => {
    const { dir, disk: dying, tenant: first, provider } = await journaledTenant();
    for (const userId of withoutFlow(first.data).slice(0, 3))
      await provider.applyUserChange(C, userId, giveFlow);
    const told = provider.snapshot();
    await dying.die();

    const disk = faultyDisk();
    // The snapshot is written, then the move fails: as if the process died between the two.
    disk.renameFails = (to) => to.includes(`${path.sep}${DEMO_ARCHIVE_DIR}${path.sep}`);
    const blocked = await openDemoTenant(dir, {
      fs: disk.fs,
      logger: quiet,
      retryDelayMs: { initial: 5, max: 5 },
    });
    expect(blocked.data).toEqual(told);
    expect(blocked.health().snapshot.writable).toBe(false);
    expect((await blocked.close({ retryForMs: 0 })).problems).toHaveLength(1);
    const again = await openDemoTenant(dir, { logger: quiet });
    cleanups.push(() => again.close());
    expect(again.data).toEqual(told);
    expect(again.logRecords).toBe(0);
    const archived = await archivedLines(dir);
    expect(new Set(archived).size).toBe(archived.length);
    expect(archived).toHaveLength(3);
  });
});

describe('closing the backend', () => {
  it('waits for changes under way, refuses new ones as transient, and leaves all of them on disk', async () => {
    const dir = await dataDir();
    const backend = await openDemoBackend(dir, {
      initial: smallTenant,
      provider: { latencyMs: 40 },
      logger: quiet,
    });
    const give = withoutFlow(backend.tenant.data).slice(0, 6);
    const underWay = give.map((userId) => backend.provider.applyUserChange(C, userId, giveFlow));
    const closing = backend.close();
    const late = await refusal(backend.provider.applyUserChange(C, present(give[0], 'a user'), takeFlow));
    expect(late).toMatchObject({ reason: 'provider_error', transient: true });
    expect(late.message).toMatch(/shutting down/);
    await expect(Promise.all(underWay)).resolves.toBeDefined();
    expect(await closing).toEqual({ problems: [] });
    expect(backend.close()).toBe(closing);

    const reopened = await readDemoTenant(dir);
    expect(reopened).toEqual(backend.provider.snapshot());
    for (const userId of give) {
      expect(contoso(reopened).holdings[userId]).toContainEqual(expect.objectContaining({ direct: true }));
    }
  });

  it('gives up waiting after its bound; a change arriving later is refused and undone', async () => {
    const dir = await dataDir();
    const warnings: string[] = [];
    const backend = await openDemoBackend(dir, {
      initial: smallTenant,
      provider: { latencyMs: 300 },
      closeWaitMs: 20,
      logger: { ...quiet, warn: (line) => warnings.push(line) },
    });
    const [userId] = withoutFlow(backend.tenant.data);
    assert.exists(userId);
    const slow = refusal(backend.provider.applyUserChange(C, userId, giveFlow));
    const report = await backend.close();
    expect(report.problems).toEqual([
      expect.stringMatching(/^1 demo tenant change\(s\) still under way after 20 ms/),
    ]);
    expect(warnings).toEqual(report.problems);
    expect(await slow).toMatchObject({ transient: true });
    expect(flowOf(backend.provider, userId)).toBeUndefined();
    expect(await readDemoTenant(dir)).toEqual(backend.provider.snapshot());
  });

  it('retries a snapshot write that fails, and does not report a failure that was overcome', async () => {
    const { dir, disk, backend } = await backendWithThreeChanges({ retryDelayMs: { initial: 5, max: 20 } });
    disk.failingRenames = 2;
    expect(await backend.close()).toEqual({ problems: [] });
    expect(disk.failures).toBe(2);
    expect(await archivedLines(dir)).toHaveLength(3);
    expect(await readDemoTenant(dir)).toEqual(backend.provider.snapshot());
  });

  it('says what it could not tidy up when the disk stays read-only, and loses nothing', async () => {
    const { dir, disk, backend } = await backendWithThreeChanges({
      retryDelayMs: { initial: 5, max: 10 },
      closeRetryMs: 40,
    });
    disk.failingRenames = Number.POSITIVE_INFINITY;
    const report = await backend.close();
    expect(report.problems).toEqual([
      expect.stringMatching(
        /could not be written \(EROFS.*\); the 3 change\(s\) in .* are replayed at the next start/,
      ),
    ]);
    expect(await readDemoTenant(dir)).toEqual(backend.provider.snapshot());
  });
});

/** A backend over a disk the test can fail, with three changes applied (and in the log). */
async function backendWithThreeChanges(options: {
  retryDelayMs: { initial: number; max: number };
  closeRetryMs?: number;
}) {
  const dir = await dataDir();
  const disk = faultyDisk();
  const backend = await openDemoBackend(dir, {
    initial: smallTenant,
    fs: disk.fs,
    logger: quiet,
    ...options,
  });
  for (const userId of withoutFlow(backend.tenant.data).slice(0, 3)) {
    await backend.provider.applyUserChange(C, userId, giveFlow);
  }
  return { dir, disk, backend };
}

async function archiveFiles(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, DEMO_ARCHIVE_DIR)).catch(() => [] as string[])).sort();
}

async function archivedLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of await archiveFiles(dir)) {
    const text = await readFile(path.join(dir, DEMO_ARCHIVE_DIR, name), 'utf8');
    lines.push(...text.split('\n').filter((line) => line !== ''));
  }
  return lines;
}

interface CrashChild {
  /** Resolves once `done` says yes to a line of the child's output. */
  linesUntil(done: (line: string) => boolean): Promise<void>;
  /** Whole lines received but not yet handed to linesUntil. */
  rest(): string[];
  kill(signal: NodeJS.Signals): void;
  exited: Promise<void>;
}

function startCrashChild(dir: string): CrashChild {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const script = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', tsx, script, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let errors = '';
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    waiter?.();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async linesUntil(done) {
      for (;;) {
        for (let line = lines.shift(); line !== undefined; line = lines.shift()) if (done(line)) return;
        if (child.exitCode !== null) throw new Error(`the crash child exited early: ${errors}`);
        await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), exited]);
      }
    },
    rest: () => lines.splice(0),
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
  };
}
