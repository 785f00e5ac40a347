/**
 * A full or read-only DATA_DIR, as the operator meets it: the submission is refused with a clear
 * message and nothing is kept; once the disk takes writes again the store recovers by itself and
 * the same form goes through. On a real small tmpfs where the machine allows mounting one, else
 * through an injected failing disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { CANNOT_SAVE_TEXT } from '../../src/store/store.js';
import { FailingFs } from '../persistence/failing-fs.js';
import { type AppHarness, RecordingLogger, startAppHarness } from '../support/app-harness.js';
import { blocksText, contosoOf, current, finishedRun, selectUsers, submitChange } from './flow.js';

type Disk = {
  dataDir: string;
  fs?: FailingFs;
  /** Makes the disk refuse writes: full or read-only. */
  fail(kind: 'full' | 'read-only'): Promise<void>;
  recover(): Promise<void>;
  dispose(): Promise<void>;
};

/** A 2 MiB tmpfs, or a temp dir with an injected failing disk when mounting is not allowed. */
async function smallDisk(): Promise<Disk> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dataDir], { stdio: 'ignore' });
  } catch {
    console.info('full-disk e2e: cannot mount a tmpfs here; using an injected failing disk instead');
    const fs = new FailingFs();
    return {
      dataDir,
      fs,
      fail: async (kind) => {
        fs.failure = kind === 'full' ? 'ENOSPC' : 'EROFS';
      },
      recover: async () => {
        fs.failure = null;
      },
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const filler = path.join(dataDir, 'filler');
  let state: 'ok' | 'full' | 'read-only' = 'ok';
  return {
    dataDir,
    async fail(kind) {
      state = kind;
      if (kind === 'read-only') {
        // The kernel refuses (EBUSY) while a file is open for writing there; the store's logs close between writes.
        for (let attempt = 0; ; attempt++) {
          try {
            execFileSync('mount', ['-o', 'remount,ro', dataDir], { stdio: 'ignore' });
            return;
          } catch (error) {
            if (attempt >= 40) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
      // Fill every byte left, so the next write of the store meets ENOSPC.
      const handle = await open(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) await handle.write(chunk);
      } catch {
        for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
          try {
            for (;;) await handle.write(chunk.subarray(0, size));
          } catch {}
        }
      } finally {
        await handle.close().catch(() => {});
      }
    },
    async recover() {
      if (state === 'read-only') execFileSync('mount', ['-o', 'remount,rw', dataDir]);
      else await rm(filler, { force: true });
      state = 'ok';
    },
    async dispose() {
      execFileSync('umount', ['-l', dataDir]);
      await rmdir(dataDir);
    },
  };
}

let h: AppHarness | undefined;
let disk: Disk | undefined;
afterEach(async () => {
  if (disk) await disk.recover().catch(() => {});
  await h?.close();
  await disk?.dispose();
  h = undefined;
  disk = undefined;
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['full', 'read-only'] as const)('a %s DATA_DIR', (kind) => {
  it('refuses the submission with a clear message, keeps nothing, and takes it once the disk recovers', async () => {
    disk = await smallDisk();
    const storeLog = new RecordingLogger();
    h = await startAppHarness({
      dataDir: disk.dataDir,
      store: {
        retryDelayMs: { initial: 20, max: 100 },
        logger: storeLog,
        ...(disk.fs ? { fs: disk.fs } : {}),
      },
    });
    const contoso = contosoOf(h.data);
    const { unlicensed } = demoCases(contoso);
    const manage = await selectUsers(h, contoso.customer, [unlicensed]);

    await disk.fail(kind);
    // The preview is shown (nothing is saved by it); its confirm finds the disk failing and brings
    // the manage step back, ticks kept, with the reason at the top.
    const refused = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(refused.responseAction).toBe('update');
    expect(current(h, manage.id).callbackId).toBe(ids.views.manage);
    expect(blocksText(current(h, manage.id).blocks)).toContain(CANNOT_SAVE_TEXT);
    expect(h.store.health().writable).toBe(false);
    const readyz = h.appUrl.replace('/slack/events', '/readyz');
    const notReady = await fetch(readyz);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toMatch(/^store cannot write: .*(ENOSPC|EROFS|no space|read-only)/);
    // Refused again at once, inline on the manage step, while the disk is still failing; nothing was kept, nothing posted.
    const again = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(Object.values(again.errors ?? {}).join(' ')).toContain(CANNOT_SAVE_TEXT);
    expect(await h.store.listRequests({ limit: 10 })).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.provider.holdingsOf(contoso.customer.id, unlicensed.id)).toEqual([]);

    await disk.recover();
    const app = h;
    await waitUntil(() => app.store.health().writable, 'the store writes again');
    expect((await fetch(readyz)).status).toBe(200);
    const accepted = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    expect(accepted.responseAction).toBe('update');
    expect(current(h, manage.id).callbackId).toBe(ids.views.submitted);
    const { summary } = await finishedRun(h);
    expect(summary.text).toMatch(/Completed|completed/);

    // What the bot said it saved is on disk: a fresh store over the directory sees it all.
    await h.store.flush();
    const reader = new LowdbStore({ dataDir: disk.dataDir });
    await reader.open();
    const [stored] = await reader.listRequests({ limit: 10 });
    expect(stored?.status).toBe('completed');
    expect(Object.values(stored?.results ?? {})).toEqual([
      expect.objectContaining({ userId: unlicensed.id, outcome: 'success' }),
    ]);
    await reader.close();
    // One line when the store stopped writing and one when it recovered, not one per retry.
    const told = storeLog.lines.filter((line) => line.level !== 'debug').map((line) => line.text);
    expect(told).toHaveLength(2);
  });
});

describe('/readyz', () => {
  it('answers 503 with the reason while the license backend cannot authenticate', async () => {
    let backend = { ready: false, reason: 'Graph cannot authenticate: AADSTS7000215: Invalid client secret' };
    h = await startAppHarness({ readiness: () => backend });
    const readyz = h.appUrl.replace('/slack/events', '/readyz');
    const answer = await fetch(readyz);
    expect(answer.status).toBe(503);
    expect(await answer.text()).toContain('AADSTS7000215');
    backend = { ready: true, reason: '' };
    expect((await fetch(readyz)).status).toBe(200);
    expect((await fetch(h.appUrl.replace('/slack/events', '/healthz'))).status).toBe(200);
  });
});
