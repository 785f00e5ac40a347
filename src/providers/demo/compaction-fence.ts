/**
 * Keeps the demo tenant's snapshot free of changes the log does not hold: compaction copies the
 * tenant only while new changes are held back and every change already in memory is recorded,
 * so an undone change never reaches the snapshot.
 */
export class CompactionFence {
  /** Changes in memory whose record is not on disk yet. */
  #recording = 0;
  #onRecorded: Array<() => void> = [];
  /** Set while compaction copies the tenant: changes wait for it before they are made. */
  #hold: Promise<void> | undefined;

  /** What a change must wait for before it is made (the journal's gate); undefined: nothing. */
  gate(): Promise<void> | undefined {
    return this.#hold;
  }

  /** Counts a change as being recorded until `record()` settles. */
  recording(record: () => Promise<void>): Promise<void> {
    this.#recording += 1;
    return record().finally(() => {
      this.#recording -= 1;
      if (this.#recording === 0) for (const wake of this.#onRecorded.splice(0)) wake();
    });
  }

  /** Holds new changes, waits until every change in memory is recorded, then runs `copy`. */
  async whileHeld(copy: () => Promise<void>): Promise<void> {
    let release = () => {};
    this.#hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await this.#whenRecorded();
      await copy();
    } finally {
      this.#hold = undefined;
      release();
    }
  }

  #whenRecorded(): Promise<void> {
    if (this.#recording === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onRecorded.push(resolve));
  }
}
