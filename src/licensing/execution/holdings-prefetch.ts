/**
 * Reads the holdings of a run's users in batches, one batch ahead of the workers: asking for the
 * user at position p reads p's batch (once) and starts the next one, so a worker seldom waits
 * for a read and the backend sees one read call per batch instead of one per user.
 */
import type { LicenseProviderError } from '../../providers/license-provider.js';
import type { UserLicense } from '../model.js';

export type Holdings =
  | { ok: true; holdings: Map<string, UserLicense[]> }
  | { ok: false; error: LicenseProviderError };

export type ReadHoldings = (userIds: string[]) => Promise<Holdings>;

export class HoldingsPrefetch {
  readonly #batches = new Map<number, Promise<Holdings>>();

  constructor(
    private readonly userIds: readonly string[],
    private readonly batchSize: number,
    private readonly read: ReadHoldings,
  ) {}

  /** The holdings of the batch holding position `position` of `userIds`. */
  at(position: number): Promise<Holdings> {
    const index = Math.floor(position / this.batchSize);
    void this.#batch(index + 1);
    return this.#batch(index);
  }

  #batch(index: number): Promise<Holdings> {
    let batch = this.#batches.get(index);
    if (!batch) {
      const ids = this.userIds.slice(index * this.batchSize, (index + 1) * this.batchSize);
      batch = ids.length > 0 ? this.read(ids) : Promise.resolve({ ok: true, holdings: new Map() });
      // A prefetched batch nobody awaits (the run crashed) must not become an unhandled rejection.
      batch.catch(() => {});
      this.#batches.set(index, batch);
    }
    return batch;
  }
}
