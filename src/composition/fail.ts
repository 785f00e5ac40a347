/**
 * Expected start-up failures end the process with one line naming the cause and its code
 * (`<message> [code]`), never a stack: a wrong variable, a corrupt file, a database that does not
 * answer. Anything without a code is a bug and keeps its stack (main.ts prints it).
 */
import { isCodedError } from '../errors.js';

/** Writes `<line> [code]` to stderr and exits 1. */
export function fail(code: string, line: string): never {
  process.stderr.write(`${line} [${code}]\n`);
  process.exit(1);
}

/** A coded error is an expected failure (one line); anything else returns, for the caller to rethrow. */
export function failOnCoded(error: unknown, context = ''): void {
  if (isCodedError(error)) fail(error.code, `${context}${error.message}`);
}

/** Awaits `work`; a coded rejection ends start-up with its line, anything else is rethrown. */
export async function orFail<T>(work: Promise<T>, context = ''): Promise<T> {
  try {
    return await work;
  } catch (error) {
    failOnCoded(error, context);
    throw error;
  }
}
