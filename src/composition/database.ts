/**
 * STORE=postgres: the replica's one pool (DATABASE_URL, DATABASE_POOL_SIZE, search path
 * DATABASE_SCHEMA), checked to answer and migrated under the advisory lock before anything uses
 * it. A database that does not answer stops start-up with one coded line, like a wrong token.
 */
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { createPool, type Pool } from '../db/pool.js';
import type { CodedError } from '../errors.js';
import type { AppLogger } from '../logger.js';

/**
 * `store_database_unreachable`: no connection (refused, time-out, DNS, authentication, no such
 * database); `store_migration_failed`: connected, but the migrations could not be applied.
 */
export class DatabaseStartError extends Error implements CodedError {
  override readonly name = 'DatabaseStartError';
  constructor(
    readonly code: 'store_database_unreachable' | 'store_migration_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** host:port/database of a connection string, without the user or password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function why(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as { code?: unknown };
  // AggregateError (every address of a host refused) carries its cause in `errors`.
  const first = (error as { errors?: unknown[] }).errors?.[0];
  const message = error.message || (first instanceof Error ? first.message : '') || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** The pool, answering and migrated; throws DatabaseStartError (and ends the pool) otherwise. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_SCHEMA'>,
  logger: AppLogger,
): Promise<Pool> {
  const url = config.DATABASE_URL;
  if (url === undefined) {
    throw new DatabaseStartError(
      'store_database_unreachable',
      'DATABASE_URL is required when STORE=postgres',
    );
  }
  const where = describeDatabase(url);
  const pool = createPool({
    connectionString: url,
    max: config.DATABASE_POOL_SIZE,
    schema: config.DATABASE_SCHEMA,
  });
  // An idle client that loses its server must not end the process: the next query reports it.
  pool.on('error', (error) => logger.warn(`PostgreSQL connection lost (${why(error)})`));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseStartError(
      'store_database_unreachable',
      `PostgreSQL does not answer at ${where}: ${why(error)}. Check DATABASE_URL and that the server is running.`,
      { cause: error },
    );
  }
  try {
    const applied = await migrate(pool, config.DATABASE_SCHEMA, MIGRATIONS);
    if (applied.length > 0)
      logger.info(`applied migration(s) ${applied.join(', ')} to ${where} schema ${config.DATABASE_SCHEMA}`);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseStartError(
      'store_migration_failed',
      `Cannot migrate schema ${config.DATABASE_SCHEMA} at ${where}: ${why(error)}`,
      { cause: error },
    );
  }
  return pool;
}
