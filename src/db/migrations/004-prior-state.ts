import type { Migration } from '../migrate.js';

/**
 * The state of a request's users before its run changed them (src/store/postgres/pg-prior-states.ts):
 * one row per request and user, first write wins (the key refuses a second). Retention moves it
 * into the archive with its request.
 */
export const priorStateMigration: Migration = {
  version: 4,
  name: 'prior-state',
  sql: `
CREATE TABLE request_prior_state (
  request_id text NOT NULL REFERENCES requests (id),
  user_id text NOT NULL,
  seq bigserial NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (request_id, user_id)
);
ALTER TABLE archived_requests ADD COLUMN prior_state jsonb;
`,
};
