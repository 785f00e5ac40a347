/**
 * How far one replica has applied the shared demo tenant's change log, per customer, and the
 * catch-up that brings it to what is committed.
 *
 * Positions are kept per customer because a customer's events commit in seq order (its writes
 * hold its advisory lock from before their seq is drawn until they commit), while two customers'
 * events may commit out of seq order: a single global position could skip an event committed
 * late. Applying is idempotent by seq, so the catch-up before a read, the catch-up inside a
 * write's transaction and a write applying its own committed event may overlap freely.
 */
import type { PoolClient, Queryable } from '../../../db/pool.js';
import type { DemoChangeEvent } from '../demo-change-log.js';
import { customerEventsAfter, type EventRow, eventsAfter } from './demo-tables.js';

/** One query at a time per key; callers arriving while one runs share the next, which starts after their call. */
class Refresh {
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(private readonly run: () => Promise<void>) {}

  request(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    this.#next ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#next = undefined;
        return this.#start();
      });
    return this.#next;
  }

  #start(): Promise<void> {
    const running = this.run().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }
}

const ALL = Symbol('all customers');

export class ReplicaLog {
  readonly #db: Queryable;
  readonly #positions: Map<string, number>;
  readonly #apply: (event: DemoChangeEvent) => void;
  readonly #refreshes = new Map<string | typeof ALL, Refresh>();

  /** `positions`: per customer, the last seq already applied (every customer of the tenant). */
  constructor(
    db: Queryable,
    positions: ReadonlyMap<string, number>,
    apply: (event: DemoChangeEvent) => void,
  ) {
    this.#db = db;
    this.#positions = new Map(positions);
    this.#apply = apply;
  }

  knows(customerId: string): boolean {
    return this.#positions.has(customerId);
  }

  position(customerId: string): number {
    return this.#positions.get(customerId) ?? 0;
  }

  /** Applies every event of the customer committed before this call. */
  catchUp(customerId: string): Promise<void> {
    if (!this.knows(customerId)) return Promise.resolve();
    return this.#refresh(customerId, async () => {
      this.applied(await customerEventsAfter(this.#db, customerId, this.position(customerId)));
    });
  }

  /** Applies every event committed before this call, of every customer. */
  catchUpAll(): Promise<void> {
    return this.#refresh(ALL, async () => {
      this.applied(await eventsAfter(this.#db, this.#positions));
    });
  }

  /** Catches the customer up inside a write's transaction, after its lock: nothing can commit for it meanwhile. */
  async catchUpWith(client: PoolClient, customerId: string): Promise<void> {
    this.applied(await customerEventsAfter(client, customerId, this.position(customerId)));
  }

  /** Applies committed events, in seq order, skipping those already applied. */
  applied(rows: readonly EventRow[]): void {
    for (const { seq, event } of rows) {
      if (seq <= this.position(event.customerId)) continue;
      this.#apply(event);
      this.#positions.set(event.customerId, seq);
    }
  }

  #refresh(key: string | typeof ALL, run: () => Promise<void>): Promise<void> {
    let refresh = this.#refreshes.get(key);
    if (refresh === undefined) {
      refresh = new Refresh(run);
      this.#refreshes.set(key, refresh);
    }
    return refresh.request();
  }
}
