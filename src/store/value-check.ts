/**
 * The write-side half of "same schema on write as on read": a value that would make the next
 * open refuse the file is refused now, with one error line naming the method and where the value
 * is wrong (never the value itself: it may hold people's names and e-mails).
 */
import type { z } from 'zod';
import { describeError, describeIssue } from './describe-error.js';
import { StoreError } from './store.js';
import type { StoreLogger } from './store-health.js';

/** A parsed deep copy of `value`, or StoreError `invalid_value` (logged once) when it does not fit `schema`. */
export function checkedValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  method: string,
  logger: StoreLogger,
): z.output<S> {
  let copy: unknown;
  try {
    copy = structuredClone(value);
  } catch (error) {
    throw refuse(method, `(root): not plain data (${describeError(error)})`, logger, error);
  }
  const parsed = schema.safeParse(copy);
  if (parsed.success) return parsed.data;
  throw refuse(method, describeIssue(parsed.error) ?? 'invalid', logger, parsed.error);
}

/** StoreError `invalid_value` for a value refused for another reason than its shape (logged once too). */
export function refuse(method: string, why: string, logger: StoreLogger, cause?: unknown): StoreError {
  const message = `${method} refused an invalid value at ${why}; nothing was stored.`;
  logger.error(`[store] ${message}`);
  return new StoreError(message, { code: 'invalid_value', ...(cause === undefined ? {} : { cause }) });
}
