/**
 * Keeps the demo tenant in `<dataDir>`: a snapshot `demo-tenant.json` and a write-ahead change
 * log `demo-tenant.log.jsonl` beside it. Every change the provider makes is appended to the log
 * and synced before the provider reports it (concurrent changes share one fsync); at start-up
 * the log is replayed onto the snapshot. Compaction folds the log into the snapshot and moves it
 * to `archive/`, so the archive keeps every change the tenant ever took.
 *
 * The parts: demo-snapshot.ts reads (and first creates) the files, durable-demo-tenant.ts keeps
 * them written while the bot runs, with change-log-writer.ts for the log.
 */
import { defaultLogger } from '../../logger.js';
import type { WriterHealth } from '../../persistence/coalescing-writer.js';
import { type DurableFs, nodeFs } from '../../persistence/durable-file.js';
import type { DemoJournal } from './change-recorder.js';
import { loadDemoTenant } from './demo-snapshot.js';
import type { DemoTenantData } from './demo-tenant.js';
import { DurableDemoTenant } from './durable-demo-tenant.js';
import { generateDemoTenant } from './generator.js';

export { DEMO_ARCHIVE_DIR, DEMO_CHANGE_LOG_FILE } from './demo-change-log.js';
export { DEMO_TENANT_FILE, readDemoTenant } from './demo-snapshot.js';

export interface DemoLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OpenDemoTenantOptions {
  /** Seed of the generator, used only when the file does not exist yet. */
  seed?: number;
  /** What a new file starts with (default: generateDemoTenant with `seed`); tests pass a small tenant. */
  initial?: () => DemoTenantData;
  /** Log records after which the log is folded into the snapshot (default 10,000). */
  compactAfterRecords?: number;
  /** persist() calls within this window become one snapshot write (default 250 ms). */
  coalesceMs?: number;
  /** Pauses between attempts while the snapshot cannot be written (default 250 ms growing to 5 s). */
  retryDelayMs?: { initial: number; max: number };
  /** File operations of every write (tests inject a full or read-only disk). */
  fs?: DurableFs;
  /** One line when the log or the snapshot turns unwritable, one when it recovers (default console). */
  logger?: DemoLogger;
  now?: () => Date;
}

export interface DemoTenantCloseReport {
  /** One line per thing not tidied up (already logged); empty when the snapshot holds everything. */
  problems: string[];
}

export interface DemoTenantFile {
  /** The tenant; give it to DemoProvider with `journal`, which mutates it in place. */
  data: DemoTenantData;
  /** Makes each change durable in the change log before the provider reports it. */
  journal: DemoJournal;
  /** Schedules a snapshot write (coalesced) that also folds the log in; for a provider without a journal. */
  persist: () => void;
  /** Writes the snapshot now, folding the log in, and waits for it; rejects while the disk refuses. */
  flush: () => Promise<void>;
  /**
   * Folds the log into the snapshot, retrying a failed write for `retryForMs` (default 5 s), then
   * closes the log; later changes are refused. Never rejects: what stays in the log is replayed
   * at the next start and is reported here.
   */
  close: (options?: { retryForMs?: number }) => Promise<DemoTenantCloseReport>;
  /** Snapshot writes attempted so far (for tests and benchmarks). */
  readonly writes: number;
  /** Records in the current change log. */
  readonly logRecords: number;
  /** Whether the change log and the snapshot can be written now. */
  health(): { log: WriterHealth; snapshot: WriterHealth };
}

/**
 * Opens (or creates) the demo tenant: reads the snapshot, replays the change log onto it and, when
 * the log held anything, compacts. A snapshot or log that is not valid JSON or does not match its
 * schema stops start-up with an Error naming the file, and is never overwritten.
 */
export async function openDemoTenant(
  dataDir: string,
  options: OpenDemoTenantOptions = {},
): Promise<DemoTenantFile> {
  const fs = options.fs ?? nodeFs;
  const create = () =>
    options.initial?.() ?? generateDemoTenant(options.seed === undefined ? {} : { seed: options.seed });
  const loaded = await loadDemoTenant(dataDir, create, fs);
  const tenant = new DurableDemoTenant(loaded.data, {
    dataDir,
    fs,
    logger: options.logger ?? defaultLogger(),
    now: options.now ?? (() => new Date()),
    compactAfterRecords: options.compactAfterRecords ?? 10_000,
    coalesceMs: options.coalesceMs ?? 250,
    retryDelayMs: options.retryDelayMs,
    seedWrites: loaded.created ? 1 : 0,
  });
  await tenant.start(loaded.replayed);
  return tenant;
}
