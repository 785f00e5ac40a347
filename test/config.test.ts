import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const slack = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' };

function problemOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to refuse the environment');
}

describe('loadConfig', () => {
  it('fills every default of DESIGN.md §3 from the Slack credentials alone', () => {
    const config = loadConfig(slack);
    expect(config).toMatchObject({
      PORT: 3000,
      LICENSE_PROVIDER: 'demo',
      DATA_DIR: './data',
      OPERATOR_USER_IDS: [],
      APPROVER_USER_IDS: [],
      BREAK_GLASS_USER_IDS: [],
      APPROVAL_REVOKE_THRESHOLD: 10,
      APPROVAL_TTL_HOURS: 24,
      UNDO_DAYS: 30,
      RUN_CONCURRENCY: 8,
    });
    expect(config.SLACK_APP_TOKEN).toBeUndefined();
    expect(config.PURCHASE_URL).toBeUndefined();
  });

  it('names each missing Slack credential', () => {
    const message = problemOf({});
    expect(message).toContain('SLACK_BOT_TOKEN is required');
    expect(message).toContain('SLACK_SIGNING_SECRET is required');
  });

  it('needs no signing secret in Socket Mode', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(config.SLACK_APP_TOKEN).toBe('xapp-1');
  });

  it('parses comma-separated user ids and trims blanks', () => {
    const config = loadConfig({ ...slack, OPERATOR_USER_IDS: ' U01, W02 ,,', APPROVER_USER_IDS: 'U09' });
    expect(config.OPERATOR_USER_IDS).toEqual(['U01', 'W02']);
    expect(config.APPROVER_USER_IDS).toEqual(['U09']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, 'SLACK_BOT_TOKEN must start with xoxb-'],
    [{ LICENSE_PROVIDER: 'ldap' }, 'LICENSE_PROVIDER'],
    [{ OPERATOR_USER_IDS: 'alice,bob' }, 'OPERATOR_USER_IDS must be Slack user ids'],
    [{ APPROVAL_CHANNEL_ID: '#approvals' }, 'APPROVAL_CHANNEL_ID must be a channel id'],
    [{ APPROVAL_REVOKE_THRESHOLD: '0' }, 'APPROVAL_REVOKE_THRESHOLD'],
    [{ PURCHASE_URL: 'buy more' }, 'PURCHASE_URL must be a URL'],
    [{ APPROVAL_WINDOW_HOURS: '-1' }, 'APPROVAL_WINDOW_HOURS'],
    [{ RETENTION_DAYS: 'forever' }, 'RETENTION_DAYS'],
    [{ UNDO_DAYS: '0' }, 'UNDO_DAYS'],
  ])('refuses a malformed variable %o with one line naming it', (bad, expected) => {
    const message = problemOf({ ...slack, ...bad });
    expect(message).toContain(expected);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses the placeholders of .env.example, naming each', async () => {
    const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const message = problemOf(env);
    expect(message).toContain('SLACK_BOT_TOKEN is still the placeholder from .env.example');
    expect(message).toContain('SLACK_SIGNING_SECRET is still the placeholder from .env.example');
    expect(message.split('\n')).toHaveLength(1);
    // The same file with real-looking values passes.
    expect(
      loadConfig({
        ...env,
        SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef',
        SLACK_SIGNING_SECRET: '8f14e45fceea167a',
      }),
    ).toMatchObject({ LICENSE_PROVIDER: 'demo' });
  });
});
