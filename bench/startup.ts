/**
 * Start-up to a 200 on GET /healthz, of the built bot (`node dist/src/main.js`, what `npm start`
 * runs) on the default demo tenant: the first start (which seeds the tenant) and five restarts on
 * the same DATA_DIR. Baseline in the same run: the same restarts through the tsx loader from
 * source (what a start that compiles first costs at least). Target: a restart ≤ 1 s.
 * Needs `npm run build` (npm ci does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../test/support/child-app.js';
import { startSlackFake } from '../test/support/slack-fake.js';

const root = path.join(import.meta.dirname, '..');
const RESTARTS = 5;

export async function run(): Promise<void> {
  const built = path.join(root, 'dist', 'src', 'main.js');
  if (!existsSync(built)) throw new Error('dist/ is missing: run npm run build first');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const fake = await startSlackFake();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'licensedesk-bench-start-'));
  const env = {
    PATH: process.env.PATH ?? '',
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: 'bench-secret',
    SLACK_API_URL: fake.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  try {
    const first = await timeToHealthy([built], env);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      ours.push(await timeToHealthy([built], env));
      baseline.push(await timeToHealthy(['--import', tsx, path.join(root, 'src', 'main.ts')], env));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    console.log(`first start (seeds the demo tenant): ${first.toFixed(0)} ms`);
    console.log(`baseline, restart from source through tsx: median ${median(baseline).toFixed(0)} ms`);
    console.log(
      `ours, restart of the build: median ${median(ours).toFixed(0)} ms, worst ${Math.max(...ours).toFixed(0)} ms ` +
        `(${(median(baseline) / median(ours)).toFixed(1)}× faster; target ≤ 1000 ms)`,
    );
  } finally {
    await fake.close();
  }
}

/** Starts node with `args`, returns the ms until /healthz answers 200, then stops it with SIGTERM. */
async function timeToHealthy(args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the bot exited with ${child.exitCode} before serving /healthz`);
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (answer?.status === 200) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await stop(child);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
