/**
 * `DATA_DIR/audit.jsonl`: the audit log, one row per line. Appended to (it only grows between
 * retention rounds), so the main file that every draft write rewrites does not carry it;
 * rewritten whole only when retention moves old rows to the archive.
 */
import path from 'node:path';
import { readJsonLines } from '../persistence/append-log.js';
import { type DurableFs, writeFileDurably } from '../persistence/durable-file.js';
import { describeError } from './describe-error.js';
import { jsonLine } from './request-files.js';
import { StoreError } from './store.js';
import { AuditEntry } from './store-schema.js';

export const AUDIT_FILE_NAME = 'audit.jsonl';

export function auditFileOf(dataDir: string): string {
  return path.join(dataDir, AUDIT_FILE_NAME);
}

/** The rows of the audit file (none when there is none); StoreError when a row does not parse. */
export async function readAuditFile(file: string): Promise<AuditEntry[]> {
  try {
    return (await readJsonLines(file)).map((line) => AuditEntry.parse(line));
  } catch (error) {
    throw new StoreError(`The audit file ${file} cannot be read (${describeError(error)}).`, {
      code: 'store_corrupt',
      cause: error,
    });
  }
}

/** Replaces the audit file with `rows`, atomically and durably. */
export function writeAuditFile(file: string, rows: readonly AuditEntry[], fs: DurableFs): Promise<void> {
  return writeFileDurably(file, rows.map(jsonLine).join(''), { fs });
}
