/**
 * How many times each part of a change really took effect on the demo tenant, read from every
 * change it ever took (the archived logs and the current one). Crash tests use it to find a
 * part applied twice.
 *
 * A part counts when the change altered it: an assignment of a product the user did not hold
 * directly with exactly those disabled plans, a revocation of a product the user held directly.
 * Each record carries the changed products' licenses as they were before (`before`), so no
 * replay is needed.
 */
import { changeLogFiles, type DemoChangeRecord, readChangeRecords } from './demo-change-log.js';

export interface DemoPartCount {
  customerId: string;
  userId: string;
  skuId: string;
  op: 'assign' | 'revoke';
  /** Records that applied this part. */
  count: number;
  /** When each of them was made (ISO), oldest first. */
  at: string[];
}

/** Per part, how many records applied it, from every change log in `dataDir`. */
export async function countDemoChanges(dataDir: string): Promise<DemoPartCount[]> {
  const records: DemoChangeRecord[] = [];
  for (const file of await changeLogFiles(dataDir)) records.push(...(await readChangeRecords(file)));
  return countAppliedParts(records);
}

/** Per part, how many of the records applied it; parts no record applied are left out. */
export function countAppliedParts(records: Iterable<DemoChangeRecord>): DemoPartCount[] {
  const counts = new Map<string, DemoPartCount>();
  const add = (record: DemoChangeRecord, skuId: string, op: DemoPartCount['op']) => {
    const key = JSON.stringify([record.customerId, record.userId, skuId, op]);
    const part = counts.get(key);
    if (part === undefined) {
      counts.set(key, {
        customerId: record.customerId,
        userId: record.userId,
        skuId,
        op,
        count: 1,
        at: [record.at],
      });
    } else {
      part.count += 1;
      part.at.push(record.at);
    }
  };
  for (const record of records) {
    if (record.type !== 'change') continue;
    const before = new Map(record.before.map((license) => [license.skuId, license]));
    for (const { skuId, disabledPlans } of record.change.assign) {
      const held = before.get(skuId);
      if (held?.direct !== true || !sameSet(held.disabledPlans, disabledPlans)) add(record, skuId, 'assign');
    }
    for (const skuId of record.change.revoke) {
      if (before.get(skuId)?.direct === true) add(record, skuId, 'revoke');
    }
  }
  for (const part of counts.values()) part.at.sort();
  return [...counts.values()];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((item) => set.has(item));
}
