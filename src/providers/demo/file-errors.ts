/** How the demo tenant's files word what went wrong with them, in messages that name the file. */
import type { z } from 'zod';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ` at <path>: <message>` of the first schema issue, or nothing when there is none. */
export function whereInvalid(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
