/**
 * Layout 1 → 2: each request's items and results move out of the main file into its own files
 * under `requests/`, and the audit rows into the audit file (all written durably first); then the
 * caller replaces the main file. A crash in between leaves the layout-1 file in place and the
 * migration runs again at the next open.
 */
import type { RequestHeader } from '../licensing/model.js';
import type { DurableFs } from '../persistence/durable-file.js';
import { writeAuditFile } from './audit-file.js';
import { RequestFiles } from './request-files.js';
import { StoreError } from './store.js';
import type { StoreLogger } from './store-health.js';
import { type AuditEntry, STORE_SCHEMA_VERSION, type StoreFileV1, type StoreFileV2 } from './store-schema.js';

/** Who an audit row names when layout 1 stored it without an actor. */
export const UNKNOWN_ACTOR = 'unknown';

export async function migrateFromV1(
  v1: StoreFileV1,
  target: { files: RequestFiles; auditFile: string; fs: DurableFs },
  logger: StoreLogger,
): Promise<{ file: StoreFileV2; audit: AuditEntry[] }> {
  const { files } = target;
  const requests: RequestHeader[] = [];
  for (const request of Object.values(v1.requests)) {
    if (!RequestFiles.fits(request.id)) {
      throw new StoreError(`Cannot migrate request ${request.id}: its id cannot name a file.`, {
        code: 'store_corrupt',
      });
    }
    await files.write(request);
    const { items: _items, results: _results, ...header } = request;
    requests.push(header);
  }
  let unnamed = 0;
  const audit: AuditEntry[] = v1.audit.map((entry) => {
    if (entry.actor !== undefined && entry.actor !== '') return { ...entry, actor: entry.actor };
    unnamed++;
    return { ...entry, actor: UNKNOWN_ACTOR };
  });
  if (unnamed > 0) {
    logger.warn(
      `[store] ${unnamed} audit row(s) of the layout-1 file had no actor; they now name "${UNKNOWN_ACTOR}".`,
    );
  }
  await writeAuditFile(target.auditFile, audit, target.fs);
  return {
    file: {
      version: STORE_SCHEMA_VERSION,
      drafts: Object.values(v1.drafts),
      requests,
      approvals: Object.values(v1.approvals),
    },
    audit,
  };
}
