/**
 * What the in-process harnesses run (support/replicas.ts, jobs/queue-harness.ts): a LicensingService
 * with the approval rule the config sets, retries and progress a few ms apart and runs verified
 * at once, and a Slack app on it that neither retries nor spaces its messages.
 * (support/app-harness.ts still builds the same by hand.)
 */
import type { Config } from '../../src/config.js';
import { LicensingService, type LicensingServiceOptions } from '../../src/licensing/licensing-service.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import type { Store } from '../../src/store/store.js';

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

type SlackAppDeps = Parameters<typeof createSlackApp>[1];

/** The Slack app on `deps` (service, store, logger, a run queue…), not started. */
export function harnessSlackApp(config: Config, deps: SlackAppDeps): SlackApp {
  return createSlackApp(config, {
    clientOptions: { retryConfig: { retries: 0 } },
    messageIntervalMs: 0,
    progressIntervalMs: 20,
    ...deps,
  });
}
