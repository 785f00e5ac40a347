import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_SCOPES, METHOD_SCOPES } from './support/slack-fake.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCHEMAS = fileURLToPath(new URL('../../shared/schemas/manifest-schema/', import.meta.url));
const EVENTS_URL = 'https://licensedesk.example.com/slack/events';

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function manifestValidator() {
  // ajv-formats is not installed: formats (uri, …) are not checked, everything else is.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const schema = z.looseObject({}).parse(readJson(join(SCHEMAS, 'schemas/manifest.schema.1.0.0.json')));
  return ajv.compile(schema);
}

const manifest = parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'));

/** The parts of the manifest the app depends on. */
const Manifest = z.object({
  features: z.object({
    app_home: z.object({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(
      z.object({ command: z.string(), url: z.string(), description: z.string(), usage_hint: z.string() }),
    ),
  }),
  oauth_config: z.object({
    scopes: z.object({ bot: z.array(z.string()), user: z.array(z.string()).optional() }),
  }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.string(), bot_events: z.array(z.string()) }),
    interactivity: z.object({
      is_enabled: z.boolean(),
      request_url: z.string(),
      message_menu_options_url: z.string(),
    }),
    socket_mode_enabled: z.boolean(),
  }),
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Web API methods called in src/ (`client.chat.postMessage(`, `client.files.uploadV2(`…). */
function methodsUsedBySource(): string[] {
  const pattern =
    /\bclient\.(auth|chat|views|users|usergroups|conversations|files)\.([a-zA-Z]+(?:\.[a-zA-Z]+)?)\s*\(/g;
  const found = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) found.add(`${match[1]}.${match[2]}`);
  }
  return [...found].sort();
}

describe('manifest.yml', () => {
  it("validates against Slack's manifest schema", () => {
    const validate = manifestValidator();
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('uses a validator that tells valid from invalid manifests', () => {
    const validate = manifestValidator();
    expect(validate(readJson(join(SCHEMAS, 'tests/manifests/v1/manifest.valid.json')))).toBe(true);
    expect(validate(readJson(join(SCHEMAS, 'tests/manifests/v1/manifest.invalid.json')))).toBe(false);
    expect(validate({ ...manifest, settings: { ...manifest.settings, socket_mode: true } })).toBe(false);
  });

  it('declares /licenses with its usage hint and every URL on /slack/events', () => {
    const { features, settings } = Manifest.parse(manifest);
    expect(features.slash_commands).toEqual([
      expect.objectContaining({ command: '/licenses', url: EVENTS_URL, usage_hint: '[customer name]' }),
    ]);
    expect(settings.interactivity).toEqual({
      is_enabled: true,
      request_url: EVENTS_URL,
      message_menu_options_url: EVENTS_URL,
    });
    expect(settings.event_subscriptions).toEqual({
      request_url: EVENTS_URL,
      bot_events: ['app_home_opened'],
    });
    expect(settings.socket_mode_enabled).toBe(false);
    expect(features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
  });

  it('asks only for the bot scopes the app uses, and the Slack fake grants the same', () => {
    const { oauth_config } = Manifest.parse(manifest);
    const expected = ['commands', 'chat:write', 'users:read', 'usergroups:read', 'files:write', 'im:write'];
    expect([...oauth_config.scopes.bot].sort()).toEqual([...expected].sort());
    expect(oauth_config.scopes.user).toBeUndefined();
    expect([...DEFAULT_SCOPES].sort()).toEqual([...expected].sort());
  });

  it('grants the scope of every Web API method src/ calls', () => {
    const { oauth_config } = Manifest.parse(manifest);
    const scopeOf = (method: string) => (method === 'files.uploadV2' ? 'files:write' : METHOD_SCOPES[method]);
    for (const method of methodsUsedBySource()) {
      expect(
        method in METHOD_SCOPES || method === 'files.uploadV2',
        `${method} is not faked in test/support`,
      ).toBe(true);
      const scope = scopeOf(method);
      if (scope !== undefined) expect(oauth_config.scopes.bot, `${method} needs ${scope}`).toContain(scope);
    }
  });
});
