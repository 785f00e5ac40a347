/**
 * PostgreSQL for tests: DATABASE_URL names the server (.ci/run sets it and REQUIRE_POSTGRES=1).
 * Each test file gets its own schema, dropped after; without a server the Postgres tests are
 * skipped (postgres-setup.ts says so in one line) unless REQUIRE_POSTGRES=1.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { createPool, type Pool } from '../../src/db/pool.js';

export const postgresUrl = process.env.DATABASE_URL?.trim() || undefined;

/** `describe` when DATABASE_URL is set, `describe.skip` otherwise (the global setup checked it answers). */
export const describePostgres = describe.skipIf(postgresUrl === undefined);

export interface TestSchema {
  url: string;
  /** Fresh, unique: DATABASE_SCHEMA for an app under test; pg-boss uses `<schema>_jobs`. */
  schema: string;
  /** A pool on the schema, migrated. */
  pool: Pool;
  /** Closes the pool and drops the schema (and its `_jobs` twin). */
  drop(): Promise<void>;
}

/** A new schema with every migration applied; call drop() in afterAll. */
export async function freshSchema(): Promise<TestSchema> {
  if (postgresUrl === undefined) throw new Error('DATABASE_URL is not set');
  const url = postgresUrl;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const pool = createPool({ connectionString: url, max: 10, schema });
  await migrate(pool, schema, MIGRATIONS);
  return {
    url,
    schema,
    pool,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * The test file's schema: freshSchema() before its tests (when DATABASE_URL is set), dropped after
 * them. Read it inside a test; before beforeAll has made it, reading it throws.
 */
export function useFreshSchema(): TestSchema {
  let made: TestSchema | undefined;
  beforeAll(async () => {
    if (postgresUrl !== undefined) made = await freshSchema();
  });
  afterAll(async () => {
    await made?.drop();
  });
  const current = () => {
    if (made === undefined) throw new Error('no schema: DATABASE_URL is not set, or beforeAll has not run');
    return made;
  };
  return {
    get url() {
      return current().url;
    },
    get schema() {
      return current().schema;
    },
    get pool() {
      return current().pool;
    },
    drop: () => current().drop(),
  };
}
