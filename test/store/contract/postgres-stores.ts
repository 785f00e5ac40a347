/**
 * PostgresStores for tests: one fresh schema per test file (freshSchema), emptied before each
 * test; a second pool on the same schema stands for a second replica.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createPool, type Pool } from '../../../src/db/pool.js';
import { PostgresStore, type PostgresStoreOptions } from '../../../src/store/postgres/postgres-store.js';
import { freshSchema, type TestSchema } from '../../support/postgres.js';
import { LinesLogger } from '../temp-store.js';
import type { ContractOptions, StoreFactory } from './store-factory.js';

export interface PostgresStores extends StoreFactory {
  readonly schema: TestSchema;
  /** A second replica's pool on the same schema. */
  readonly otherPool: Pool;
  /** A store on the test's schema with any options; opened, closed after the test. */
  openWith(options?: Partial<PostgresStoreOptions>): Promise<PostgresStore>;
}

const TABLES =
  'drafts, request_results, request_prior_state, requests, approvals, audit, archived_requests, archived_drafts, archived_audit';

/** Registers the hooks; call inside a describePostgres. */
export function usePostgresStores(): PostgresStores {
  let schema: TestSchema | undefined;
  let otherPool: Pool | undefined;
  const stores: PostgresStore[] = [];
  beforeAll(async () => {
    schema = await freshSchema();
    otherPool = createPool({ connectionString: schema.url, max: 10, schema: schema.schema });
  });
  afterAll(async () => {
    await otherPool?.end();
    await schema?.drop();
  });
  beforeEach(async () => {
    await schema?.pool.query(`TRUNCATE ${TABLES}`);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the schema is not ready (beforeAll did not run)');
    return value;
  };
  const openWith = async (options: Partial<PostgresStoreOptions> = {}) => {
    const store = new PostgresStore({ pool: need(schema).pool, logger: new LinesLogger(), ...options });
    stores.push(store);
    await store.open();
    return store;
  };
  const fromContract = (options: ContractOptions, pool?: Pool) =>
    openWith(pool ? { ...options, pool } : options);
  return {
    get schema() {
      return need(schema);
    },
    get otherPool() {
      return need(otherPool);
    },
    openWith,
    open: (options = {}) => fromContract(options),
    async replicas(options = {}) {
      return [await fromContract(options), await fromContract(options, need(otherPool))];
    },
  };
}
