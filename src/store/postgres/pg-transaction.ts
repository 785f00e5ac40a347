/**
 * One transaction on one client of the pool, like db/pool.ts's inTransaction, but safe when the
 * connection drops meanwhile: a checked-out pg client has no 'error' listener of the pool's, and
 * an 'error' event nobody listens to ends the process. Here one is listened to while the client
 * is out, and a client that broke is destroyed rather than given back.
 */
import type { Pool, PoolClient } from '../../db/pool.js';

export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
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
