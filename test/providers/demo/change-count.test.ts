import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterEach, assert, describe, expect, it } from 'vitest';
import type { UserLicense } from '../../../src/licensing/model.js';
import { countAppliedParts, countDemoChanges } from '../../../src/providers/demo/demo-change-count.js';
import type { DemoChangeRecord } from '../../../src/providers/demo/demo-change-log.js';
import { DEMO_ARCHIVE_DIR, openDemoTenant } from '../../../src/providers/demo/demo-file.js';
import { DemoProvider } from '../../../src/providers/demo/demo-provider.js';
import { DEMO_PLANS, DEMO_SKUS } from '../../../src/providers/demo/generator.js';
import { C, giveFlow, smallTenant, takeFlow, tempDir, withFlow, withoutFlow } from './tenant-files.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FLOW = DEMO_SKUS.FLOW_FREE;

describe('countDemoChanges', () => {
  it('counts each part a change applied, across the archive and the current log', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const tenant = await openDemoTenant(dir, {
      initial: smallTenant,
      compactAfterRecords: 2,
      coalesceMs: 1,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    const provider = new DemoProvider({ data: tenant.data, journal: tenant.journal });
    const [newcomer] = withoutFlow(tenant.data);
    const [holder] = withFlow(tenant.data);
    assert.exists(newcomer);
    assert.exists(holder);
    const settle = () => setTimeout(10);

    await provider.applyUserChange(C, newcomer, giveFlow); // applied
    await settle();
    await provider.applyUserChange(C, newcomer, giveFlow); // already held so: not applied
    await settle();
    const planOff = { assign: [{ skuId: FLOW, disabledPlans: [DEMO_PLANS.FLOW_P2_VIRAL] }], revoke: [] };
    await provider.applyUserChange(C, newcomer, planOff); // other plans: applied
    await settle();
    await provider.applyUserChange(C, newcomer, takeFlow); // applied
    await provider.applyUserChange(C, holder, takeFlow); // applied
    await provider.applyUserChange(C, holder, giveFlow); // applied
    expect(tenant.logRecords).toBeGreaterThan(0);
    expect(await readdir(path.join(dir, DEMO_ARCHIVE_DIR))).not.toHaveLength(0);

    const counts = await countDemoChanges(dir);
    const of = (userId: string, op: string) =>
      counts.find((part) => part.userId === userId && part.skuId === FLOW && part.op === op)?.count ?? 0;
    expect(of(newcomer, 'assign')).toBe(2);
    expect(of(newcomer, 'revoke')).toBe(1);
    expect(of(holder, 'revoke')).toBe(1);
    expect(of(holder, 'assign')).toBe(1);
    expect(counts).toHaveLength(4);
    for (const part of counts) expect(part.at).toHaveLength(part.count);
    await tenant.close();
    expect(await countDemoChanges(dir)).toEqual(counts);
  });

  it('counts an assignment over a group-inherited license, and a revocation only when held directly', () => {
    const at = '2025-01-01T00:00:00.000Z';
    const inherited = { skuId: FLOW, disabledPlans: [], direct: false, viaGroups: ['g1'] };
    const direct = { skuId: FLOW, disabledPlans: [], direct: true, viaGroups: [] };
    const record = (
      change: { assign: Array<{ skuId: string; disabledPlans: string[] }>; revoke: string[] },
      before: UserLicense[],
    ): DemoChangeRecord => ({
      type: 'change',
      at,
      customerId: C,
      userId: 'u1',
      change,
      before,
      holdings: [],
    });
    const counts = countAppliedParts([
      record(giveFlow, [inherited]),
      record(giveFlow, [direct]),
      record(takeFlow, [direct]),
      record(takeFlow, []),
      { type: 'remove_user', at, customerId: C, userId: 'u1' },
    ]);
    expect(counts.map(({ op, count }) => [op, count])).toEqual([
      ['assign', 1],
      ['revoke', 1],
    ]);
  });
});
