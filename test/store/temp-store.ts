/** A LowdbStore in a fresh temp directory per test, with a logger whose lines the test reads. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ChangeItem, ChangeRequest, ItemResult } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { LowdbStore, type LowdbStoreOptions, type StoreLogger } from '../../src/store/lowdb-store.js';

export class LinesLogger implements StoreLogger {
  readonly lines: { level: 'info' | 'warn' | 'error'; text: string }[] = [];
  info(...parts: unknown[]) {
    this.lines.push({ level: 'info', text: parts.map(String).join(' ') });
  }
  warn(...parts: unknown[]) {
    this.lines.push({ level: 'warn', text: parts.map(String).join(' ') });
  }
  error(...parts: unknown[]) {
    this.lines.push({ level: 'error', text: parts.map(String).join(' ') });
  }
  at(level: 'info' | 'warn' | 'error'): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.text);
  }
}

export interface TempStores {
  /** The test's data directory (fresh per test). */
  readonly dir: string;
  /** Opens a store on `dir` (or options.dataDir); closed after the test. */
  open(options?: Partial<LowdbStoreOptions>): Promise<LowdbStore>;
  /** Builds one without opening it. */
  create(options?: Partial<LowdbStoreOptions>): LowdbStore;
}

/** Registers beforeEach/afterEach for a temp dir and the stores opened on it. */
export function useTempStores(): TempStores {
  let dir = '';
  const stores: LowdbStore[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'licensedesk-store-'));
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  const create = (options: Partial<LowdbStoreOptions> = {}) => {
    const store = new LowdbStore({
      dataDir: dir,
      writeDelayMs: 10,
      retryDelayMs: { initial: 5, max: 20 },
      closeRetryMs: 100,
      logger: new LinesLogger(),
      ...options,
    });
    stores.push(store);
    return store;
  };
  return {
    get dir() {
      return dir;
    },
    create,
    async open(options = {}) {
      const store = create(options);
      await store.open();
      return store;
    },
  };
}

/** A request on `users` users with one assignment each, and (optionally) a result for each. */
export function largeRequest(
  id: string,
  users: number,
  overrides: Partial<ChangeRequest> & { withResults?: boolean } = {},
): ChangeRequest {
  const { withResults = false, ...rest } = overrides;
  const items: ChangeItem[] = Array.from({ length: users }, (_, i) => ({
    userId: `user-${i}`,
    displayName: `Person ${String(i).padStart(5, '0')}`,
    email: `p${i}@contoso.example`,
    change: { assign: [{ skuId: 'sku-e3', disabledPlans: [] }], revoke: [] },
    noops: [],
  }));
  const results: Record<string, ItemResult> = {};
  if (withResults) {
    for (const item of items) {
      results[resultKey(item.userId, 'sku-e3', 'assign')] = {
        userId: item.userId,
        skuId: 'sku-e3',
        op: 'assign',
        outcome: 'success',
        at: '2025-01-01T00:00:00.000Z',
      };
    }
  }
  return {
    id,
    customerId: 'cust-1',
    customerName: 'Contoso',
    tenantId: 'tenant-1',
    requestedBy: 'U0OPERATOR',
    createdAt: '2025-01-01T00:00:00.000Z',
    status: 'approved',
    products: [{ skuId: 'sku-e3', name: 'Office 365 E3' }],
    items,
    results,
    ...rest,
  };
}
