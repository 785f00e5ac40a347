import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { describePostgres, freshSchema, type TestSchema } from '../support/postgres.js';

describePostgres('migrations', () => {
  let db: TestSchema;
  beforeAll(async () => {
    db = await freshSchema();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('five replicas starting together on a new schema apply each migration once', async () => {
    const schema = `${db.schema}_race`;
    const pools: Pool[] = Array.from({ length: 5 }, () =>
      createPool({ connectionString: db.url, max: 2, schema }),
    );
    try {
      const applied = await Promise.all(pools.map((pool) => migrate(pool, schema, MIGRATIONS)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(
        MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
      );
      const [first] = pools;
      const recorded = await first?.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(recorded?.rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await pools[0]?.query(`DROP SCHEMA ${schema} CASCADE`);
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('a second start applies nothing', async () => {
    expect(await migrate(db.pool, db.schema, MIGRATIONS)).toEqual([]);
  });
});
