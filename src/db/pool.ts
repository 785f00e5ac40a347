/**
 * The one PostgreSQL pool of a replica (STORE=postgres): the store, the write budgets, the demo
 * tenant and pg-boss all take their connections from it.
 */
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  connectionString: string;
  max: number;
  /** The app's schema (DATABASE_SCHEMA): searched first, created by migrate(). */
  schema: string;
}

export function createPool(options: PoolOptions): Pool {
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    options: `-c search_path=${options.schema}`,
    // A replica that cannot reach the database fails in seconds, not when the OS gives up.
    connectionTimeoutMillis: 10_000,
  });
}

/**
 * Runs `work` in one transaction on one client: committed when it resolves, rolled back when it
 * throws (and the error rethrown). Safe when the connection drops meanwhile: a checked-out pg
 * client has none of the pool's 'error' listeners, and an 'error' event nobody hears ends the
 * process; here one is heard while the client is out, and a client that broke is destroyed
 * rather than given back.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      broken ??= rollback instanceof Error ? rollback : new Error(String(rollback));
    });
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
