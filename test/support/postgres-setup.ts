/**
 * vitest globalSetup: checks once that DATABASE_URL answers. Without it the Postgres tests are
 * skipped with one line; REQUIRE_POSTGRES=1 (CI) makes that a failure.
 */
import pg from 'pg';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL?.trim();
  const required = process.env.REQUIRE_POSTGRES === '1';
  if (url === undefined || url === '') {
    if (required) throw new Error('REQUIRE_POSTGRES=1 but DATABASE_URL is not set');
    console.log(
      'PostgreSQL tests skipped: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)',
    );
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // Set but unreachable is a broken setup, not a reason to skip silently.
    throw new Error(`DATABASE_URL is set but PostgreSQL does not answer: ${why}`);
  } finally {
    await client.end().catch(() => {});
  }
}
