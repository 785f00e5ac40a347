/**
 * The audit rows: all in memory (they are small and listed newest first), appended to the audit
 * file (audit-file.ts) by the logs writer. When retention moves old rows to the archive, the next
 * logs write rewrites the file whole instead.
 */

import { AppendLog } from '../persistence/append-log.js';
import type { DurableFs } from '../persistence/durable-file.js';
import { auditFileOf, readAuditFile, writeAuditFile } from './audit-file.js';
import { BufferedLogs } from './buffered-logs.js';
import type { StoreLogger } from './store-health.js';
import { AuditEntry } from './store-schema.js';
import type { StoreWriters } from './store-writers.js';
import { checkedValue } from './value-check.js';

/** The audit log's key among the buffered logs. */
const AUDIT = 'audit';

export interface AuditTrailOptions {
  dataDir: string;
  fs: DurableFs;
  writers: StoreWriters;
  logger: StoreLogger;
  now: () => Date;
}

export class AuditTrail {
  readonly file: string;
  readonly #options: AuditTrailOptions;
  readonly #log: BufferedLogs;
  #rows: AuditEntry[] = [];
  /** Set when retention removed rows: the next logs write rewrites the audit file. */
  #rewrite = false;

  constructor(options: AuditTrailOptions) {
    this.#options = options;
    this.file = auditFileOf(options.dataDir);
    this.#log = new BufferedLogs(() => AppendLog.open(this.file, { fs: options.fs }));
  }

  /** The rows as they are in memory (not copies), for retention. */
  get rows(): readonly AuditEntry[] {
    return this.#rows;
  }

  /** At open: the rows a migration just wrote, or else those of the audit file. */
  async load(migrated: AuditEntry[] | undefined): Promise<void> {
    this.#rows = migrated ?? (await readAuditFile(this.file));
  }

  /** Coalesced: in memory now, in the audit file at the next logs write. */
  append(entry: Omit<AuditEntry, 'at'> & { at?: string }): void {
    const { now, logger, writers } = this.#options;
    const row = checkedValue(
      AuditEntry,
      { ...entry, at: entry.at ?? now().toISOString() },
      'appendAudit',
      logger,
    );
    this.#rows.push(row);
    this.#log.append(AUDIT, [row]);
    writers.logsChanged();
  }

  /** Newest first. */
  list(filter: { requestId?: string; limit: number }): AuditEntry[] {
    const rows = this.#rows;
    const found: AuditEntry[] = [];
    for (let i = rows.length - 1; i >= 0 && found.length < filter.limit; i--) {
      const entry = rows[i];
      if (entry && (filter.requestId === undefined || entry.requestId === filter.requestId)) {
        found.push(structuredClone(entry));
      }
    }
    return found;
  }

  /** Forgets the archived rows (in memory; the file is rewritten at the next logs write); returns how many. */
  forgetArchived(archived: readonly AuditEntry[]): number {
    const old = new Set(archived);
    const forgotten = this.#rows.filter((entry) => old.has(entry)).length;
    this.#rows = this.#rows.filter((entry) => !old.has(entry));
    if (forgotten > 0) {
      this.#rewrite = true;
      this.#options.writers.logsChanged();
    }
    return forgotten;
  }

  /** The logs writer's first step: the file rewritten whole when retention asked for it. */
  async rewriteIfAsked(): Promise<void> {
    if (!this.#rewrite) return;
    // The rewrite holds every row in memory, so what the old log still had to write is in it.
    const rows = [...this.#rows];
    await this.#log.detach(AUDIT);
    await writeAuditFile(this.file, rows, this.#options.fs);
    this.#rewrite = false;
  }

  /** The logs writer's share: every buffered row to disk. */
  sync(): Promise<void> {
    return this.#log.syncAll();
  }

  closeLog(): Promise<void> {
    return this.#log.closeAll();
  }
}
