/**
 * `DATA_DIR/licensedesk.json`, the file every main-file write replaces (through lowdb with an
 * adapter that replaces it atomically and syncs it): read at open, migrating a layout-1 file, and
 * written with the state the store hands it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { type DurableFs, writeFileDurably } from '../persistence/durable-file.js';
import { describeError, describeIssue } from './describe-error.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { RequestFiles } from './request-files.js';
import type { StoreLogger } from './store-health.js';
import { migrateFromV1 } from './store-migration.js';
import {
  type AuditEntry,
  emptyStoreFile,
  StoreFile,
  type StoreFileV1,
  type StoreFileV2,
} from './store-schema.js';

export const STORE_FILE_NAME = 'licensedesk.json';
/**
 * Written and removed at open to learn whether the disk takes writes before anyone relies on it;
 * named per process and open, so that two stores opening one directory do not trip over it.
 */
const PROBE_FILE_NAME = '.licensedesk.probe';
let probes = 0;

/** What open() found: the main file's content, and the audit rows when a layout-1 file was migrated. */
export interface MainFileContent {
  data: StoreFileV2;
  /** No main file was there: the store is new. */
  created: boolean;
  audit?: AuditEntry[];
}

export interface MainFileOptions {
  dataDir: string;
  fs: DurableFs;
  logger: StoreLogger;
  /** Where a migration puts the requests' items and results, and the audit rows. */
  files: RequestFiles;
  auditFile: string;
}

export class MainFile {
  readonly path: string;
  readonly #options: MainFileOptions;
  readonly #db: Low<StoreFile>;

  constructor(options: MainFileOptions) {
    this.#options = options;
    this.path = path.join(options.dataDir, STORE_FILE_NAME);
    this.#db = new Low<StoreFile>(
      new DurableJsonFile(this.path, { parse: (raw) => StoreFile.parse(raw), fs: options.fs }),
      emptyStoreFile(),
    );
  }

  /**
   * The file's content, migrated to layout 2 when it is older. `refuse` makes the error thrown
   * when the file cannot be read, does not parse or cannot be migrated (why, and the cause).
   */
  async read(refuse: (why: string, cause: unknown) => Error): Promise<MainFileContent> {
    let read: StoreFile | null;
    // A directory that cannot be created now (a read-only or full disk) is no reason to refuse:
    // the writers create it when they first succeed, and health() says so until then.
    await mkdir(this.#options.dataDir, { recursive: true }).catch(() => {});
    try {
      const absent = emptyStoreFile();
      this.#db.data = absent;
      await this.#db.read();
      read = this.#db.data === absent ? null : this.#db.data;
    } catch (error) {
      throw refuse(describeReadError(error), error);
    }
    if (read === null) return { data: emptyStoreFile(), created: true };
    if (read.version === 2) return { data: read, created: false };
    try {
      return await this.#migrate(read);
    } catch (error) {
      throw refuse(`migration to layout 2 failed: ${describeError(error)}`, error);
    }
  }

  /** Replaces the file with `state`, creating the data directory when it is missing. */
  async write(state: StoreFileV2): Promise<void> {
    await makeDirectory(this.#options.dataDir);
    this.#db.data = state;
    await this.#db.write();
  }

  /** Whether the data directory takes a write now (a probe file written durably and removed). */
  async takesWrites(): Promise<boolean> {
    const { dataDir, fs } = this.#options;
    try {
      const probe = path.join(dataDir, `${PROBE_FILE_NAME}.${process.pid}.${probes++}`);
      await writeFileDurably(probe, 'probe\n', { fs });
      await fs.unlink(probe);
      return true;
    } catch {
      return false;
    }
  }

  async #migrate(v1: StoreFileV1): Promise<MainFileContent> {
    const { files, auditFile, fs, logger } = this.#options;
    const migrated = await migrateFromV1(v1, { files, auditFile, fs }, logger);
    await this.#db.adapter.write(migrated.file);
    logger.info(
      `[store] ${this.path} migrated to layout 2: the items and results of ${migrated.file.requests.length} request(s) are now in ${files.dir}, the audit log in ${auditFile}.`,
    );
    return { data: migrated.file, created: false, audit: migrated.audit };
  }
}

/** mkdir -p, naming the real cause: Node reports a missing directory on a read-only disk as ENOENT. */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir);
  }
}

function describeReadError(error: unknown): string {
  if (error instanceof z.ZodError) return describeIssue(error) ?? 'invalid content';
  if (error instanceof SyntaxError) return `not JSON: ${error.message}`;
  return describeError(error);
}
