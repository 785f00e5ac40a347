import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { type SchemaFiles, slackSchemas } from './support/schemas.js';
import { DEFAULT_SCOPES, METHOD_SCOPES } from './support/slack-fake.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EVENTS_URL = 'https://licensedesk.example.com/slack/events';
const schemas = slackSchemas();

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readManifest(file: string): Record<string, unknown> {
  return z.looseObject({}).parse(parse(readFileSync(join(ROOT, file), 'utf8')));
}

const http = readManifest('manifest.yml');
const socket = readManifest('manifest.socket.yml');
const MANIFESTS = [
  ['manifest.yml', http],
  ['manifest.socket.yml', socket],
] as const;

/** The parts of a manifest the app depends on. */
const Manifest = z.object({
  features: z.object({
    app_home: z.object({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(
      z.object({
        command: z.string(),
        url: z.string().optional(),
        description: z.string(),
        usage_hint: z.string(),
      }),
    ),
  }),
  oauth_config: z.object({
    scopes: z.object({ bot: z.array(z.string()), user: z.array(z.string()).optional() }),
  }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.string().optional(), bot_events: z.array(z.string()) }),
    interactivity: z.object({
      is_enabled: z.boolean(),
      request_url: z.string().optional(),
      message_menu_options_url: z.string().optional(),
    }),
    socket_mode_enabled: z.boolean(),
  }),
});

/** Web API methods the SDK calls on the app's behalf for one of its helpers. */
const SDK_HELPERS: Record<string, readonly string[]> = {
  'files.uploadV2': ['files.getUploadURLExternal', 'files.completeUploadExternal'],
};

/**
 * The Web API methods a source text calls: `client.chat.postMessage(`, `this.#client.files.uploadV2(`
 * (also broken over lines), `client.apiCall('users.info'`, `client.paginate('users.list'`, and
 * Bolt's `say(` (chat.postMessage).
 */
function methodsCalledIn(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/\bclient\s*\.\s*([a-z]+(?:\s*\.\s*[A-Za-z0-9]+)+)\s*\(/g)) {
    found.add((match[1] ?? '').replace(/\s/g, ''));
  }
  for (const match of source.matchAll(/\bclient\.(?:apiCall|paginate)\(\s*['"`]([\w.]+)['"`]/g)) {
    found.add(match[1] ?? '');
  }
  if (/\bsay\(/.test(source)) found.add('chat.postMessage');
  return [...found].flatMap((method) => SDK_HELPERS[method] ?? [method]).sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function methodsUsedBySource(): string[] {
  const all = sourceFiles(join(ROOT, 'src')).flatMap((file) => methodsCalledIn(readFileSync(file, 'utf8')));
  return [...new Set(all)].sort();
}

/** The bot scopes the app needs: `commands` for its slash command, plus each called method's scope. */
function scopesNeeded(manifest: z.infer<typeof Manifest>, methods: readonly string[]): string[] {
  const scopes = new Set<string>();
  if (manifest.features.slash_commands.length > 0) scopes.add('commands');
  for (const method of methods) {
    const scope = METHOD_SCOPES[method];
    if (scope !== undefined) scopes.add(scope);
  }
  return [...scopes].sort();
}

/** The HTTP manifest as Socket Mode needs it: no URLs, socket_mode_enabled. */
function withoutUrls(manifest: Record<string, unknown>): unknown {
  const copy = structuredClone(manifest) as z.infer<typeof Manifest> & Record<string, unknown>;
  for (const command of copy.features.slash_commands) delete command.url;
  delete copy.settings.event_subscriptions.request_url;
  delete copy.settings.interactivity.request_url;
  delete copy.settings.interactivity.message_menu_options_url;
  copy.settings.socket_mode_enabled = true;
  return copy;
}

describe.runIf(schemas !== undefined)("manifests against Slack's manifest schema", () => {
  const files = (): SchemaFiles => {
    if (schemas === undefined) throw new Error('these checks run only when the schemas are found');
    return schemas;
  };
  function manifestValidator() {
    // ajv-formats is not installed: formats (uri, …) are not checked, everything else is.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    return ajv.compile(z.looseObject({}).parse(readJson(files().manifest)));
  }

  it.each(MANIFESTS)('%s validates', (_file, manifest) => {
    const validate = manifestValidator();
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('uses a validator that tells valid from invalid manifests', () => {
    const validate = manifestValidator();
    expect(validate(readJson(files().validManifest))).toBe(true);
    expect(validate(readJson(files().invalidManifest))).toBe(false);
    expect(
      validate({ ...http, settings: { ...z.looseObject({}).parse(http.settings), socket_mode: true } }),
    ).toBe(false);
  });
});

describe('manifest.yml (HTTP) and manifest.socket.yml', () => {
  it('declares /licenses with its usage hint and every URL on /slack/events', () => {
    const { features, settings } = Manifest.parse(http);
    expect(features.slash_commands).toEqual([
      expect.objectContaining({
        command: '/licenses',
        url: EVENTS_URL,
        usage_hint: '[customer name] · audit [customer name]',
      }),
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

  it('gives Socket Mode the same app without any URL', () => {
    expect(socket).toEqual(withoutUrls(http));
    expect(JSON.stringify(socket)).not.toMatch(/https?:\/\//);
  });

  it('finds Web API calls however they are written', () => {
    const source = [
      'await this.#client.usergroups.users.list({ usergroup });',
      'await client.files.uploadV2({ channel_id });',
      "await app.client.apiCall('users.info', { user });",
      'await client.chat',
      '  .update(args);',
      'say(text);',
    ].join('\n');
    expect(methodsCalledIn(source)).toEqual([
      'chat.postMessage',
      'chat.update',
      'files.completeUploadExternal',
      'files.getUploadURLExternal',
      'usergroups.users.list',
      'users.info',
    ]);
  });

  it.each(MANIFESTS)(
    '%s asks for exactly the bot scopes the Web API calls in src/ need',
    (_file, manifest) => {
      const parsed = Manifest.parse(manifest);
      const methods = methodsUsedBySource();
      expect(methods).toContain('chat.postMessage');
      const unfaked = methods.filter((method) => !(method in METHOD_SCOPES));
      expect(
        unfaked,
        'methods src/ calls that the Slack fake does not know (add them with their scope)',
      ).toEqual([]);
      expect([...parsed.oauth_config.scopes.bot].sort()).toEqual(scopesNeeded(parsed, methods));
      expect(parsed.oauth_config.scopes.user).toBeUndefined();
      // The Slack fake grants the tests exactly what an install of this manifest grants.
      expect([...DEFAULT_SCOPES].sort()).toEqual([...parsed.oauth_config.scopes.bot].sort());
    },
  );
});
