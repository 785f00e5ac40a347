/** A Reporter that remembers every call, for executor and service tests. */
import type { ChangeItem, ChangeRequest, ItemResult, RunCounts } from '../../src/licensing/model.js';
import type { Reporter } from '../../src/licensing/reporter.js';

export type ReportedEvent =
  | { kind: 'started'; requestId: string; status: string; counts: RunCounts }
  | { kind: 'progress'; requestId: string; counts: RunCounts }
  | { kind: 'itemDone'; requestId: string; userId: string; results: ItemResult[] }
  | { kind: 'finished'; requestId: string; status: string; counts: RunCounts };

export class RecordingReporter implements Reporter {
  readonly events: ReportedEvent[] = [];
  /** When set, every call throws it (to prove a failing reporter never stops a run). */
  failWith: Error | null = null;

  async started(request: ChangeRequest, counts: RunCounts): Promise<void> {
    this.events.push({
      kind: 'started',
      requestId: request.id,
      status: request.status,
      counts: { ...counts },
    });
    this.#maybeFail();
  }

  async progress(request: ChangeRequest, counts: RunCounts): Promise<void> {
    this.events.push({ kind: 'progress', requestId: request.id, counts: { ...counts } });
    this.#maybeFail();
  }

  async itemDone(request: ChangeRequest, item: ChangeItem, results: readonly ItemResult[]): Promise<void> {
    this.events.push({ kind: 'itemDone', requestId: request.id, userId: item.userId, results: [...results] });
    this.#maybeFail();
  }

  async finished(request: ChangeRequest, counts: RunCounts): Promise<void> {
    this.events.push({
      kind: 'finished',
      requestId: request.id,
      status: request.status,
      counts: { ...counts },
    });
    this.#maybeFail();
  }

  of<K extends ReportedEvent['kind']>(kind: K): Extract<ReportedEvent, { kind: K }>[] {
    return this.events.filter((event): event is Extract<ReportedEvent, { kind: K }> => event.kind === kind);
  }

  #maybeFail(): void {
    if (this.failWith) throw this.failWith;
  }
}
