/**
 * The shared demo tenant's tables (migration 003-demo-tenant.ts): seeding it once, reading it
 * back, appending change events and reading those a replica has not applied yet. Every row read
 * is checked with zod before it reaches the tenant.
 */
import { z } from 'zod';
import { inTransaction, type Pool, type PoolClient, type Queryable } from '../../../db/pool.js';
import { DemoChangeEvent, replayChanges } from '../demo-change-log.js';
import { DemoCustomerData, type DemoTenantData } from '../demo-tenant.js';

/**
 * Advisory lock classes (the two-integer form, apart from the single-bigint migration lock):
 * seeding takes (SEED_LOCK, 0), a customer's writes (CUSTOMER_LOCK, hashtext(customer id)).
 * Two customers whose ids hash alike only wait for each other.
 */
const SEED_LOCK = 1_145_392_464;
const CUSTOMER_LOCK = 1_145_392_463;

/** A change event as read back, with its place in the log. */
export interface EventRow {
  seq: number;
  event: DemoChangeEvent;
}

const EventRowSchema = z.object({
  seq: z.coerce.number().int().positive(),
  event: DemoChangeEvent,
});

const CustomerRow = z.object({ data: DemoCustomerData });

export interface SharedTenant {
  data: DemoTenantData;
  /** Per customer, the seq of the last event already applied to `data` (0: none). */
  positions: Map<string, number>;
  /** Whether this call seeded the tables. */
  seeded: boolean;
  /** Events replayed onto the seed. */
  replayed: number;
}

/**
 * Seeds the tables from `create()` unless a replica did already (under an advisory lock, so
 * replicas starting together seed once), then reads the tenant: the seed with every event
 * replayed in order.
 */
export async function loadSharedTenant(pool: Pool, create: () => DemoTenantData): Promise<SharedTenant> {
  const seeded = await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [SEED_LOCK]);
    const found = await client.query('SELECT 1 FROM demo_customers LIMIT 1');
    if (found.rowCount !== 0) return false;
    await insertSeed(client, create());
    return true;
  });
  const { data, positions, replayed } = await readTenant(pool);
  return { data, positions, seeded, replayed };
}

/** The tenant as a replica starting now would load it, without seeding: for tests. */
export async function readSharedTenant(db: Queryable): Promise<DemoTenantData> {
  const { data } = await readTenant(db);
  if (data.customers.length === 0) throw new Error('The shared demo tenant has not been seeded.');
  return data;
}

async function readTenant(db: Queryable): Promise<Omit<SharedTenant, 'seeded'>> {
  const { rows } = await db.query('SELECT data FROM demo_customers ORDER BY position');
  const data: DemoTenantData = { version: 1, customers: rows.map((row) => CustomerRow.parse(row).data) };
  const positions = new Map(data.customers.map((customer) => [customer.customer.id, 0]));
  const events = await allEvents(db);
  replayChanges(
    data,
    events.map((row) => row.event),
  );
  for (const { seq, event } of events) positions.set(event.customerId, seq);
  return { data, positions, replayed: events.length };
}

/** Serializes the customer's writes across replicas until the transaction ends. */
export async function lockCustomer(client: PoolClient, customerId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CUSTOMER_LOCK, customerId]);
}

/** Appends an event in the caller's transaction; resolves with its seq. */
export async function appendEvent(client: PoolClient, event: DemoChangeEvent): Promise<number> {
  const { rows } = await client.query(
    'INSERT INTO demo_events (customer_id, user_id, event) VALUES ($1, $2, $3) RETURNING seq',
    [event.customerId, event.userId, JSON.stringify(event)],
  );
  return z.coerce.number().int().positive().parse(rows[0]?.seq);
}

/** The customer's events after `after`, in order. */
export async function customerEventsAfter(
  db: Queryable,
  customerId: string,
  after: number,
): Promise<EventRow[]> {
  const { rows } = await db.query(
    'SELECT seq, event FROM demo_events WHERE customer_id = $1 AND seq > $2 ORDER BY seq',
    [customerId, after],
  );
  return rows.map((row) => EventRowSchema.parse(row));
}

/** Every customer's events after its own position, in one query, in order. */
export async function eventsAfter(
  db: Queryable,
  positions: ReadonlyMap<string, number>,
): Promise<EventRow[]> {
  const { rows } = await db.query(
    `SELECT e.seq, e.event
       FROM demo_events e
       JOIN unnest($1::text[], $2::bigint[]) AS p (customer_id, after)
         ON e.customer_id = p.customer_id AND e.seq > p.after
      ORDER BY e.seq`,
    [[...positions.keys()], [...positions.values()]],
  );
  return rows.map((row) => EventRowSchema.parse(row));
}

async function allEvents(db: Queryable): Promise<EventRow[]> {
  const { rows } = await db.query('SELECT seq, event FROM demo_events ORDER BY seq');
  return rows.map((row) => EventRowSchema.parse(row));
}

async function insertSeed(client: PoolClient, data: DemoTenantData): Promise<void> {
  await client.query(
    `INSERT INTO demo_customers (customer_id, position, data)
     SELECT * FROM unnest($1::text[], $2::integer[], $3::json[])`,
    [
      data.customers.map((customer) => customer.customer.id),
      data.customers.map((_, position) => position),
      data.customers.map((customer) => JSON.stringify(customer)),
    ],
  );
}
