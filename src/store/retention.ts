/**
 * Retention: which finished requests, expired drafts and audit rows are old enough to leave the
 * store, and their archive lines. Requests are archived whole (header, items, results, their
 * approval and the state before their run), one at a time so that memory does not hold many large requests at once.
 */
import type { ChangeRequest, PriorState, RequestHeader, RequestStatus } from '../licensing/model.js';
import { type Archive, monthOf } from './archive.js';
import { jsonLine } from './request-files.js';
import type { Approval, AuditEntry, Draft } from './store-schema.js';

const DAY_MS = 86_400_000;

/** Statuses a request never leaves: only these are archived. */
export const FINISHED_STATUSES: ReadonlySet<RequestStatus> = new Set(['completed', 'rejected', 'expired']);

export function isFinished(status: RequestStatus): boolean {
  return FINISHED_STATUSES.has(status);
}

export interface RetentionInput {
  now: Date;
  retentionDays: number;
  requests: Iterable<RequestHeader>;
  drafts: Iterable<Draft>;
  audit: readonly AuditEntry[];
  approvalOf(requestId: string): Approval | undefined;
  /** The whole request of a header (its files read when they are not in memory). */
  load(header: RequestHeader): Promise<ChangeRequest>;
  /** The state its run recorded before changing its users (none when it ran nothing). */
  priorStateOf(requestId: string): Promise<PriorState[]>;
  /** False for a request that is still writing its results. */
  canArchive(requestId: string): boolean;
}

/** The very objects that were archived, so the store removes exactly those. */
export interface Archived {
  requests: RequestHeader[];
  drafts: Draft[];
  audit: AuditEntry[];
}

/** Writes the archive lines of everything old enough and returns what they hold; throws if a write fails. */
export async function archiveExpired(input: RetentionInput, archive: Archive): Promise<Archived> {
  const { now } = input;
  const cutoff = now.getTime() - input.retentionDays * DAY_MS;
  const before = (iso: string | undefined, limit: number) => iso !== undefined && Date.parse(iso) < limit;

  const requests = [...input.requests].filter(
    (header) =>
      isFinished(header.status) &&
      before(header.finishedAt ?? header.createdAt, cutoff) &&
      input.canArchive(header.id),
  );
  for (const header of requests) {
    const request = await input.load(header);
    const approval = input.approvalOf(header.id);
    const priorState = await input.priorStateOf(header.id);
    const line = jsonLine({
      request,
      ...(approval === undefined ? {} : { approval }),
      ...(priorState.length === 0 ? {} : { priorState }),
    });
    await archive.append('requests', monthOf(header.finishedAt ?? header.createdAt, now), [line]);
  }

  const drafts = [...input.drafts].filter((draft) => Date.parse(draft.expiresAt) <= now.getTime());
  for (const [month, group] of byMonth(drafts, (draft) => draft.expiresAt, now)) {
    await archive.append('drafts', month, group.map(jsonLine));
  }

  const audit = input.audit.filter((entry) => before(entry.at, cutoff));
  for (const [month, group] of byMonth(audit, (entry) => entry.at, now)) {
    await archive.append('audit', month, group.map(jsonLine));
  }
  return { requests, drafts, audit };
}

function byMonth<T>(values: readonly T[], timeOf: (value: T) => string, now: Date): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const month = monthOf(timeOf(value), now);
    const group = groups.get(month);
    if (group) group.push(value);
    else groups.set(month, [value]);
  }
  return groups;
}
