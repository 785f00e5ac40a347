import type { Migration } from '../migrate.js';

/**
 * The write budgets every replica shares (src/db/write-budget.ts): one row per budget ('app',
 * 'tenant:<id>') holding when its next slot is free, in milliseconds of the database's clock.
 * UNLOGGED: a budget is worth nothing after a crash (the rows are recreated empty), and without
 * WAL a reservation commits without waiting for a disk flush while it holds the 'app' row.
 * write_budget_reserve takes the next `slots` slots on both rows in one call, locking 'app' first,
 * then the tenant (one order for every caller, so two reservations never deadlock).
 */
export const writeBudgetMigration: Migration = {
  version: 2,
  name: 'write-budget',
  sql: `
CREATE UNLOGGED TABLE write_budget (
  key text PRIMARY KEY,
  next_free_at double precision NOT NULL
);

CREATE FUNCTION write_budget_reserve(
  tenant_key text,
  slots integer,
  tenant_interval double precision,
  tenant_burst double precision,
  app_interval double precision,
  app_burst double precision
) RETURNS TABLE (slot_at double precision, now_at double precision)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  app_free double precision;
  tenant_free double precision;
  now_ms double precision;
  app_next double precision;
  slot double precision;
BEGIN
  INSERT INTO write_budget (key, next_free_at)
    SELECT k, '-Infinity' FROM unnest(ARRAY['app', tenant_key]) AS k
    WHERE app_interval IS NOT NULL OR k <> 'app'
  ON CONFLICT (key) DO NOTHING;
  IF app_interval IS NOT NULL THEN
    SELECT next_free_at INTO app_free FROM write_budget WHERE key = 'app' FOR UPDATE;
  END IF;
  SELECT next_free_at INTO tenant_free FROM write_budget WHERE key = tenant_key FOR UPDATE;
  -- Read after the locks: time spent waiting for another replica's reservation is not a slot.
  now_ms := extract(epoch FROM clock_timestamp())::double precision * 1000;
  now_at := now_ms;
  slot := greatest(tenant_free, now_ms - tenant_burst);
  app_next := greatest(app_free, now_ms - app_burst);
  -- The same slots as \`slots\` reservations one after another: each the later of the tenant's
  -- next and the app's next. The app counts a write at its own next slot even when the tenant's
  -- is later, so a paused or saturated tenant never holds the others up (as TenantPacer does).
  FOR i IN 1..slots LOOP
    IF app_interval IS NOT NULL THEN
      slot := greatest(slot, app_next);
      app_next := app_next + app_interval;
    END IF;
    slot_at := slot;
    RETURN NEXT;
    slot := slot + tenant_interval;
  END LOOP;
  IF app_interval IS NOT NULL THEN
    UPDATE write_budget SET next_free_at = app_next WHERE key = 'app';
  END IF;
  UPDATE write_budget SET next_free_at = slot WHERE key = tenant_key;
END
$$;
`,
};
