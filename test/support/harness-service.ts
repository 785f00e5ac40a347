/**
 * What the in-process harnesses run (support/app-harness.ts, support/replicas.ts, jobs/queue-harness.ts): the config of a
 * bot on the Slack fake and the demo tenant, a LicensingService with the approval rule it sets, retries and progress a few ms apart and runs verified
 * at once, and a Slack app on it that neither retries nor spaces its messages.
 */
import { type Config, loadConfig } from '../../src/config.js';
import { LicensingService, type LicensingServiceOptions } from '../../src/licensing/licensing-service.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import { createSlackApp, type SlackApp, type SlackAppDeps } from '../../src/slack/app.js';
import type { Store } from '../../src/store/store.js';
import type { SlackFake } from './slack-fake.js';

/** The signing secret of every in-process app the tests start. */
export const SIGNING_SECRET = 'e2e-signing-secret';

/** The config of a bot on `fake` (any free port) and the demo tenant; `env` on top. */
export function harnessConfig(fake: SlackFake, env: Record<string, string | undefined>): Config {
  return loadConfig({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: '0',
    LICENSE_PROVIDER: 'demo',
    ...env,
  });
}

/** The service on `provider` and `store`; `overrides` on top. */
export function harnessService(
  config: Config,
  provider: LicenseProvider,
  store: Store,
  overrides: Partial<Omit<LicensingServiceOptions, 'provider' | 'store'>> = {},
): LicensingService {
  return new LicensingService({
    provider,
    store,
    approvalRevokeThreshold: config.APPROVAL_REVOKE_THRESHOLD,
    approvalTtlHours: config.APPROVAL_TTL_HOURS,
    approvalWindowHours: config.APPROVAL_WINDOW_HOURS,
    concurrency: config.RUN_CONCURRENCY,
    tenantWritesPerSecond: 1000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, progressIntervalMs: 20 },
    logger: { warn: () => {} },
    // Read back at once (the demo tenant is consistent), retried after a few ms.
    verification: { delayMs: 0, retryDelayMs: 5 },
    ...overrides,
  });
}

/** The Slack app on `deps` (service, store, logger, a run queue…), not started. */
export function harnessSlackApp(config: Config, deps: SlackAppDeps): SlackApp {
  return createSlackApp(config, {
    clientOptions: { retryConfig: { retries: 0 } },
    messageIntervalMs: 0,
    progressIntervalMs: 20,
    ...deps,
  });
}
