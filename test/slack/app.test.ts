import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { LicensingService } from '../../src/licensing/licensing-service.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import { createSlackApp } from '../../src/slack/app.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { RecordingLogger, startAppHarness, testTenant } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';

describe('createSlackApp', () => {
  it('serves GET /healthz beside the events endpoint and checks the token once at start', async () => {
    const h = closedAfterTest(await startAppHarness());
    const health = await fetch(h.appUrl.replace('/slack/events', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    expect(h.fake.calls.map((call) => call.method)).toEqual(['auth.test']);
  });

  it('builds a Socket Mode app without any network call until started', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      DATA_DIR: '/nonexistent',
    });
    const store = new LowdbStore({ dataDir: '/nonexistent' });
    const service = new LicensingService({
      provider: new DemoProvider({ data: testTenant() }),
      store,
      approvalRevokeThreshold: 10,
      approvalTtlHours: 24,
    });
    const slack = createSlackApp(config, { service, store, logger: new RecordingLogger() });
    expect(slack.port()).toBeUndefined();
    expect(slack.openToEveryone).toBe(true);
  });
});
