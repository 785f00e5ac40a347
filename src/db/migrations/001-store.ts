import type { Migration } from '../migrate.js';

// Filled in by the module that owns these tables.
export const storeMigration: Migration = {
  version: 1,
  name: 'store',
  sql: 'SELECT 1',
};
