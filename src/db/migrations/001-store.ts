import type { Migration } from '../migrate.js';

/**
 * The Store's tables (src/store/postgres/). Each record is kept whole as jsonb, parsed with the
 * same zod schema as lowdb's files; the columns the queries filter and sort on are generated from
 * it, so a column and its document never disagree. Texts that are ISO times are compared as
 * lowdb compares them: bytewise (COLLATE "C"). Archive tables keep what retention moved out.
 */
export const storeMigration: Migration = {
  version: 1,
  name: 'store',
  sql: `
CREATE FUNCTION store_time(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  -- Only ISO times count (Date.parse would refuse 'now' or 'today'); anything else is no time.
  IF t IS NULL OR t !~ '^\\d{4}-\\d{2}-\\d{2}T' THEN RETURN NULL; END IF;
  RETURN t::timestamptz;
EXCEPTION WHEN others THEN RETURN NULL;
END
$fn$;

CREATE TABLE drafts (
  id text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX drafts_expires_at ON drafts (expires_at);

CREATE TABLE requests (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  header jsonb NOT NULL,
  items jsonb NOT NULL,
  status text GENERATED ALWAYS AS (header->>'status') STORED,
  customer_id text GENERATED ALWAYS AS (header->>'customerId') STORED,
  requested_by text GENERATED ALWAYS AS (header->>'requestedBy') STORED,
  created_at text COLLATE "C" GENERATED ALWAYS AS (header->>'createdAt') STORED,
  draft_id text GENERATED ALWAYS AS (header->>'draftId') STORED UNIQUE
);
CREATE INDEX requests_created ON requests (created_at DESC, seq);
CREATE INDEX requests_requested_by ON requests (requested_by, created_at DESC);
CREATE INDEX requests_customer ON requests (customer_id, created_at DESC);
CREATE INDEX requests_status ON requests (status, created_at DESC);

CREATE TABLE request_results (
  request_id text NOT NULL REFERENCES requests (id),
  result_key text NOT NULL,
  seq bigserial NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (request_id, result_key)
);

CREATE TABLE approvals (
  request_id text PRIMARY KEY,
  seq bigserial NOT NULL,
  doc jsonb NOT NULL,
  status text GENERATED ALWAYS AS (doc->>'status') STORED,
  created_at text COLLATE "C" GENERATED ALWAYS AS (doc->>'createdAt') STORED
);
CREATE INDEX approvals_status ON approvals (status, created_at DESC);

CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at_time timestamptz,
  request_id text,
  doc jsonb NOT NULL
);
CREATE INDEX audit_request ON audit (request_id, id);
CREATE INDEX audit_at_time ON audit (at_time);

CREATE TABLE archived_requests (
  id text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  request jsonb NOT NULL,
  approval jsonb
);
CREATE TABLE archived_drafts (
  id text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  doc jsonb NOT NULL
);
CREATE TABLE archived_audit (
  id bigint NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  doc jsonb NOT NULL
);
`,
};
