/**
 * Rows in and out of PostgreSQL: documents are checked with the store's zod schemas on the way
 * in (as lowdb checks its files) and parsed with them on the way out, so a row that does not
 * parse is refused as `store_corrupt`, never handed on.
 */
import type { z } from 'zod';
import { describeIssue } from '../describe-error.js';
import { StoreError } from '../store.js';
import type { StoreLogger } from '../store-health.js';
import { checkedValue, refuse } from '../value-check.js';

/** `value` checked with `schema` (checkedValue), and storable: PostgreSQL text holds no NUL character. */
export function storable<S extends z.ZodType>(
  schema: S,
  value: unknown,
  method: string,
  logger: StoreLogger,
): z.output<S> {
  const checked = checkedValue(schema, value, method, logger);
  if (JSON.stringify(checked).includes('\\u0000')) {
    throw refuse(method, '(root): a text holds a NUL character, which PostgreSQL cannot store', logger);
  }
  return checked;
}

/** A row's document parsed with `schema`; StoreError `store_corrupt` naming the table and key when it does not fit. */
export function parsedRow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  table: string,
  key: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StoreError(
    `A row of ${table} (${key}) does not parse (${describeIssue(parsed.error) ?? 'invalid'}); it was left untouched.`,
    { code: 'store_corrupt', cause: parsed.error },
  );
}

/** A jsonb parameter: always text, since pg would send a JS array as a PostgreSQL array. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** No record can have an id PostgreSQL text cannot hold: lookups of such an id find nothing. */
export function unstorableId(id: string): boolean {
  return typeof id !== 'string' || id.includes('\u0000');
}

/**
 * The optional fields a patch removes: those it gives as undefined (`{ ...current, ...patch }`
 * drops them in lowdb). A required one given as undefined is refused, as lowdb's check of the
 * patched record refuses it.
 */
export function removedFields(
  schema: z.ZodObject,
  patch: object,
  method: string,
  logger: StoreLogger,
): string[] {
  const shape: Record<string, z.ZodType> = schema.shape;
  const removed = Object.entries(patch)
    .filter(([key, value]) => value === undefined && Object.hasOwn(shape, key))
    .map(([key]) => key);
  const required = removed.find((key) => !shape[key]?.safeParse(undefined).success);
  if (required !== undefined) throw refuse(method, `${required}: Invalid input`, logger);
  return removed;
}

/** A listing's limit as SQL takes it: a whole number ≥ 0, or null (no limit) when not finite. */
export function limitOf(limit: number): number | null {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null;
}
