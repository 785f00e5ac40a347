/** An error's message for a log line or a refusal; never its stack. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
