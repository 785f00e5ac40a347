/**
 * The state of a request's users before its run changed them, in `requests/<id>.prior.jsonl`: one
 * line per user, appended and synced before the run sends that user's first change. First write
 * wins: a user already recorded is skipped, and on read the first line of a user is the one that
 * counts, whatever the file holds.
 */
import { z } from 'zod';
import { PriorState } from '../licensing/model.js';
import { readJsonLines } from '../persistence/append-log.js';
import { BoundedCache } from './bounded-cache.js';
import { describeError } from './describe-error.js';
import { OneAtATime } from './one-at-a-time.js';
import type { RequestFiles } from './request-files.js';
import { StoreError } from './store.js';
import type { StoreLogger } from './store-health.js';
import type { StoreWriters } from './store-writers.js';
import { checkedValue, refuse } from './value-check.js';

const PriorStates_ = z.array(PriorState);
/** Requests whose recorded users are kept in memory (those running now, in practice). */
const RECORDED_CACHE_SIZE = 32;

export class PriorStates {
  readonly #files: RequestFiles;
  readonly #writers: StoreWriters;
  readonly #logger: StoreLogger;
  /** Whether the store holds the request. */
  readonly #known: (requestId: string) => boolean;
  /** The users recorded so far, by request (read from the file on a miss). */
  readonly #recorded = new BoundedCache<string, Set<string>>(RECORDED_CACHE_SIZE);
  readonly #turns = new OneAtATime();

  constructor(options: {
    files: RequestFiles;
    writers: StoreWriters;
    logger: StoreLogger;
    known: (requestId: string) => boolean;
  }) {
    this.#files = options.files;
    this.#writers = options.writers;
    this.#logger = options.logger;
    this.#known = options.known;
  }

  /** Durable: the users not recorded yet are on disk when this resolves; nothing new is kept when it rejects. */
  async record(requestId: string, states: readonly PriorState[]): Promise<void> {
    const method = 'recordPriorState';
    if (!this.#known(requestId))
      throw refuse(method, `requestId: request ${requestId} is not in the store`, this.#logger);
    const valid = checkedValue(PriorStates_, states, method, this.#logger);
    this.#writers.requireWritable(method);
    await this.#turns.run(requestId, async () => {
      const recorded = this.#recorded.get(requestId) ?? (await this.#usersOnDisk(requestId));
      const fresh = firstPerUser(valid).filter((state) => !recorded.has(state.userId));
      if (fresh.length > 0) await this.#append(requestId, fresh);
      for (const state of fresh) recorded.add(state.userId);
      this.#recorded.set(requestId, recorded);
    });
  }

  /** The recorded states, the first line of each user (none for a request the store does not hold). */
  async read(requestId: string): Promise<PriorState[]> {
    if (!this.#known(requestId)) return [];
    const file = this.#files.priorPath(requestId);
    try {
      return firstPerUser(PriorStates_.parse(await readJsonLines(file)));
    } catch (error) {
      throw new StoreError(
        `Cannot read the prior state of request ${requestId} from ${file}: ${describeError(error)}`,
        { code: 'store_corrupt', cause: error },
      );
    }
  }

  /** Forgets what is cached of requests whose files are gone. */
  forget(requestIds: readonly string[]): void {
    for (const id of requestIds) this.#recorded.delete(id);
  }

  async #usersOnDisk(requestId: string): Promise<Set<string>> {
    return new Set((await this.read(requestId)).map((state) => state.userId));
  }

  /** One write and one fsync for the whole batch; a failure leaves none of it recorded. */
  async #append(requestId: string, states: readonly PriorState[]): Promise<void> {
    try {
      const log = await this.#files.openPriorLog(requestId);
      try {
        await Promise.all(states.map((state) => log.appendDurably(state)));
      } finally {
        await log.close().catch(() => {});
      }
    } catch (error) {
      // Awaited, so that health() tells the truth when the caller hears of the refusal.
      await this.#writers.writeMainNow();
      throw this.#writers.unavailable('recordPriorState', error);
    }
  }
}

function firstPerUser(states: readonly PriorState[]): PriorState[] {
  const first = new Map<string, PriorState>();
  for (const state of states) if (!first.has(state.userId)) first.set(state.userId, state);
  return [...first.values()];
}
