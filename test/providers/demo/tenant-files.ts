/** Shared by the demo tenant's tests: a small tenant, its users, a disk that can fail, and checked look-ups. */
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert } from 'vitest';
import type { Product, UserChange } from '../../../src/licensing/model.js';
import type { DurableFs } from '../../../src/persistence/durable-file.js';
import { DEMO_CHANGE_LOG_FILE, DEMO_TENANT_FILE } from '../../../src/providers/demo/demo-file.js';
import type { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import type { DemoCustomerData, DemoTenantData } from '../../../src/providers/demo/demo-tenant.js';
import { DEMO_SKUS, generateCustomer } from '../../../src/providers/demo/generator.js';

export const C = 'contoso';

/** Two customers with seats to spare: small enough to write in a few milliseconds. */
export const smallTenant = (): DemoTenantData => ({
  version: 1,
  customers: [
    generateCustomer({ seed: 1, users: 120, name: 'Contoso', id: C }),
    generateCustomer({ seed: 2, users: 30, name: 'Fabrikam', id: 'fabrikam' }),
  ],
});

export const giveFlow: UserChange = {
  assign: [{ skuId: DEMO_SKUS.FLOW_FREE, disabledPlans: [] }],
  revoke: [],
};
export const takeFlow: UserChange = { assign: [], revoke: [DEMO_SKUS.FLOW_FREE] };

/** What the test's own setup guarantees is there (a user, a product); fails the test naming it otherwise. */
export function present<T>(value: T | null | undefined, what: string): T {
  assert.exists(value, `${what} is missing`);
  return value;
}

export function contoso(data: DemoTenantData): DemoCustomerData {
  return present(
    data.customers.find((customer) => customer.customer.id === C),
    'Contoso',
  );
}

/** A product's current counts in the provider. */
export function seatsOf(provider: DemoProvider, skuId: string, customerId = C): Product {
  return present(provider.productOf(customerId, skuId), `product ${skuId}`);
}

/** Users with a usage location who do not hold Power Automate Free: giveFlow succeeds for each. */
export function withoutFlow(data: DemoTenantData): string[] {
  const customer = contoso(data);
  return customer.users
    .filter(
      (user) =>
        user.usageLocation !== null &&
        !(customer.holdings[user.id] ?? []).some((license) => license.skuId === DEMO_SKUS.FLOW_FREE),
    )
    .map((user) => user.id);
}

/** Users holding Power Automate Free directly and only directly: takeFlow succeeds for each. */
export function withFlow(data: DemoTenantData): string[] {
  const customer = contoso(data);
  return customer.users
    .filter((user) =>
      (customer.holdings[user.id] ?? []).some(
        (license) =>
          license.skuId === DEMO_SKUS.FLOW_FREE && license.direct && license.viaGroups.length === 0,
      ),
    )
    .map((user) => user.id);
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'demo-durable-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The snapshot and the log as bytes, to show a failed write left both untouched. */
export async function filesOf(dir: string): Promise<{ snapshot: string; log: string }> {
  const read = (name: string) => readFile(path.join(dir, name), 'utf8').catch(() => '');
  return { snapshot: await read(DEMO_TENANT_FILE), log: await read(DEMO_CHANGE_LOG_FILE) };
}

export interface FaultyDisk {
  fs: DurableFs;
  /** While true every write puts half its data on disk and fails with ENOSPC, as a full disk does. */
  full: boolean;
  /** While true, opening a file for writing and renaming fail with EROFS, as on a read-only mount. */
  readOnly: boolean;
  /** The next this many renames fail with EROFS. */
  failingRenames: number;
  /** Renames to a path it says yes to fail with EROFS. */
  renameFails: (to: string) => boolean;
  failures: number;
  /**
   * The process dies: every file it opened through this disk is closed as the kernel would close
   * it (nothing flushed, nothing compacted), and every later operation fails.
   */
  die(): Promise<void>;
}

export function faultyDisk(): FaultyDisk {
  const handles = new Set<FileHandle>();
  let dead = false;
  const alive = () => {
    if (dead) throw errno('EBADF', 'the process using this disk is dead');
  };
  const disk: FaultyDisk = {
    full: false,
    readOnly: false,
    failingRenames: 0,
    renameFails: () => false,
    failures: 0,
    die: async () => {
      dead = true;
      for (const handle of handles) await handle.close().catch(() => {});
    },
    fs: {
      open: async (file, flags, mode) => {
        alive();
        if (disk.readOnly && flags !== 'r') {
          disk.failures += 1;
          throw errno('EROFS', `read-only file system, open '${file}'`);
        }
        const handle = await open(file, flags, mode);
        handles.add(handle);
        return failingWrites(handle, disk, alive);
      },
      rename: async (from, to) => {
        alive();
        if (disk.readOnly || disk.failingRenames > 0 || disk.renameFails(to)) {
          if (disk.failingRenames > 0) disk.failingRenames -= 1;
          disk.failures += 1;
          throw errno('EROFS', `read-only file system, rename '${from}' -> '${to}'`);
        }
        await rename(from, to);
      },
      unlink: async (file) => {
        alive();
        await unlink(file);
      },
    },
  };
  return disk;
}

function failingWrites(handle: FileHandle, disk: FaultyDisk, alive: () => void): FileHandle {
  const halfThenFail = async (data: string | Uint8Array): Promise<void> => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    disk.failures += 1;
    await handle.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    throw errno('ENOSPC', 'no space left on device, write');
  };
  return new Proxy(handle, {
    get(target, property) {
      alive();
      if ((property === 'appendFile' || property === 'writeFile') && disk.full) return halfThenFail;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
