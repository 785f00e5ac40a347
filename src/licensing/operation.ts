/** The vocabulary of a part (one product of one user's change): what it does and how it ended. */
import { z } from 'zod';

export const Operation = z.enum(['assign', 'revoke']);
export type Operation = z.infer<typeof Operation>;

export const Outcome = z.enum(['success', 'noop', 'failed']);
export type Outcome = z.infer<typeof Outcome>;
