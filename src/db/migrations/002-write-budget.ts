import type { Migration } from '../migrate.js';

// Filled in by the module that owns these tables.
export const writeBudgetMigration: Migration = {
  version: 2,
  name: 'write-budget',
  sql: 'SELECT 1',
};
