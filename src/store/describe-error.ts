import type { z } from 'zod';

/** An error's message for a log line or a refusal; never its stack. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a value breaks its schema and how (`items.0.userId: Invalid input`), without the value itself. */
export function describeIssue(error: z.ZodError): string | null {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : null;
}
