/**
 * Partner Center's REST headers rule: `MS-RequestId` is the idempotency key of one logical call,
 * new per call and the same on a retry after a time-out (Partner Center then answers the first
 * attempt's result instead of applying the change twice); `MS-CorrelationId` ties the calls of one
 * operation together.
 *
 * The executor retries a write by calling applyUserChange again with the same change, so the
 * provider remembers the ids of a write whose outcome it does not know (time-out, lost connection,
 * 502/504) and hands them out again for the same customer, user and body. An answered write, or one
 * left unretried for longer than `ttlMs`, is forgotten.
 */
import { randomUUID } from 'node:crypto';

export interface RequestIds {
  requestId: string;
  correlationId: string;
}

/** The headers of one call with these ids. */
export function partnerCenterHeaders(ids: RequestIds): Record<string, string> {
  return {
    'MS-RequestId': ids.requestId,
    'MS-CorrelationId': ids.correlationId,
    'MS-Contract-Version': 'v1',
    'X-Locale': 'en-US',
  };
}

/** Ids of a new logical call, in a new operation unless one is given. */
export function newRequestIds(correlationId: string = randomUUID()): RequestIds {
  return { requestId: randomUUID(), correlationId };
}

export class WriteRequestIds {
  private readonly unsettled = new Map<string, RequestIds & { since: number }>();

  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ids for a write: those of an unsettled identical write, else new ones. */
  idsFor(key: string): RequestIds {
    this.forgetOld();
    const pending = this.unsettled.get(key);
    return pending ? { requestId: pending.requestId, correlationId: pending.correlationId } : newRequestIds();
  }

  /** The write's outcome is unknown: a retry must carry the same ids. */
  unknown(key: string, ids: RequestIds): void {
    this.unsettled.set(key, { ...ids, since: this.unsettled.get(key)?.since ?? this.now() });
  }

  /** Partner Center answered: the next identical write is a new call. */
  settled(key: string): void {
    this.unsettled.delete(key);
  }

  private forgetOld(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [key, ids] of this.unsettled) if (ids.since < oldest) this.unsettled.delete(key);
  }
}
