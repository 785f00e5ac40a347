/**
 * The demo tenant as it is on disk: the snapshot `demo-tenant.json` with the change log replayed
 * onto it, or a new tenant when there is no snapshot yet. A snapshot or log that is not valid
 * JSON or does not match its schema stops start-up with an Error naming the file, and is never
 * overwritten.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type DurableFs, readTextIfExists, writeFileDurably } from '../../persistence/durable-file.js';
import {
  DEMO_CHANGE_LOG_FILE,
  type DemoChangeRecord,
  readChangeRecords,
  replayChanges,
} from './demo-change-log.js';
import { DemoTenantData } from './demo-tenant.js';
import { messageOf, whereInvalid } from './file-errors.js';

export const DEMO_TENANT_FILE = 'demo-tenant.json';

/** The snapshot and the current change log of a data directory. */
export function demoTenantFiles(dataDir: string): { snapshot: string; log: string } {
  return { snapshot: path.join(dataDir, DEMO_TENANT_FILE), log: path.join(dataDir, DEMO_CHANGE_LOG_FILE) };
}

export interface LoadedDemoTenant {
  data: DemoTenantData;
  /** Whether the snapshot was created now, from `create`. */
  created: boolean;
  /** Whether the change log held records (now replayed onto `data`). */
  replayed: boolean;
}

/** Reads the tenant of `dataDir`, or creates its snapshot from `create()` when there is none. */
export async function loadDemoTenant(
  dataDir: string,
  create: () => DemoTenantData,
  fs: DurableFs,
): Promise<LoadedDemoTenant> {
  await mkdir(dataDir, { recursive: true });
  const files = demoTenantFiles(dataDir);
  const text = await readTextIfExists(files.snapshot);
  const records = await readChangeRecords(files.log);
  if (text !== null) {
    return { data: replayed(files, text, records), created: false, replayed: records.length > 0 };
  }
  if (records.length > 0) {
    throw new Error(
      `The demo tenant's change log ${files.log} holds ${records.length} change(s) but the tenant file ${files.snapshot} is missing. Restore the tenant file, or move the log away to start from a fresh demo tenant.`,
    );
  }
  const data = create();
  await writeFileDurably(files.snapshot, JSON.stringify(data), { fs }).catch((error: unknown) => {
    throw new Error(`Cannot create the demo tenant file ${files.snapshot}: ${messageOf(error)}`, {
      cause: error,
    });
  });
  return { data, created: true, replayed: false };
}

/**
 * The tenant as the next start would see it (snapshot and log replayed), read without writing
 * anything: for tests that inspect what a stopped or killed bot left behind.
 */
export async function readDemoTenant(dataDir: string): Promise<DemoTenantData> {
  const files = demoTenantFiles(dataDir);
  const text = await readTextIfExists(files.snapshot);
  if (text === null) throw new Error(`There is no demo tenant file ${files.snapshot}.`);
  return replayed(files, text, await readChangeRecords(files.log));
}

function replayed(
  files: { snapshot: string; log: string },
  text: string,
  records: readonly DemoChangeRecord[],
): DemoTenantData {
  const data = parseSnapshot(files.snapshot, text);
  try {
    replayChanges(data, records);
  } catch (error) {
    throw new Error(
      `The demo tenant's change log ${files.log} does not fit the tenant file ${files.snapshot}: ${messageOf(error)}. Move the log away to start from the tenant file alone.`,
      { cause: error },
    );
  }
  return data;
}

function parseSnapshot(file: string, text: string): DemoTenantData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The demo tenant file ${file} is not valid JSON (${messageOf(error)}). Fix it, or move it away to start from a fresh demo tenant.`,
      { cause: error },
    );
  }
  const parsed = DemoTenantData.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `The demo tenant file ${file} does not match the demo tenant schema${whereInvalid(parsed.error)}. Fix it, or move it away to start from a fresh demo tenant.`,
    );
  }
  return parsed.data;
}
