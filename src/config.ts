/**
 * Configuration is a function of the environment: one zod schema with every variable and its
 * default (DESIGN.md §3). A missing or malformed variable stops start-up with one line naming it.
 */
import { z } from 'zod';

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

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const ConfigSchema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required (xoxb-…)' }).startsWith('xoxb-', 'must start with xoxb-'),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
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
  APPROVAL_CHANNEL_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]+$/, 'must be a channel id like C0123')
      .optional(),
  ),

  APPROVAL_REVOKE_THRESHOLD: positiveInt(10),
  APPROVAL_TTL_HOURS: positiveInt(24),
  RUN_CONCURRENCY: positiveInt(8),
  TENANT_WRITES_PER_SECOND: positiveInt(15),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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
  if (parsed.success && lines.length === 0) return parsed.data;
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}
