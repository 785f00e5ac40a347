/**
 * vitest globalSetup: runs once per `vitest run`, before any test file. Without the schemas it
 * prints the one skip line, or fails the run when REQUIRE_SLACK_SCHEMAS=1.
 */
import { findSlackSchemas, missingSchemasMessage, schemasRequired, skippedSchemasLine } from './schemas.js';

export default function setup(): void {
  const lookup = findSlackSchemas();
  if (lookup.found) return;
  if (schemasRequired()) throw new Error(missingSchemasMessage(lookup));
  console.log(skippedSchemasLine(lookup));
}
