/**
 * How every crash test begins and ends. It begins with a seed (printed; CRASH_SEED=<seed> replays
 * it), a Slack fake, the bot as a child process on it, started once, and the demo tenant that first
 * start generated, read before anything changed it; the child and the fake are closed when the test
 * finishes. It ends once Slack shows the requests completed: a clean stop, then what is left on disk.
 */
import { onTestFinished } from 'vitest';
import type { DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import {
  type ChildApp,
  type ChildAppOptions,
  type ChildExit,
  type ChildSignal,
  createChildApp,
} from '../support/child-app.js';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';
import { readStore, readTenant, type StoreContents } from './evidence.js';
import { crashSeed, Dice, sleep, waitUntilShownCompleted } from './operator.js';

export interface CrashStart {
  seed: number;
  dice: Dice;
  fake: SlackFake;
  /** Started; killed and started again by the test. */
  child: ChildApp;
  /** The demo tenant before the test changed anything. */
  baseline: DemoTenantData;
}

/** `name` labels the seed in the output; `options` are the child's (its env, preloads). */
export async function startCrashTest(
  name: string,
  options: Omit<ChildAppOptions, 'fake'>,
): Promise<CrashStart> {
  const seed = crashSeed();
  console.log(`${name}: seed ${seed} (replay with CRASH_SEED=${seed})`);
  const fake = await startSlackFake();
  let child: ChildApp | undefined;
  onTestFinished(async () => {
    await child?.close();
    await fake.close();
  });
  child = await createChildApp({ fake, ...options });
  await child.start();
  const baseline = await readTenant(child.dataDir);
  return { seed, dice: new Dice(seed), fake, child, baseline };
}

/**
 * Signals the child `delayMs` after `since` (a performance.now(); at once when that has passed) and
 * starts it again on the same DATA_DIR; returns when the signal went, in ms after `since`.
 */
export async function restartAfter(
  child: ChildApp,
  signal: ChildSignal,
  since: number,
  delayMs: number,
): Promise<number> {
  await sleep(Math.max(0, delayMs - (performance.now() - since)));
  const signalledAfterMs = Math.round(performance.now() - since);
  await child.kill(signal);
  await child.start();
  return signalledAfterMs;
}

export interface CrashEnd {
  /** Requests whose summary never showed "completed" (see waitUntilShownCompleted). */
  notShownCompleted: string[];
  /** How the final SIGTERM ended the child. */
  stop: ChildExit;
  store: StoreContents;
  tenant: DemoTenantData;
}

/** Waits until Slack shows `requestIds` completed (`wait`: see waitUntilShownCompleted), stops the child cleanly, reads its store and tenant. */
export async function endCrashTest(
  child: ChildApp,
  requestIds: readonly string[],
  wait?: Parameters<typeof waitUntilShownCompleted>[2],
): Promise<CrashEnd> {
  const notShownCompleted = await waitUntilShownCompleted(child.fake, requestIds, wait);
  const stop = await child.kill('SIGTERM');
  return {
    notShownCompleted,
    stop,
    store: await readStore(child.dataDir),
    tenant: await readTenant(child.dataDir),
  };
}
