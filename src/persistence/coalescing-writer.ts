/**
 * One writer for a file that holds a whole state (the store's main file, the demo tenant's
 * snapshot): changes mark it dirty and one write `delayMs` later carries them all; `commit()`
 * asks for a write now and resolves when a write that includes every change made before the
 * call has succeeded (group commit: concurrent commits share one write).
 *
 * When a write fails (a full or read-only disk) the writer turns unwritable, tells
 * `onHealthChange` once, and keeps probing with a growing delay until a write succeeds; then it
 * turns writable again and tells once more. Commits during that time reject.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../backoff.js';

export interface WriterHealth {
  writable: boolean;
  /** When `writable` last changed (ISO). */
  since: string;
  /** The failed write's error while unwritable. */
  error?: string;
}

export interface CoalescingWriterOptions {
  /** Writes the current state; it must take its copy of the state before its first await. */
  write: () => Promise<void>;
  /** Delay between a change and the write that carries it (default 250 ms). */
  delayMs?: number;
  /** First and longest pause between probes while unwritable (default 250 ms and 5 s). */
  retryDelayMs?: { initial: number; max: number };
  onHealthChange?: (health: WriterHealth) => void;
  now?: () => Date;
}

export class CoalescingWriter {
  readonly #write: () => Promise<void>;
  readonly #delayMs: number;
  readonly #retry: { initial: number; max: number };
  readonly #onHealthChange: (health: WriterHealth) => void;
  readonly #now: () => Date;
  /** Bumped by every change; a write covers the version current when it started. */
  #version = 0;
  #written = 0;
  #flight: { promise: Promise<void>; version: number } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;
  #health: WriterHealth;
  #writes = 0;

  constructor(options: CoalescingWriterOptions) {
    this.#write = options.write;
    this.#delayMs = options.delayMs ?? 250;
    this.#retry = options.retryDelayMs ?? { initial: 250, max: 5_000 };
    this.#onHealthChange = options.onHealthChange ?? (() => {});
    this.#now = options.now ?? (() => new Date());
    this.#health = { writable: true, since: this.#now().toISOString() };
  }

  health(): WriterHealth {
    return { ...this.#health };
  }

  /** Writes attempted so far (for tests and benchmarks). */
  get writes(): number {
    return this.#writes;
  }

  /** True when a change has not reached the disk yet. */
  get dirty(): boolean {
    return this.#written < this.#version;
  }

  /** Records that the state changed; a write follows within `delayMs`. */
  markDirty(): void {
    this.#version++;
    if (this.#health.writable) this.#schedule(this.#delayMs);
  }

  /** Resolves once every change made before the call is on disk; rejects if the write carrying them fails. */
  async commit(): Promise<void> {
    const target = this.#version;
    while (this.#written < target) {
      const flight = this.#flight ?? this.#start();
      try {
        await flight.promise;
      } catch (error) {
        if (flight.version >= target) throw error;
      }
    }
  }

  /**
   * Commits, retrying a failed write until `retryForMs` has passed; then stops the timers. What
   * could not be written in that time is reported by the rejection.
   */
  async close(retryForMs = 5_000): Promise<void> {
    const deadline = Date.now() + retryForMs;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.commit();
          return;
        } catch (error) {
          if (Date.now() >= deadline) throw error;
          await sleep(this.#retryDelay(attempt + 1));
        }
      }
    } finally {
      this.#closed = true;
      this.#clearTimer();
    }
  }

  /** The wait before the next try after `failures` failed writes: the project's one backoff. */
  #retryDelay(failures: number): number {
    const { initial, max } = this.#retry;
    return backoffDelay(failures, undefined, { baseDelayMs: initial, maxDelayMs: max, random: Math.random });
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null || this.#flight !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.dirty || !this.#health.writable) this.#start().promise.catch(() => {});
    }, delayMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #start(): { promise: Promise<void>; version: number } {
    if (this.#flight !== null) return this.#flight;
    this.#clearTimer();
    const version = this.#version;
    this.#writes++;
    const settled = () => {
      this.#flight = null;
      if (!this.#health.writable) {
        this.#schedule(this.#retryDelay(this.#failures));
      } else if (this.dirty) {
        this.#schedule(this.#delayMs);
      }
    };
    const promise = this.#write().then(
      () => {
        this.#written = Math.max(this.#written, version);
        this.#failures = 0;
        this.#setHealth({ writable: true, since: this.#now().toISOString() });
        settled();
      },
      (error: unknown) => {
        this.#failures++;
        this.#setHealth({
          writable: false,
          since: this.#now().toISOString(),
          error: error instanceof Error ? error.message : String(error),
        });
        settled();
        throw error;
      },
    );
    // A background write that fails is reported through health, not as an unhandled rejection.
    promise.catch(() => {});
    this.#flight = { promise, version };
    return this.#flight;
  }

  #setHealth(next: WriterHealth): void {
    const changed = next.writable !== this.#health.writable;
    if (!changed && next.writable) return;
    if (!changed) {
      this.#health = { ...this.#health, ...(next.error === undefined ? {} : { error: next.error }) };
      return;
    }
    this.#health = next;
    this.#onHealthChange({ ...next });
  }
}
