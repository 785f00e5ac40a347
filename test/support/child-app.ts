/**
 * The bot as `npm start` runs it, in a child process the crash tests can kill: the app's entry
 * (`src/main.ts`) compiled to JavaScript and run by plain `node`, an empty working directory (no
 * `.env` is read), a DATA_DIR kept across restarts, a fixed port, and the Slack Web API of an
 * in-process Slack fake. The fake outlives the child, as Slack outlives the bot: what the operator
 * and the managers were shown is still there after a kill.
 *
 * How the entry is compiled: `npm start` builds with tsc first; here `src/` and `blocks/` (and any
 * preload) are transformed file by file with esbuild, the transform tsx applies on the fly, once
 * per source version and cached in the temp dir. The child so always runs the tree under test, and
 * a start costs about half what the tsx loader costs (it hooks every import of every start).
 * CHILD_APP_LOADER=tsx runs `src/main.ts` through the tsx loader instead (as test/main.test.ts does).
 *
 * ```ts
 * const fake = await startSlackFake();
 * const child = await createChildApp({ fake, env: { OPERATOR_USER_IDS: 'U0OPS' } });
 * await child.start();                 // resolves once GET /healthz answers 200
 * await child.driver.command({ userId: 'U0OPS', channelId: 'C0LIC' });
 * await child.kill('SIGKILL');         // resolves once the process is gone
 * await child.start();                 // same DATA_DIR, same port
 * await child.close();                 // stops it if running and removes the temp dirs
 * ```
 *
 * Several replicas on one database: one child each, with the same `env` (STORE=postgres,
 * DATABASE_URL, DATABASE_SCHEMA) and their own DATA_DIR and port, all on one Slack fake.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSlackDriver, type SlackDriver } from './slack-driver.js';
import type { SlackFake } from './slack-fake.js';

export const CHILD_SIGNING_SECRET = 'crash-signing-secret';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const mainPath = path.join(repoRoot, 'src', 'main.ts');
/** What the child runs, compiled: the app and the view builders it imports. */
const SOURCE_DIRS = ['src', 'blocks'];
// Resolved here because the child runs in an empty directory with no node_modules.
const requireHere = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(requireHere.resolve('tsx')).href;

/** Output kept per incarnation of the child (the tail is what a failure message needs). */
const OUTPUT_LIMIT = 64 * 1024;
const START_TIMEOUT_MS = 30_000;
/** main.ts forces an exit after 25 s of shutdown; a little more than that. */
const EXIT_TIMEOUT_MS = 30_000;

export type ChildSignal = 'SIGKILL' | 'SIGTERM';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildAppOptions {
  fake: SlackFake;
  /** Environment on top of the defaults (people, approvals, pacing…). */
  env?: Record<string, string>;
  /** Defaults to a fresh temp dir, removed by close(). */
  dataDir?: string;
  /** Modules imported before the app (absolute paths of .ts files under the repo), e.g. an observer. */
  preload?: readonly string[];
}

