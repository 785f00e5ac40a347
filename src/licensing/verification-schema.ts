/** A finished run's verification as it is stored with the request (verification.ts decides it). */
import { z } from 'zod';
import { Operation, Outcome } from './operation.js';

/** What the tenant showed for a part whose reported result it contradicts (verification.ts). */
export const TenantFinding = z.enum([
  'not_held',
  'held_directly',
  'held_via_group',
  'other_plans',
  'user_not_found',
]);
export type TenantFinding = z.infer<typeof TenantFinding>;

/** A reported result the tenant contradicted on every read: a result of its own. */
export const Mismatch = z.object({
  userId: z.string(),
  skuId: z.string(),
  op: Operation,
  reported: Outcome,
  found: TenantFinding,
});
export type Mismatch = z.infer<typeof Mismatch>;

/**
 * The results of a finished run checked against the users' holdings read again after it:
 * `unverified` when the tenant could not be read (or not in time), and then nothing is said verified.
 */
export const Verification = z.object({
  at: z.string(),
  checked: z.number().int().nonnegative(),
  mismatches: z.array(Mismatch),
  unverified: z.enum(['read_failed', 'out_of_time']).optional(),
});
export type Verification = z.infer<typeof Verification>;
