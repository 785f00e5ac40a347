import type { Migration } from '../migrate.js';

/**
 * The demo tenant shared by every replica (src/providers/demo/postgres/): each customer's seed
 * data once, then every change as an event, numbered in the order it was committed per customer.
 * `data` is `json`, not `jsonb`: it is only ever read whole, and json keeps it as written.
 */
export const demoTenantMigration: Migration = {
  version: 3,
  name: 'demo-tenant',
  sql: `
    CREATE TABLE demo_customers (
      customer_id text PRIMARY KEY,
      position integer NOT NULL,
      data json NOT NULL,
      seeded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE demo_events (
      seq bigserial PRIMARY KEY,
      customer_id text NOT NULL REFERENCES demo_customers (customer_id),
      user_id text NOT NULL,
      event json NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX demo_events_customer_seq ON demo_events (customer_id, seq);
  `,
};
