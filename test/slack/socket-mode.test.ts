/**
 * The app over Socket Mode, driven once end to end: it opens a connection with its app-level
 * token, is greeted, receives `/licenses` as a `slash_commands` envelope, acks it over the socket
 * and opens the modal through the Web API, with only the scopes manifest.socket.yml grants.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ids } from '../../blocks/ids.js';
import { loadConfig } from '../../src/config.js';
import { LicensingService } from '../../src/licensing/licensing-service.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { CHANNEL, OPERATOR, RecordingLogger, testTenant } from '../support/app-harness.js';
import { type SlackFake, startSlackFake } from '../support/slack-fake.js';
import { type SocketModeStandIn, startSocketModeStandIn } from '../support/socket-mode-stand-in.js';

const SocketManifest = z.object({
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
});
const manifestScopes = SocketManifest.parse(
  parse(readFileSync(new URL('../../manifest.socket.yml', import.meta.url), 'utf8')),
).oauth_config.scopes.bot;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSocketApp(): Promise<{ fake: SlackFake; standIn: SocketModeStandIn; slack: SlackApp }> {
  const fake = await startSlackFake({ scopes: manifestScopes });
  cleanups.push(() => fake.close());
  const standIn = await startSocketModeStandIn(fake);
  cleanups.push(() => standIn.close());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'licensedesk-socket-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const store = new LowdbStore({ dataDir, writeDelayMs: 20 });
  await store.open();
  cleanups.push(() => store.close());
  const config = loadConfig({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_APP_TOKEN: standIn.appToken,
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    DATA_DIR: dataDir,
  });
  const service = new LicensingService({
    provider: new DemoProvider({ data: testTenant() }),
    store,
    approvalRevokeThreshold: config.APPROVAL_REVOKE_THRESHOLD,
    approvalTtlHours: config.APPROVAL_TTL_HOURS,
  });
  const slack = createSlackApp(config, {
    service,
    store,
    logger: new RecordingLogger(),
    clientOptions: { retryConfig: { retries: 0 } },
  });
  // start() resolves once the socket is greeted; a client that never reaches the stand-in (Bolt
  // hands SLACK_API_URL to the Socket Mode client too) fails here within seconds, saying so.
  const started = slack.start();
  // Handled here so a failed start is reported once, by the race below or by `await started`.
  started.catch(() => {});
  cleanups.push(() => slack.stop());
  await Promise.race([standIn.connected(), started.then(() => standIn.connected())]).catch(
    (error: unknown) => {
      throw new Error(
        `the app did not connect over Socket Mode (apps.connections.open calls seen: ${standIn.connectionsOpened()}): ${String(error)}`,
      );
    },
  );
  await started;
  return { fake, standIn, slack };
}

describe('Socket Mode', () => {
  it('acks /licenses over the socket and opens the modal', async () => {
    const { fake, standIn } = await startSocketApp();
    expect(standIn.connectionsOpened()).toBe(1);

    const ack = await standIn.send('slash_commands', {
      token: 'legacy-verification-token',
      team_id: fake.teamId,
      team_domain: 'fake',
      channel_id: CHANNEL,
      channel_name: 'licenses',
      user_id: OPERATOR,
      user_name: 'operator',
      command: '/licenses',
      text: '',
      api_app_id: fake.appId,
      is_enterprise_install: 'false',
      response_url: fake.issueResponseUrl().url,
      trigger_id: fake.issueTriggerId(OPERATOR),
    });
    expect(ack.payload ?? {}).toEqual({});

    const opened = await fake.waitForCall('views.open');
    expect(opened.ok).toBe(true);
    expect(fake.openModalOf(OPERATOR)?.callbackId).toBe(ids.views.customer);
    expect(fake.unexpectedCalls(['auth.test', 'views.open', 'views.update'])).toEqual([]);
  });
});
