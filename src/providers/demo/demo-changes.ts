/**
 * The records of the demo tenant's change log (`demo-tenant.log.jsonl`, one JSON object a line)
 * and how they are replayed onto the snapshot.
 *
 * Records state results, not deltas: a change record carries the user's whole holdings after
 * the change, a removal names the user removed. Replaying a record the snapshot already holds
 * therefore changes nothing, which is what makes a crash between writing the snapshot and
 * archiving the log harmless.
 */
import { z } from 'zod';
import { UserChange, UserLicense } from '../../licensing/model.js';
import type { DemoCustomerData, DemoTenantData } from './demo-tenant.js';

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
export function replayChanges(data: DemoTenantData, records: readonly DemoChangeRecord[]): void {
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
