/**
 * The demo tenant's change log: where it lives (`demo-tenant.log.jsonl`, and once folded into the
 * snapshot `archive/demo-changes-<time>.jsonl`), its records (one JSON object a line), reading
 * them and replaying them onto the snapshot.
 *
 * Records state results, not deltas: a change record carries the user's whole holdings after
 * the change, a removal names the user removed. Replaying a record the snapshot already holds
 * therefore changes nothing, which is what makes a crash between writing the snapshot and
 * archiving the log harmless.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserChange, UserLicense } from '../../licensing/model.js';
import { readJsonLines } from '../../persistence/append-log.js';
import type { DemoCustomerData, DemoTenantData } from './demo-tenant.js';
import { messageOf, whereInvalid } from './file-errors.js';

export const DEMO_ARCHIVE_DIR = 'archive';
export const DEMO_CHANGE_LOG_FILE = 'demo-tenant.log.jsonl';
const ARCHIVE_PREFIX = 'demo-changes-';

const UserChanged = z.object({
  type: z.literal('change'),
  customerId: z.string().min(1),
  userId: z.string().min(1),
  /** The change as the caller asked for it. */
  change: UserChange,
  /** The user's licenses of the products the change names, as they were before it (for counting). */
  before: z.array(UserLicense),
  /** Every license the user holds after the change (empty: none). */
  holdings: z.array(UserLicense),
});

const UserRemoved = z.object({
  type: z.literal('remove_user'),
  customerId: z.string().min(1),
  userId: z.string().min(1),
});

/** What the demo provider hands to its journal after a change in memory. */
export const DemoChangeEvent = z.discriminatedUnion('type', [UserChanged, UserRemoved]);
export type DemoChangeEvent = z.infer<typeof DemoChangeEvent>;

const at = z.iso.datetime();

/** One line of the change log: the event and when it was made. */
export const DemoChangeRecord = z.discriminatedUnion('type', [
  UserChanged.extend({ at }),
  UserRemoved.extend({ at }),
]);
export type DemoChangeRecord = z.infer<typeof DemoChangeRecord>;

/**
 * Applies logged records to a tenant read from its snapshot, in order. A change for a user who
 * is not in the directory is skipped: the snapshot already holds that user's later removal. A
 * record for an unknown customer means the log belongs to another tenant, and throws.
 */
export function replayChanges(data: DemoTenantData, records: readonly DemoChangeEvent[]): void {
  const customers = new Map(data.customers.map((customer) => [customer.customer.id, customer]));
  const directories = new Map<string, Set<string>>();
  const directoryOf = (customer: DemoCustomerData): Set<string> => {
    let ids = directories.get(customer.customer.id);
    if (ids === undefined) {
      ids = new Set(customer.users.map((user) => user.id));
      directories.set(customer.customer.id, ids);
    }
    return ids;
  };
  records.forEach((record, index) => {
    const customer = customers.get(record.customerId);
    if (customer === undefined) {
      throw new Error(
        `record ${index + 1} names customer '${record.customerId}', which the tenant does not have`,
      );
    }
    const users = directoryOf(customer);
    if (!users.has(record.userId)) return;
    if (record.type === 'remove_user') {
      customer.users = customer.users.filter((user) => user.id !== record.userId);
      users.delete(record.userId);
      delete customer.holdings[record.userId];
    } else if (record.holdings.length === 0) {
      delete customer.holdings[record.userId];
    } else {
      customer.holdings[record.userId] = record.holdings;
    }
  });
}

/** The name an archived change log gets: sortable, and free of characters some file systems refuse. */
export function archivedLogName(time: Date, attempt = 0): string {
  const stamp = time.toISOString().replaceAll(':', '-');
  return `${ARCHIVE_PREFIX}${stamp}${attempt === 0 ? '' : `-${attempt}`}.jsonl`;
}

/** The archived logs of `dataDir` in name order (which is time order), then the current one. */
export async function changeLogFiles(dataDir: string): Promise<string[]> {
  const archive = path.join(dataDir, DEMO_ARCHIVE_DIR);
  const names = await readdir(archive).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return [
    ...names
      .filter((name) => name.startsWith(ARCHIVE_PREFIX) && name.endsWith('.jsonl'))
      .sort()
      .map((name) => path.join(archive, name)),
    path.join(dataDir, DEMO_CHANGE_LOG_FILE),
  ];
}

/** Reads a change log (none when absent; a torn last line is ignored), each record checked. */
export async function readChangeRecords(file: string): Promise<DemoChangeRecord[]> {
  let lines: unknown[];
  try {
    lines = await readJsonLines(file);
  } catch (error) {
    throw new Error(`The demo tenant's change log ${file} is not valid JSON Lines (${messageOf(error)}).`, {
      cause: error,
    });
  }
  return lines.map((line, index) => {
    const parsed = DemoChangeRecord.safeParse(line);
    if (parsed.success) return parsed.data;
    throw new Error(
      `The demo tenant's change log ${file} has an invalid record on line ${index + 1}${whereInvalid(parsed.error)}.`,
    );
  });
}
