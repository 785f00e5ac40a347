/**
 * Every query of the Postgres store goes through one guard: it keeps health() (writable false
 * with the error after a connection or database failure, true again at the next success), turns
 * a failure into the error the port promises, and counts the calls in flight for flush().
 *
 * - A StoreError (a value refused in JavaScript) passes through unchanged.
 * - A value PostgreSQL refuses (SQLSTATE class 22, data exception; 23, integrity) is
 *   `invalid_value`: the statement failed, so nothing was stored, and the database is fine.
 * - Anything else from the database or the connection is StoreUnavailableError.
 * - An error of the caller's code (updateDraft's change, onRunnable) passes through as thrown.
 */
import pg from 'pg';
import { describeError } from '../describe-error.js';
import { StoreError, type StoreHealth, StoreUnavailableError } from '../store.js';
import type { StoreLogger } from '../store-health.js';
import { refuse } from '../value-check.js';

const WHERE = 'PostgreSQL';

/**
 * Wraps an error of the caller's own code run inside a query (updateDraft's change, the
 * onRunnable hook) that is not the database's: the caller gets it as thrown, health unchanged.
 */
export class CallerError extends Error {
  constructor(readonly original: unknown) {
    super(describeError(original));
  }
}

export function isDatabaseError(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return true;
  if (!(error instanceof Error)) return false;
  // A connection failure: a socket error (errno/syscall), or one of pg's own connection errors.
  return (
    'syscall' in error ||
    /^Connection terminated|timeout exceeded when trying to connect|is not queryable/.test(error.message)
  );
}

/** A foreign key refused the row: what it refers to is not there (never saved, or archived). */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503';
}

export class PgGuard {
  readonly #logger: StoreLogger;
  readonly #now: () => Date;
  readonly #inFlight = new Set<Promise<unknown>>();
  #health: StoreHealth;

  constructor(options: { logger: StoreLogger; now: () => Date }) {
    this.#logger = options.logger;
    this.#now = options.now;
    this.#health = { writable: true, since: this.#now().toISOString() };
  }

  health(): StoreHealth {
    return { ...this.#health };
  }

  /** Runs `work` (queries of `method`), keeping health and mapping its failure; see the top. */
  run<T>(method: string, work: () => Promise<T>): Promise<T> {
    const running = this.#attempt(method, work);
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Resolves once every call started so far has settled (each caller hears of its own failure). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #attempt<T>(method: string, work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      throw this.mapped(method, error);
    }
    this.#succeeded();
    return result;
  }

  /** The error `method` rejects with for `error` (see the top), health updated. */
  mapped(method: string, error: unknown): unknown {
    if (error instanceof CallerError) {
      this.#succeeded();
      return error.original;
    }
    if (error instanceof StoreError) return error;
    const code = error instanceof pg.DatabaseError ? (error.code ?? '') : '';
    if (code.startsWith('22') || code.startsWith('23')) {
      this.#succeeded();
      return refuse(method, `(database) ${describeError(error)}`, this.#logger, error);
    }
    this.#failed(describeError(error));
    return new StoreUnavailableError(
      `${method}: cannot write to ${WHERE} (${describeError(error)}); nothing was changed.`,
      { cause: error },
    );
  }

  #succeeded(): void {
    if (this.#health.writable) return;
    this.#health = { writable: true, since: this.#now().toISOString() };
    this.#logger.info(`[store] ${WHERE} answers again; submissions and decisions are accepted.`);
  }

  #failed(error: string): void {
    if (!this.#health.writable) {
      this.#health = { ...this.#health, error };
      return;
    }
    this.#health = { writable: false, since: this.#now().toISOString(), error };
    this.#logger.error(
      `[store] cannot write to ${WHERE} (${error}); every change is refused until it answers again.`,
    );
  }
}
