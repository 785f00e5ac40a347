/** What a LowdbStore is built with; only `dataDir` has no default. */
import type { DurableFs } from '../persistence/durable-file.js';
import type { StoreLogger } from './store-health.js';

export interface LowdbStoreOptions {
  dataDir: string;
  now?: () => Date;
  /** How long an untouched draft lives; every update extends it (default 120). */
  draftTtlMinutes?: number;
  /**
   * How long a draft lives while no customer is chosen, i.e. a modal that never went past its
   * first step (default 60, and never longer than `draftTtlMinutes`).
   */
  firstStepDraftTtlMinutes?: number;
  /** Finished requests and audit rows older than this many days go to the archive (default 90). */
  retentionDays?: number;
  /** Delay between a coalesced change and the write that carries it (default 250). */
  writeDelayMs?: number;
  /** Pause between write attempts while the disk refuses them, growing from `initial` to `max` (default 250 ms, 5 s). */
  retryDelayMs?: { initial: number; max: number };
  /** How long close() keeps retrying a failed write (default 5 s). */
  closeRetryMs?: number;
  /** Finished requests whose items and results stay in memory once read (default 8). */
  finishedRequestCacheSize?: number;
  /** Default: the process-wide fallback logger (warnings and errors). */
  logger?: StoreLogger;
  /** File operations of every write; tests inject a full or read-only disk here. */
  fs?: DurableFs;
}