export interface ChildApp {
  readonly fake: SlackFake;
  readonly dataDir: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT/slack/events`. */
  readonly appUrl: string;
  /** Signed requests to the child, reading state from the fake; valid across restarts. */
  readonly driver: SlackDriver;
  /** True from spawn until the process exited. */
  readonly running: boolean;
  /** The process id of the current (or last) incarnation; undefined before the first start. */
  readonly pid: number | undefined;
  /** How many times the child was started. */
  readonly starts: number;
  /** Starts the child; resolves once GET /healthz answers 200, rejects if it exits first. */
  start(): Promise<void>;
  /** Sends `signal` and resolves once the process exited (at once when it is not running). */
  kill(signal: ChildSignal): Promise<ChildExit>;
  /** Resolves when the child exits by itself (or at once when it is not running). */
  exited(): Promise<ChildExit>;
  /** The child's stdout and stderr, each incarnation headed by its number, the last `chars` characters. */
  output(chars?: number): string;
  /** Exits of earlier incarnations, oldest first. */
  readonly exits: readonly ChildExit[];
  /** Kills the child if it still runs (SIGKILL) and removes the temp dirs this helper made. */
  close(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the child binds it; it is reused on restart). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/** The environment of the child: what a production deployment would set, pointed at the fake. */
export function childEnv(fake: SlackFake, dataDir: string, port: number, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: CHILD_SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
    DATA_DIR: dataDir,
    LICENSE_PROVIDER: 'demo',
    RUN_CONCURRENCY: '8',
    TENANT_WRITES_PER_SECOND: '400',
    // The demo tenant is consistent at once: no wait before a run is read back.
    VERIFY_DELAY_MS: '100',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The part of esbuild's API used here (esbuild comes with tsx; its own types are not imported). */
interface EsbuildTransform {
  transform(
    source: string,
    options: Record<string, unknown>,
  ): Promise<{ code: string; warnings: readonly unknown[] }>;
  version: string;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

/**
 * The app (and `preload` files) compiled to `<dir>/<same relative path>.js` beside a `node_modules`
 * link to the repo's; cached by the hash of every source, so test files and reruns share it.
 */
async function compiledTree(preload: readonly string[]): Promise<string> {
  // esbuild is tsx's dependency: resolved from tsx, wherever npm put it.
  const esbuild = createRequire(requireHere.resolve('tsx'))('esbuild') as EsbuildTransform;
  const files = [
    ...(await Promise.all(SOURCE_DIRS.map((dir) => sourceFiles(path.join(repoRoot, dir))))).flat(),
    ...preload,
  ].sort();
  // The tree links to this checkout's node_modules: a tree built from another checkout of the same
  // sources (a CI clone beside a working copy, a deleted clone) must not be reused.
  const hash = createHash('sha256').update(esbuild.version).update(`\0${repoRoot}`);
  const sources = new Map<string, string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    sources.set(file, text);
    hash.update(`\0${path.relative(repoRoot, file)}\0${text}`);
  }
  const dir = path.join(tmpdir(), `licensedesk-child-${hash.digest('hex').slice(0, 16)}`);
  const exists = (file: string) =>
    stat(file).then(
      () => true,
      () => false,
    );
  if (await exists(path.join(dir, '.complete'))) {
    // stat follows the node_modules link: a tree whose link no longer resolves is built again.
    if (await exists(path.join(dir, 'node_modules'))) return dir;
    await rm(dir, { recursive: true, force: true });
  }
  const building = await mkdtemp(`${dir}-building-`);
  for (const [file, text] of sources) {
    const relative = path.relative(repoRoot, file);
    const { code } = await esbuild.transform(text, {
      loader: 'ts',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      sourcefile: file,
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
    });
    const out = path.join(building, relative.replace(/\.ts$/, '.js'));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, code);
  }
  await writeFile(path.join(building, 'package.json'), '{ "type": "module" }\n');
  await symlink(path.join(repoRoot, 'node_modules'), path.join(building, 'node_modules'), 'dir');
  await writeFile(path.join(building, '.complete'), '');
  // Another test file may have finished the same tree first: keep theirs.
  await rename(building, dir).catch(() => rm(building, { recursive: true, force: true }));
  await pruneCompiledTrees(dir);
  return dir;
}

/** Trees of other source versions untouched for a day go (a test run takes minutes, not days). */
async function pruneCompiledTrees(keep: string): Promise<void> {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of await readdir(tmpdir())) {
    const full = path.join(tmpdir(), name);
    if (!name.startsWith('licensedesk-child-') || full === keep) continue;
    const info = await stat(full).catch(() => null);
    if (info !== null && info.mtimeMs < dayAgo) await rm(full, { recursive: true, force: true });
  }
}

/** `node` arguments that run the app with `preload` modules imported first. */
async function childArgs(preload: readonly string[]): Promise<string[]> {
  if (process.env.CHILD_APP_LOADER === 'tsx') {
    return [
      ...[tsxLoader, ...preload.map((file) => pathToFileURL(file).href)].flatMap((url) => ['--import', url]),
      mainPath,
    ];
  }
  const dir = await compiledTree(preload);
  const compiled = (file: string) => path.join(dir, path.relative(repoRoot, file).replace(/\.ts$/, '.js'));
  return [
    '--enable-source-maps',
    ...preload.flatMap((file) => ['--import', pathToFileURL(compiled(file)).href]),
    compiled(mainPath),
  ];
}

/** Children of this test process still running; killed if the test process exits first. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const running of live) running.kill('SIGKILL');
  });
}

export async function createChildApp(options: ChildAppOptions): Promise<ChildApp> {
  const { fake } = options;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'licensedesk-crash-data-')));
  const cwd = await mkdtemp(path.join(tmpdir(), 'licensedesk-crash-cwd-'));
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}/slack/events`;
  const driver = createSlackDriver({ appUrl, signingSecret: CHILD_SIGNING_SECRET, fake });
  const env = childEnv(fake, dataDir, port, options.env);
  const args = await childArgs(options.preload ?? []);

