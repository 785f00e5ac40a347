/**
 * Keeps the demo tenant in `<dataDir>/demo-tenant.json` with lowdb: seeded from the generator
 * on first start, parsed with zod on every start, written atomically (lowdb's JSONFile writes
 * through steno: temp file + rename) and coalesced, so a run of many changes is a few writes.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { DemoTenantData } from './demo-tenant.js';
import { generateDemoTenant } from './generator.js';

export const DEMO_TENANT_FILE = 'demo-tenant.json';

export interface OpenDemoTenantOptions {
  /** Seed of the generator, used only when the file does not exist yet. */
  seed?: number;
  /** What a new file starts with (default: generateDemoTenant with `seed`); tests pass a small tenant. */
  initial?: () => DemoTenantData;
  /** persist() calls within this window become one write (default 250 ms). */
  coalesceMs?: number;
  /** Told about a failed background write (default: logged to stderr). flush() rethrows it too. */
  onWriteError?: (error: unknown) => void;
}

export interface DemoTenantFile {
  /** The tenant; give it to DemoProvider, which mutates it in place. */
  data: DemoTenantData;
  /** Schedules a coalesced write of `data`. */
  persist: () => void;
  /** Writes what is pending now and waits for every write to finish; call it before exiting. */
  flush: () => Promise<void>;
  /** Writes made so far (for tests and benchmarks). */
  readonly writes: number;
}

/**
 * Opens (or creates) the demo tenant file. A file that is not valid JSON or does not match the
 * schema stops start-up with an Error naming the file, and is never overwritten.
 */
export async function openDemoTenant(
  dataDir: string,
  options: OpenDemoTenantOptions = {},
): Promise<DemoTenantFile> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, DEMO_TENANT_FILE);
  // The preset (JSONFilePreset) keeps data in memory under NODE_ENV=test, so build Low ourselves.
  const db = new Low<unknown>(new JSONFile<unknown>(file), null);
  const exists = await access(file).then(
    () => true,
    () => false,
  );

  let data: DemoTenantData;
  if (exists) {
    try {
      await db.read();
    } catch (error) {
      throw new Error(
        `The demo tenant file ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix it, or move it away to start from a fresh demo tenant.`,
        { cause: error },
      );
    }
    const parsed = DemoTenantData.safeParse(db.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
      throw new Error(
        `The demo tenant file ${file} does not match the demo tenant schema${where}. Fix it, or move it away to start from a fresh demo tenant.`,
      );
    }
    data = parsed.data;
  } else {
    data =
      options.initial?.() ?? generateDemoTenant(options.seed === undefined ? {} : { seed: options.seed });
  }
  const low = new Low<DemoTenantData>(new JSONFile<DemoTenantData>(file), data);

  const coalesceMs = options.coalesceMs ?? 250;
  const onWriteError =
    options.onWriteError ??
    ((error: unknown) => console.error(`Could not write the demo tenant to ${file}:`, error));
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let writes = 0;

  const write = (): Promise<void> => {
    writes += 1;
    const done = low.write().then(
      () => undefined,
      (error: unknown) => {
        failure = error;
        onWriteError(error);
      },
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
    return done;
  };

  if (!exists) {
    writes += 1;
    await low.write();
  }

  return {
    data,
    persist: () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void write();
      }, coalesceMs);
      timer.unref();
    },
    flush: async () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
        void write();
      }
      await Promise.all(inFlight);
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
    get writes() {
      return writes;
    },
  };
}
