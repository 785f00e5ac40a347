/**
 * One retention round of the store: the archive lines of everything old enough are written
 * (retention.ts), then what is still exactly as archived leaves memory, the main file and the
 * logs are committed, and the archived requests' files are removed.
 */
import type { Approvals } from './approvals.js';
import type { Archive } from './archive.js';
import type { AuditTrail } from './audit-trail.js';
import { describeError } from './describe-error.js';
import type { Drafts } from './drafts.js';
import type { PriorStates } from './prior-states.js';
import type { Requests } from './requests.js';
import { type Archived, archiveExpired } from './retention.js';
import { StoreError } from './store.js';
import type { StoreLogger } from './store-health.js';
import type { StoreWriters } from './store-writers.js';

export interface StoreParts {
  now: () => Date;
  retentionDays: number;
  logger: StoreLogger;
  writers: StoreWriters;
  drafts: Drafts;
  requests: Requests;
  priorStates: PriorStates;
  approvals: Approvals;
  audit: AuditTrail;
  archive: Archive;
}

/** How many of each left the store for the archive. */
export interface ArchivedCounts {
  requests: number;
  drafts: number;
  audit: number;
}

export async function archiveRound(parts: StoreParts): Promise<ArchivedCounts> {
  const { writers, requests, approvals } = parts;
  writers.requireWritable('archiveOld');
  let archived: Archived;
  try {
    archived = await archiveExpired(
      {
        now: parts.now(),
        retentionDays: parts.retentionDays,
        requests: requests.headers(),
        drafts: parts.drafts.values(),
        audit: parts.audit.rows,
        approvalOf: (id) => approvals.peek(id),
        load: (header) => requests.forArchive(header),
        priorStateOf: (id) => parts.priorStates.read(id),
        canArchive: (id) => requests.canArchive(id),
      },
      parts.archive,
    );
  } catch (error) {
    if (error instanceof StoreError) throw error;
    await writers.writeMainNow();
    throw writers.unavailable('archiveOld', error);
  }
  // Only what is still exactly what was archived leaves; a record changed meanwhile waits for the next round.
  const gone = requests.forgetArchived(archived.requests);
  for (const id of gone) approvals.forget(id);
  parts.priorStates.forget(gone);
  const drafts = parts.drafts.forgetArchived(archived.drafts);
  const audit = parts.audit.forgetArchived(archived.audit);
  writers.mainChanged();
  // Kept out of memory when this fails: the archive holds them and the writers retry. The
  // requests' files go at the next open then.
  await writers.commitAll('archiveOld');
  try {
    await requests.removeFiles(gone);
  } catch (error) {
    parts.logger.warn(`[store] archived requests' files stay until the next start: ${describeError(error)}`);
  }
  return { requests: gone.length, drafts, audit };
}
