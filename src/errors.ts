/**
 * Errors that cross layers carry a stable `code`, as bolt-js's `ErrorCode` does: callers and
 * start-up branch on the code, never on the message, and the message stays free to improve.
 * Codes are snake_case and prefixed by the layer (`config_`, `store_`, `provider_`, `http_`,
 * `licensing_`, `slack_`); the store's `invalid_value` predates the rule and stays, being stable.
 */
export interface CodedError extends Error {
  readonly code: string;
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
