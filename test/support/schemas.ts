/**
 * Where the schemas from outside the project are: Slack's official manifest schema and the
 * third-party Block Kit schema. They are data the project does not ship, so the checks against
 * them run when they are found and are skipped (one line per run, see schemas-setup.ts) when not;
 * `REQUIRE_SLACK_SCHEMAS=1` (CI) turns their absence into a failure.
 *
 * `SLACK_SCHEMAS_DIR` names the folder, relative to the project root or absolute; default
 * `../shared/schemas` (where CI puts them beside the checkout).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_SCHEMAS_DIR = '../shared/schemas';

/** The files the checks read, relative to the schemas folder. */
const FILES = {
  manifest: 'manifest-schema/schemas/manifest.schema.1.0.0.json',
  validManifest: 'manifest-schema/tests/manifests/v1/manifest.valid.json',
  invalidManifest: 'manifest-schema/tests/manifests/v1/manifest.invalid.json',
  blockKit: 'tightknit-block-kit/slack-block-kit.schema.json',
} as const;

export type SchemaFiles = { readonly [K in keyof typeof FILES]: string };

export type SchemaLookup =
  | { found: true; dir: string; files: SchemaFiles }
  | { found: false; dir: string; missing: string[] };

type Env = Record<string, string | undefined>;

/** The schemas folder `env` names, as an absolute path. */
export function slackSchemasDir(env: Env = process.env): string {
  const configured = env.SLACK_SCHEMAS_DIR?.trim();
  return path.resolve(PROJECT_ROOT, configured || DEFAULT_SCHEMAS_DIR);
}

/** True when `REQUIRE_SLACK_SCHEMAS=1`: missing schemas fail the run instead of skipping checks. */
export function schemasRequired(env: Env = process.env): boolean {
  return env.REQUIRE_SLACK_SCHEMAS === '1';
}

/** Looks for every schema file; all of them or none count (a half-copied folder is reported). */
export function findSlackSchemas(env: Env = process.env): SchemaLookup {
  const dir = slackSchemasDir(env);
  const entries = Object.entries(FILES).map(([key, file]) => [key, path.join(dir, file)] as const);
  const missing = entries.filter(([, file]) => !existsSync(file)).map(([, file]) => file);
  if (missing.length > 0) return { found: false, dir, missing };
  return { found: true, dir, files: Object.fromEntries(entries) as SchemaFiles };
}

/** The one line a run prints when it skips the schema checks. */
export function skippedSchemasLine(lookup: SchemaLookup): string {
  return `Slack schemas not found in ${lookup.dir} (SLACK_SCHEMAS_DIR): skipped the checks against Slack's manifest schema and the Block Kit schema; REQUIRE_SLACK_SCHEMAS=1 makes this a failure.`;
}

/** Why a run that requires the schemas cannot go on. */
export function missingSchemasMessage(lookup: SchemaLookup): string {
  const missing = lookup.found ? [] : lookup.missing;
  return `REQUIRE_SLACK_SCHEMAS=1 but the Slack schemas are missing in ${lookup.dir} (set SLACK_SCHEMAS_DIR): ${missing.join(', ')}`;
}

/**
 * The schema files for this run, or undefined when they are absent and not required. Throws when
 * they are required and absent, so a test file run on its own fails as the whole suite does.
 */
export function slackSchemas(env: Env = process.env): SchemaFiles | undefined {
  const lookup = findSlackSchemas(env);
  if (lookup.found) return lookup.files;
  if (schemasRequired(env)) throw new Error(missingSchemasMessage(lookup));
  return undefined;
}
