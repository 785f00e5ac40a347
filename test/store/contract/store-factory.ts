/** What the contract suite needs from a store implementation under test. */
import type { Store } from '../../../src/store/store.js';

export interface ContractOptions {
  now?: () => Date;
  retentionDays?: number;
  draftTtlMinutes?: number;
}

export interface StoreFactory {
  /** An open store on empty data (fresh per test), closed after the test. */
  open(options?: ContractOptions): Promise<Store>;
  /**
   * Two stores on the same data, as two replicas hold it: two PostgresStores with their own
   * pools on one schema; for lowdb, which one process holds, the same store twice.
   */
  replicas(options?: ContractOptions): Promise<[Store, Store]>;
}

/** A settable clock for tests that move time. */
export function clock(start: string): { now: () => Date; set(iso: string): void } {
  let now = new Date(start);
  return {
    now: () => now,
    set(iso: string) {
      now = new Date(iso);
    },
  };
}
