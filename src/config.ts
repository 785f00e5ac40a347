/**
 * Configuration is a function of the environment: one zod schema with every variable and its
 * default (DESIGN.md §3). A missing or malformed variable stops start-up with one line naming it.
 */

import { z } from 'zod';
import type { CodedError } from './errors.js';
import { RUN_DEFAULTS, VERIFY_DEFAULTS } from './licensing/run-defaults.js';

const slackUserIds = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
  )
  .pipe(
    z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be Slack user ids like U0123ABCD, comma-separated')),
  );

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Values like `.env.example`'s: a copied placeholder must stop start-up, not reach Slack. */
const PLACEHOLDER = /replace[-_ ]?me|change[-_ ]?me|your[-_ ]|<[^>]*>|…|\.\.\./i;
const notPlaceholder = (value: string | undefined) => value === undefined || !PLACEHOLDER.test(value);
const PLACEHOLDER_MESSAGE = 'is still the placeholder from .env.example: paste the real value';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const urlWithDefault = (fallback: string) =>
  optionalString.transform((value) => (value ?? fallback).replace(/\/+$/, '')).pipe(z.url('must be a URL'));

/** GRAPH_CUSTOMERS: "tenantId=Name,tenantId=Name" (names cannot contain "," or "="). */
const graphCustomers = optionalString.transform((value, ctx) => {
  const customers: Array<{ tenantId: string; name: string }> = [];
  for (const entry of (value ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const [tenantId = '', name = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (tenantId === '' || name === '' || rest.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be tenantId=Name pairs, comma-separated (bad entry "${entry.trim()}")`,
      });
      return z.NEVER;
    }
    customers.push({ tenantId, name });
  }
  return customers;
});

export const ConfigSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is required (xoxb-…)' })
    .startsWith('xoxb-', 'must start with xoxb-')
    .refine(notPlaceholder, PLACEHOLDER_MESSAGE),
  SLACK_SIGNING_SECRET: optionalString.refine(notPlaceholder, PLACEHOLDER_MESSAGE),
  SLACK_APP_TOKEN: optionalString.pipe(
    z
      .string()
      .startsWith('xapp-', 'must start with xapp-')
      .refine(notPlaceholder, PLACEHOLDER_MESSAGE)
      .optional(),
  ),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_API_URL: optionalString.pipe(z.url('must be a URL').optional()),

  LICENSE_PROVIDER: z.enum(['demo', 'graph', 'partner-center']).default('demo'),
  DATA_DIR: z.string().default('./data'),
  PURCHASE_URL: optionalString.pipe(z.url('must be a URL').optional()),

  OPERATOR_USER_IDS: slackUserIds,
  OPERATOR_USERGROUP_ID: optionalString.pipe(
    z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'must be a user group id like S0123')
      .optional(),
  ),
  APPROVER_USER_IDS: slackUserIds,
  APPROVER_USERGROUP_ID: optionalString.pipe(
    z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'must be a user group id like S0123')
      .optional(),
  ),
  /** Operators who may run a request that needs approval at once, with a reason (break-glass). */
  BREAK_GLASS_USER_IDS: slackUserIds,
  APPROVAL_CHANNEL_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]+$/, 'must be a channel id like C0123')
      .optional(),
  ),

  APPROVAL_REVOKE_THRESHOLD: positiveInt(10),
  APPROVAL_TTL_HOURS: positiveInt(24),
  /** One operator's revocations on one customer are summed over this window (splitting cannot dodge approval). */
  APPROVAL_WINDOW_HOURS: positiveInt(24),
  /** Finished requests, expired drafts and audit rows older than this are archived to DATA_DIR/archive/. */
  RETENTION_DAYS: positiveInt(90),
  /** A finished request can be undone this long (Exchange keeps a mailbox 30 days after its license goes). */
  UNDO_DAYS: positiveInt(30),
  RUN_CONCURRENCY: positiveInt(RUN_DEFAULTS.concurrency),
  TENANT_WRITES_PER_SECOND: positiveInt(RUN_DEFAULTS.tenantWritesPerSecond),
  /** Writes per second across every tenant, shared by all replicas (Graph allows one app about 117). */
  APP_WRITES_PER_SECOND: positiveInt(RUN_DEFAULTS.appWritesPerSecond),
  /**
   * Wait after a run's last write before its results are checked against the tenant (Graph is
   * eventually consistent). At most 8 s: a queued finisher verifies within 12 s of its job's time.
   */
  VERIFY_DELAY_MS: z.coerce.number().int().min(0).max(8_000).default(VERIFY_DEFAULTS.delayMs),
  /** Reads of a user whose holdings contradict a result before it is reported as a mismatch. */
  VERIFY_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(VERIFY_DEFAULTS.attempts),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  /** lowdb: one process, files in DATA_DIR. postgres: several replicas on DATABASE_URL, runs on pg-boss. */
  STORE: z.enum(['lowdb', 'postgres']).default('lowdb'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
  ),
  /** Schema of the app's tables; pg-boss keeps its jobs in `<schema>_jobs`. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a lower-case SQL identifier')
    .default('licensedesk'),
  /** Pool size per replica (shared by the store, the write budgets and pg-boss). */
  DATABASE_POOL_SIZE: positiveInt(10),

  GRAPH_CLIENT_ID: optionalString,
  GRAPH_CLIENT_SECRET: optionalString.refine(notPlaceholder, PLACEHOLDER_MESSAGE),
  GRAPH_CUSTOMERS: graphCustomers,
  GRAPH_BASE_URL: urlWithDefault('https://graph.microsoft.com/v1.0'),
  LOGIN_BASE_URL: urlWithDefault('https://login.microsoftonline.com'),
  PARTNER_TENANT_ID: optionalString,
  PARTNER_CENTER_CLIENT_ID: optionalString,
  PARTNER_CENTER_CLIENT_SECRET: optionalString.refine(notPlaceholder, PLACEHOLDER_MESSAGE),
  PARTNER_CENTER_REFRESH_TOKEN: optionalString.refine(notPlaceholder, PLACEHOLDER_MESSAGE),
  PARTNER_CENTER_BASE_URL: urlWithDefault('https://api.partnercenter.microsoft.com'),
  PROVIDER_TIMEOUT_MS: positiveInt(30_000),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error implements CodedError {
  override readonly name = 'ConfigError';
  /** The environment does not describe a runnable app; the message names every bad variable. */
  readonly code = 'config_invalid';
}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const message =
          issue.code === 'invalid_type' && env[name] === undefined ? 'is required' : issue.message;
        return `${name} ${message}`;
      });
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    lines.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  lines.push(...providerConfigProblems(env));
  if (env.STORE?.trim() === 'postgres' && !env.DATABASE_URL?.trim()) {
    lines.push('DATABASE_URL is required when STORE=postgres');
  }
  if (parsed.success && lines.length === 0) return parsed.data;
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}

const PARTNER_CENTER_VARIABLES = [
  'PARTNER_TENANT_ID',
  'PARTNER_CENTER_CLIENT_ID',
  'PARTNER_CENTER_CLIENT_SECRET',
  'PARTNER_CENTER_REFRESH_TOKEN',
] as const;

/** The variables a real backend needs, required only when LICENSE_PROVIDER picks it. */
export function providerConfigProblems(env: NodeJS.ProcessEnv): string[] {
  const provider = env.LICENSE_PROVIDER?.trim() || 'demo';
  const missing = (name: string) => !env[name]?.trim();
  const hasPartnerCenter = PARTNER_CENTER_VARIABLES.every((name) => !missing(name));
  const lines: string[] = [];
  if (provider === 'graph') {
    for (const name of ['GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET']) {
      if (missing(name)) lines.push(`${name} is required when LICENSE_PROVIDER=graph`);
    }
    if (missing('GRAPH_CUSTOMERS') && !hasPartnerCenter) {
      lines.push(
        'GRAPH_CUSTOMERS is required when LICENSE_PROVIDER=graph (or set PARTNER_TENANT_ID and the PARTNER_CENTER_* credentials to list customers from Partner Center)',
      );
    }
  }
  if (provider === 'partner-center') {
    for (const name of PARTNER_CENTER_VARIABLES) {
      if (missing(name)) lines.push(`${name} is required when LICENSE_PROVIDER=partner-center`);
    }
  }
  return lines;
}