  const outputs: string[] = [];
  const exits: ChildExit[] = [];
  let child: ChildProcess | undefined;
  let exit: Promise<ChildExit> = Promise.resolve({ code: null, signal: null });
  let running = false;

  const append = (index: number, chunk: Buffer) => {
    const text = (outputs[index] ?? '') + chunk.toString('utf8');
    outputs[index] = text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text;
  };

  const healthy = async (): Promise<boolean> => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      await response.text();
      return response.status === 200;
    } catch {
      return false;
    }
  };

  const app: ChildApp = {
    fake,
    dataDir,
    port,
    appUrl,
    driver,
    get running() {
      return running;
    },
    get pid() {
      return child?.pid;
    },
    get starts() {
      return outputs.length;
    },
    get exits() {
      return exits;
    },

    async start() {
      if (running) throw new Error('the child is already running');
      const index = outputs.length;
      outputs.push('');
      const spawned = spawn(process.execPath, args, {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = spawned;
      running = true;
      track(spawned);
      spawned.stdout?.on('data', (chunk: Buffer) => append(index, chunk));
      spawned.stderr?.on('data', (chunk: Buffer) => append(index, chunk));
      exit = new Promise<ChildExit>((resolve) => {
        spawned.once('exit', (code, signal) => {
          running = false;
          const ended = { code, signal };
          exits.push(ended);
          resolve(ended);
        });
      });
      let gone: ChildExit | undefined;
      void exit.then((ended) => {
        gone = ended;
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (gone !== undefined) {
          throw new Error(
            `the child exited while starting (code ${gone.code}, signal ${gone.signal}):\n${app.output(4000)}`,
          );
        }
        if (await healthy()) return;
        if (Date.now() > deadline) {
          await app.kill('SIGKILL');
          throw new Error(
            `GET /healthz did not answer 200 within ${START_TIMEOUT_MS} ms:\n${app.output(4000)}`,
          );
        }
        await sleep(25);
      }
    },

    async kill(signal) {
      if (!running || child === undefined) return exit;
      child.kill(signal);
      const timeout = sleep(EXIT_TIMEOUT_MS).then(() => null);
      const ended = await Promise.race([exit, timeout]);
      if (ended !== null) return ended;
      child.kill('SIGKILL');
      const forced = await exit;
      throw new Error(
        `the child did not exit within ${EXIT_TIMEOUT_MS} ms of ${signal} (killed: ${JSON.stringify(forced)}):\n${app.output(4000)}`,
      );
    },

    exited: () => exit,

    output(chars = 8000) {
      const all = outputs.map((text, i) => `--- child start ${i + 1} ---\n${text}`).join('\n');
      return all.length > chars ? `…${all.slice(-chars)}` : all;
    },

    async close() {
      if (running) await app.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}
