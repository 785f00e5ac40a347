import type { Migration } from '../migrate.js';

// Filled in by the module that owns these tables.
export const demoTenantMigration: Migration = {
  version: 3,
  name: 'demo-tenant',
  sql: 'SELECT 1',
};
