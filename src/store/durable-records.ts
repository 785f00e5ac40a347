/**
 * Records of one kind in the main file (request headers, approvals) by id, changed durably:
 * changes of one record run one after another, so none builds on a change that may still be
 * undone, and a change whose commit fails is taken back out of memory, unless a later change of
 * that record replaced it meanwhile.
 */
import { OneAtATime } from './one-at-a-time.js';
import type { StoreWriters } from './store-writers.js';

export interface StatusChange<T extends { status: string }, R> {
  /** The Store method, as refusals name it. */
  method: string;
  id: string;
  /** The change happens only when the record's status is one of these (compare-and-set). */
  from: readonly T['status'][];
  /** The changed record, checked, from the current one. */
  change: (current: T) => T;
  /** What the caller gets once the change is on disk, still in the record's turn. */
  done: (updated: T) => R | Promise<R>;
}

export class DurableRecords<T extends { status: string }> {
  readonly #records = new Map<string, T>();
  readonly #turns = new OneAtATime();
  readonly #writers: StoreWriters;

  constructor(writers: StoreWriters) {
    this.#writers = writers;
  }

  get(id: string): T | undefined {
    return this.#records.get(id);
  }

  has(id: string): boolean {
    return this.#records.has(id);
  }

  values(): IterableIterator<T> {
    return this.#records.values();
  }

  /** Replaces every record with those read at open. */
  load(records: readonly T[], idOf: (record: T) => string): void {
    this.#records.clear();
    for (const record of records) this.#records.set(idOf(record), record);
  }

  /** Forgets a record in memory only (archived: the next main-file write carries it). */
  delete(id: string): void {
    this.#records.delete(id);
  }

  /** Runs `task` once every durable change of record `id` under way has ended. */
  inTurn<R>(id: string, task: () => Promise<R>): Promise<R> {
    return this.#turns.run(id, task);
  }

  /**
   * Sets a record and commits it, within its turn; if the commit fails, what was there before
   * comes back and `undone` runs.
   */
  async put(method: string, id: string, record: T, undone: () => void = () => {}): Promise<void> {
    const previous = this.#records.get(id);
    this.#records.set(id, record);
    await this.#writers.commit(method, () => {
      if (this.#records.get(id) !== record) return;
      if (previous) this.#records.set(id, previous);
      else this.#records.delete(id);
      undone();
    });
  }

  /** Changes a record durably when its status is one of `from`; null when it is not (or unknown). */
  async compareAndSet<R>(spec: StatusChange<T, R>): Promise<R | null> {
    const { method, id } = spec;
    this.#writers.requireWritable(method);
    return this.inTurn(id, async () => {
      const current = this.#records.get(id);
      if (!current || !spec.from.includes(current.status)) return null;
      const updated = spec.change(current);
      this.#writers.requireWritable(method);
      this.#records.set(id, updated);
      await this.#writers.commit(method, () => {
        if (this.#records.get(id) === updated) this.#records.set(id, current);
      });
      return spec.done(updated);
    });
  }
}
