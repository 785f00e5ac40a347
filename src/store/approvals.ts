/** Approvals of requests, in the main file, by request id; saved and decided durably. */
import { DurableRecords } from './durable-records.js';
import { newestFirst } from './request-filter.js';
import type { StoreLogger } from './store-health.js';
import { Approval } from './store-schema.js';
import type { StoreWriters } from './store-writers.js';
import { checkedValue } from './value-check.js';

export type ApprovalPatch = Pick<Approval, 'status'> & Partial<Omit<Approval, 'requestId' | 'status'>>;

export class Approvals {
  readonly #approvals: DurableRecords<Approval>;
  readonly #writers: StoreWriters;
  readonly #logger: StoreLogger;

  constructor(writers: StoreWriters, logger: StoreLogger) {
    this.#approvals = new DurableRecords(writers);
    this.#writers = writers;
    this.#logger = logger;
  }

  values(): IterableIterator<Approval> {
    return this.#approvals.values();
  }

  /** The approval as it is in memory (not a copy), for retention. */
  peek(requestId: string): Approval | undefined {
    return this.#approvals.get(requestId);
  }

  load(approvals: readonly Approval[]): void {
    this.#approvals.load(approvals, (approval) => approval.requestId);
  }

  /** In memory only, for an archived request. */
  forget(requestId: string): void {
    this.#approvals.delete(requestId);
  }

  async save(approval: Approval): Promise<void> {
    const saved = checkedValue(Approval, approval, 'saveApproval', this.#logger);
    const id = saved.requestId;
    this.#writers.requireWritable('saveApproval');
    await this.#approvals.inTurn(id, async () => {
      this.#writers.requireWritable('saveApproval');
      await this.#approvals.put('saveApproval', id, saved);
    });
  }

  get(requestId: string): Approval | null {
    const approval = this.#approvals.get(requestId);
    return approval ? structuredClone(approval) : null;
  }

  list(filter: { status?: Approval['status'][]; limit: number }): Approval[] {
    return [...this.#approvals.values()]
      .filter((approval) => filter.status === undefined || filter.status.includes(approval.status))
      .sort(newestFirst)
      .slice(0, filter.limit)
      .map((approval) => structuredClone(approval));
  }

  decide(
    requestId: string,
    from: readonly Approval['status'][],
    patch: ApprovalPatch,
  ): Promise<Approval | null> {
    return this.#approvals.compareAndSet({
      method: 'decideApproval',
      id: requestId,
      from,
      change: (current) =>
        checkedValue(Approval, { ...current, ...patch, requestId }, 'decideApproval', this.#logger),
      done: (updated) => structuredClone(updated),
    });
  }
}
