/** Which request headers a `RequestFilter` selects, most recent first. */
import type { RequestHeader } from '../licensing/model.js';
import type { RequestFilter } from './store.js';

export function matchingHeaders(headers: Iterable<RequestHeader>, filter: RequestFilter): RequestHeader[] {
  return [...headers]
    .filter((header) => filter.requestedBy === undefined || header.requestedBy === filter.requestedBy)
    .filter((header) => filter.customerId === undefined || header.customerId === filter.customerId)
    .filter((header) => filter.createdSince === undefined || header.createdAt >= filter.createdSince)
    .filter((header) => filter.status === undefined || filter.status.includes(header.status))
    .sort(newestFirst)
    .slice(0, filter.limit);
}

/** Sorts by `createdAt` (ISO times), most recent first. */
export function newestFirst(a: { createdAt: string }, b: { createdAt: string }): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}
