import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const mainPath = join(import.meta.dirname, '..', 'src', 'main.ts');
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
      expect.stringMatching(/SLACK_BOT_TOKEN is required.*SLACK_SIGNING_SECRET is required/),
    ]);
  });

  it('refuses a corrupt store with one clear line and leaves the file as it was', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'licensedesk-data-'));
    const storeFile = join(dataDir, 'licensedesk.json');
    writeFileSync(storeFile, '{"version": 1, "requests": ');
    const result = start({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot open the store');
    expect(result.stderr).toContain(storeFile);
    expect(readFileSync(storeFile, 'utf8')).toBe('{"version": 1, "requests": ');
  });
});
