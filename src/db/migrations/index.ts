/** Every migration of the app, in version order. One file per owner, so they never conflict. */
import type { Migration } from '../migrate.js';
import { storeMigration } from './001-store.js';
import { writeBudgetMigration } from './002-write-budget.js';
import { demoTenantMigration } from './003-demo-tenant.js';
import { priorStateMigration } from './004-prior-state.js';

export const MIGRATIONS: readonly Migration[] = [
  storeMigration,
  writeBudgetMigration,
  demoTenantMigration,
  priorStateMigration,
];
