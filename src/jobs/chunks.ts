/**
 * How a run is cut into `run-chunk` jobs: consecutive items holding about `chunkSeconds` of the
 * tenant's writes each, so a replica killed mid-chunk loses at most that much work (the chunk is
 * retried elsewhere and the executor's holdings check keeps it from applying anything twice).
 * The cut depends only on the request's items and the settings, never on what has run, so a
 * run-start that is retried cuts the same chunks and the queue's singleton keys drop the copies.
 */
import { hasPendingWork } from '../licensing/execution/parts.js';
import type { ChangeItem, ChangeRequest } from '../licensing/model.js';
import type { RunChunkJob } from './run-queue.js';

export interface ChunkSettings {
  /** The tenant's pace (TENANT_WRITES_PER_SECOND). */
  writesPerSecond: number;
  /** Seconds of writes per chunk (default 3). */
  chunkSeconds?: number;
}

export const DEFAULT_CHUNK_SECONDS = 3;

/** Writes an item makes at most (one per part; an item with none still costs a read). */
const writesOf = (item: ChangeItem): number =>
  Math.max(1, item.change.assign.length + item.change.revoke.length);

/** The chunks of `request` that still have an item without a result, in item order. */
export function chunksOf(
  request: Pick<ChangeRequest, 'id' | 'items' | 'results'>,
  settings: ChunkSettings,
): RunChunkJob[] {
  const budget = Math.max(
    1,
    Math.floor(settings.writesPerSecond * (settings.chunkSeconds ?? DEFAULT_CHUNK_SECONDS)),
  );
  const chunks: RunChunkJob[] = [];
  let from = 0;
  let writes = 0;
  request.items.forEach((item, position) => {
    if (writes > 0 && writes + writesOf(item) > budget) {
      chunks.push({ requestId: request.id, from, to: position });
      from = position;
      writes = 0;
    }
    writes += writesOf(item);
  });
  if (request.items.length > from) chunks.push({ requestId: request.id, from, to: request.items.length });
  return chunks.filter((chunk) =>
    request.items.slice(chunk.from, chunk.to).some((item) => hasPendingWork(item, request.results)),
  );
}

/** The positions [from, to) of a chunk. */
export const positionsOf = (chunk: Pick<RunChunkJob, 'from' | 'to'>): number[] =>
  Array.from({ length: Math.max(0, chunk.to - chunk.from) }, (_, index) => chunk.from + index);

/** True when every part of the request has a result: the run can be finished. */
export const allDone = (request: Pick<ChangeRequest, 'items' | 'results'>): boolean =>
  request.items.every((item) => !hasPendingWork(item, request.results));
