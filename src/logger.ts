/**
 * The one logger of the process: pino, JSON lines in production, pretty when a terminal is
 * attached (or LOG_PRETTY=1, which `npm run dev` sets). Every layer gets the same facade, shaped
 * like Bolt's Logger (`info(...parts)`), so Bolt, the store, the service, the executor and the
 * providers log through one pipeline at one LOG_LEVEL; `child(bindings)` gives a per-request or
 * per-run logger whose lines carry the bindings (request id, customer, Slack user).
 *
 * Secrets never reach the output: Slack tokens (xoxb-/xoxp-/xapp-…), bearer tokens and every
 * configured secret value are replaced by "[secret]" in messages and in logged objects, whatever
 * the level.
 */
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/** What every layer logs through: Bolt's Logger plus child loggers. */
export interface AppLogger extends BoltLogger {
  child(bindings: Record<string, string | number | undefined>): AppLogger;
}

export interface LoggerOptions {
  level: LogLevelName;
  /** Values to mask wherever they appear (tokens, client secrets, the signing secret…). */
  secrets?: readonly (string | undefined)[];
  /** Human-readable lines instead of JSON (default: stdout is a terminal, or LOG_PRETTY=1). */
  pretty?: boolean;
  /** Where lines go (default stdout); tests pass a memory stream. */
  destination?: DestinationStream;
}

const TOKEN_PATTERN = /\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]+|\bBearer\s+[A-Za-z0-9._~+/=-]+/g;
const MASK = '[secret]';

export function createLogger(options: LoggerOptions): AppLogger {
  const secrets = (options.secrets ?? []).filter(
    (value): value is string => value !== undefined && value.length >= 6,
  );
  const scrub = (text: string) => {
    let clean = text.replace(TOKEN_PATTERN, MASK);
    for (const secret of secrets) clean = clean.split(secret).join(MASK);
    return clean;
  };
  const usePretty = options.pretty ?? (process.stdout.isTTY === true || process.env.LOG_PRETTY === '1');
  const destination =
    options.destination ??
    (usePretty ? pretty({ colorize: process.stdout.isTTY === true, sync: true }) : undefined);
  const root = pino(
    {
      level: options.level,
      base: { app: 'licensedesk' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Every line, at every level, leaves through here: scrub its rendered text.
        streamWrite: scrub,
      },
    },
    destination ?? pino.destination({ sync: true }),
  );
  return facade(root, options.level);
}

/** Bolt-style calls (`error('text', err, {ctx})`) on a pino logger: errors and objects become fields. */
function facade(logger: Pino, initial: LogLevelName): AppLogger {
  let level = initial;
  const write =
    (method: LogLevelName) =>
    (...parts: unknown[]) => {
      const fields: Record<string, unknown> = {};
      const words: string[] = [];
      for (const part of parts) {
        if (part instanceof Error) fields.err ??= part;
        else if (part !== null && typeof part === 'object') Object.assign(fields, part);
        else words.push(String(part));
      }
      logger[method](fields, words.join(' '));
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel(next: LogLevel) {
      level = fromBolt(next);
      logger.level = level;
    },
    getLevel: () => toBolt(level),
    setName() {},
    child: (bindings) => facade(logger.child(definedOnly(bindings)), level),
  };
}

function definedOnly(bindings: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(bindings).filter(([, value]) => value !== undefined)) as Record<
    string,
    string | number
  >;
}

function toBolt(level: LogLevelName): LogLevel {
  return { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR }[level];
}

function fromBolt(level: LogLevel): LogLevelName {
  switch (level) {
    case LogLevel.DEBUG:
      return 'debug';
    case LogLevel.WARN:
      return 'warn';
    case LogLevel.ERROR:
      return 'error';
    default:
      return 'info';
  }
}

let fallback: AppLogger | undefined;

/** For parts built without a logger (tests, benchmarks): warnings and errors only, same format. */
export function defaultLogger(): AppLogger {
  fallback ??= createLogger({ level: 'warn' });
  return fallback;
}
