import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from './support/child-app.js';
import { describePostgres, freshSchema } from './support/postgres.js';
import { startSlackFake } from './support/slack-fake.js';

const projectRoot = join(import.meta.dirname, '..');
const mainPath = join(projectRoot, 'src', 'main.ts');
// Resolved here because the child runs in an empty directory with no node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts `src/main.ts` the way `npm start` would, in an empty working directory. */
function start(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'licensedesk-main-'));
  const result = spawnSync(process.execPath, ['--import', tsxLoader, mainPath], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { ...result, cwd };
}

describe('start-up', () => {
  it('exits non-zero naming the missing Slack credentials', () => {
    const result = start({});
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /SLACK_BOT_TOKEN is required.*SLACK_SIGNING_SECRET is required.* \[config_invalid\]$/,
      ),
    ]);
  });

  it('refuses a corrupt store with one clear line and leaves the file as it was', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'licensedesk-data-'));
    const storeFile = join(dataDir, 'licensedesk.json');
    writeFileSync(storeFile, '{"version": 1, "requests": ');
    const result = start({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Cannot open the store .*\[store_corrupt\]$/),
    ]);
    expect(result.stderr).toContain(storeFile);
    expect(readFileSync(storeFile, 'utf8')).toBe('{"version": 1, "requests": ');
  });

  it('refuses a placeholder token copied from .env.example, naming it', () => {
    const result = start({ SLACK_BOT_TOKEN: 'xoxb-replace-me', SLACK_SIGNING_SECRET: 'replace-me' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /SLACK_BOT_TOKEN is still the placeholder.*SLACK_SIGNING_SECRET is still the placeholder.*\[config_invalid\]$/,
      ),
    ]);
  });

  it('stops within seconds with one line when Slack refuses the token', async () => {
    const fake = await startSlackFake();
    try {
      const started = Date.now();
      const result = await startAsync({
        SLACK_BOT_TOKEN: 'xoxb-not-the-fakes-token',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: fake.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'licensedesk-data-')),
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        'Slack refused SLACK_BOT_TOKEN (invalid_auth: the token is not valid). [slack_token_refused]',
      ]);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await fake.close();
    }
  });

  it('stops within 30 s with one line when Slack is unreachable', async () => {
    const closedPort = await freePort();
    const started = Date.now();
    const result = await startAsync({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'licensedesk-data-')),
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^Slack is unreachable at http:\/\/127\.0\.0\.1:\d+\/api\/ \(ECONNREFUSED\).*\[slack_unreachable\]$/,
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);

  it('stops with one line when STORE=postgres and the database does not answer', async () => {
    const closedPort = await freePort();
    const result = await startAsync({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      STORE: 'postgres',
      DATABASE_URL: `postgres://licensedesk:hunter2-secret@127.0.0.1:${closedPort}/licenses`,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^PostgreSQL does not answer at 127\.0\.0\.1:\d+\/licenses: .*ECONNREFUSED.*DATABASE_URL.* \[store_database_unreachable\]$/,
      ),
    ]);
    expect(result.stderr).not.toContain('hunter2-secret');
  });

  it('stops with one line naming a corrupt demo tenant file', async () => {
    const fake = await startSlackFake();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'licensedesk-data-'));
      writeFileSync(join(dataDir, 'demo-tenant.json'), '{"version": 1, "customers": [');
      const result = await startAsync({
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: fake.url,
        DATA_DIR: dataDir,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(dataDir, 'demo-tenant.json'));
      expect(lines[0]).toMatch(/\[provider_\w+\]$/);
    } finally {
      await fake.close();
    }
  });
});

describe('npm start', () => {
  // How fast it starts is measured by `npm run bench -- startup`, not here.
  it('serves /healthz and stops through its shutdown code on SIGTERM, at the first start and the next', async () => {
    const fake = await startSlackFake();
    const dataDir = mkdtempSync(join(tmpdir(), 'licensedesk-data-'));
    const port = await freePort();
    const env = {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.url,
      DATA_DIR: dataDir,
      PORT: String(port),
    };
    try {
      // The first start seeds the demo tenant; the second is what a restart costs.
      for (const _round of ['first', 'second']) {
        const child = spawn('npm', ['start', '--silent'], {
          cwd: projectRoot,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        });
        const { code, output } = await serveThenStop(child, port);
        expect(code, output).toBe(0);
        expect(output).toContain('SIGTERM: stopping');
      }
    } finally {
      await fake.close();
    }
  }, 120_000);
});

describePostgres('STORE=postgres', () => {
  it('migrates a new schema at start, serves /healthz and stops through its shutdown code, twice', async () => {
    const fake = await startSlackFake();
    const database = await freshSchema();
    // freshSchema migrated it already: start on an empty schema of the same name instead.
    await database.pool.query(`DROP SCHEMA ${database.schema} CASCADE`);
    const port = await freePort();
    const env = {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'licensedesk-data-')),
      PORT: String(port),
      STORE: 'postgres',
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: database.schema,
    };
    try {
      for (const _round of ['first', 'second']) {
        const child = spawn(process.execPath, ['--import', tsxLoader, mainPath], {
          cwd: mkdtempSync(join(tmpdir(), 'licensedesk-main-')),
          env: { PATH: process.env.PATH ?? '', ...env },
        });
        const { code, output } = await serveThenStop(child, port);
        expect(code, output).toBe(0);
        expect(output).toContain('store postgres');
      }
      const migrations = await database.pool.query<{ version: number }>(
        `SELECT version FROM ${database.schema}.schema_migrations ORDER BY version`,
      );
      expect(migrations.rows.map((row) => row.version)).toEqual([1, 2, 3, 4]);
      const jobs = await database.pool.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [`${database.schema}_jobs`],
      );
      expect(jobs.rowCount).toBe(1);
    } finally {
      await fake.close();
      await database.drop();
    }
  }, 120_000);
});

/** Waits until `child` serves /healthz on `port`, then stops it with SIGTERM: its exit code and all it printed. */
async function serveThenStop(
  child: ChildProcess,
  port: number,
): Promise<{ code: number | null; output: string }> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await waitForHealth(port, exited, () => output);
  child.kill('SIGTERM');
  return { code: await exited, output };
}

async function waitForHealth(port: number, exited: Promise<unknown>, output: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`npm start exited before serving /healthz:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not serve /healthz within 60 s:\n${output()}`);
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    if (answer?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Like start(), without blocking the event loop (the Slack fake runs in this process). */
function startAsync(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'licensedesk-main-'));
  const child = spawn(process.execPath, ['--import', tsxLoader, mainPath], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
  return new Promise((resolve) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}
