/**
 * Versioned migrations of the app's tables, applied at start-up. Replicas starting together take
 * turns through a transaction-level advisory lock: the first applies what is missing, the others
 * then find nothing to do. A migration is applied in the same transaction that records it.
 */
import { inTransaction, type Pool } from './pool.js';

export interface Migration {
  /** Increasing, never reused. */
  version: number;
  name: string;
  sql: string;
}

/** Any fixed 64-bit number shared by every replica of this app. */
const MIGRATION_LOCK = 7_312_004_117;

/**
 * Creates `schema` (the pool's search path) when missing and applies the migrations not yet
 * recorded there, in version order; returns the versions applied now.
 */
export async function migrate(
  pool: Pool,
  schema: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // The name is checked by the config schema (a lower-case identifier), so it can be spliced in.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((row) => row.version));
    const now: number[] = [];
    for (const migration of ordered) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      now.push(migration.version);
    }
    return now;
  });
}
