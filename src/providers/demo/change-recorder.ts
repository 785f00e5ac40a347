/**
 * Makes the demo provider's changes durable through its journal: a change is made in memory,
 * then recorded; when the journal refuses it, the change is undone and the call fails as
 * transient, so memory, disk and what the caller was told always agree.
 */
import type { DemoChangeEvent } from './demo-change-log.js';
import { notSaved } from './demo-errors.js';

/** Where the provider makes its changes durable (the demo tenant's change log, demo-file.ts). */
export interface DemoJournal {
  /**
   * Undefined when a change may be made now, else a promise to wait for first: the journal holds
   * changes back while it copies the tenant. Asked right before a change, with no await between
   * the answer and the change.
   */
  gate(): Promise<void> | undefined;
  /** Called right after a change is made in memory; resolves once it is durable. A rejection undoes it. */
  record(event: DemoChangeEvent): Promise<void>;
}

export class ChangeRecorder {
  readonly #journal: DemoJournal;
  /** Per user with a change not yet journaled, its outcome: the user's next change waits for it, so an undo restores exactly what that change replaced. */
  readonly #unsaved = new Map<string, Promise<void>>();

  constructor(journal: DemoJournal) {
    this.#journal = journal;
  }

  /** What a change of the user `key` must wait for before it is checked: the journal's gate, then the user's unsaved change. */
  waitBeforeChange(key: string): Promise<void> | undefined {
    return this.#journal.gate() ?? this.#unsaved.get(key);
  }

  /** Journals a change already made in memory; when that fails, undoes it and throws a transient error. */
  async save(key: string, event: DemoChangeEvent, undo: () => void): Promise<void> {
    const saved = this.#journal.record(event);
    const settled = saved.then(
      () => {},
      () => {},
    );
    this.#unsaved.set(key, settled);
    try {
      await saved;
    } catch (error) {
      undo();
      throw notSaved(error);
    } finally {
      if (this.#unsaved.get(key) === settled) this.#unsaved.delete(key);
    }
  }
}

/** The key of one user's changes. */
export function userKey(customerId: string, userId: string): string {
  return JSON.stringify([customerId, userId]);
}
