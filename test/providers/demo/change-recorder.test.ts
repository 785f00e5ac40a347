import { describe, expect, it } from 'vitest';
import { ChangeRecorder, type DemoJournal, userKey } from '../../../src/providers/demo/change-recorder.js';
import type { DemoChangeEvent } from '../../../src/providers/demo/demo-change-log.js';

const removal = (userId: string): DemoChangeEvent => ({ type: 'remove_user', customerId: 'c', userId });

/** A journal whose records the test settles one by one. */
function manualJournal() {
  const records: Array<{ event: DemoChangeEvent; settle: (error?: Error) => void }> = [];
  let gate: Promise<void> | undefined;
  const journal: DemoJournal = {
    gate: () => gate,
    record: (event) =>
      new Promise<void>((resolve, reject) => {
        records.push({ event, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
  };
  return { journal, records, hold: (until: Promise<void> | undefined) => (gate = until) };
}

/** Saves the removal of u1 through a manual journal; `undone()` tells whether it was undone. */
function saveOneRemoval() {
  const { journal, records } = manualJournal();
  let undone = false;
  const saving = new ChangeRecorder(journal).save(userKey('c', 'u1'), removal('u1'), () => {
    undone = true;
  });
  return { records, saving, undone: () => undone };
}

describe('ChangeRecorder', () => {
  it('resolves once the journal has the change, and leaves it made', async () => {
    const { records, saving, undone } = saveOneRemoval();
    expect(records.map((record) => record.event)).toEqual([removal('u1')]);
    records[0]?.settle();
    await saving;
    expect(undone()).toBe(false);
  });

  it('undoes the change and refuses it as transient when the journal cannot take it', async () => {
    const { records, saving, undone } = saveOneRemoval();
    const cause = new Error('ENOSPC');
    records[0]?.settle(cause);
    await expect(saving).rejects.toMatchObject({
      reason: 'provider_error',
      transient: true,
      message: 'The demo tenant could not save the change; nothing was changed.',
      cause,
    });
    expect(undone()).toBe(true);
  });

  it("makes a user's next change wait for their unsaved one, and nobody else's", async () => {
    const { journal, records } = manualJournal();
    const recorder = new ChangeRecorder(journal);
    const mine = userKey('c', 'u1');
    const saving = recorder.save(mine, removal('u1'), () => {});
    const wait = recorder.waitBeforeChange(mine);
    expect(wait).toBeInstanceOf(Promise);
    expect(recorder.waitBeforeChange(userKey('c', 'u2'))).toBeUndefined();
    records[0]?.settle(new Error('EROFS'));
    await expect(saving).rejects.toThrow();
    await expect(wait).resolves.toBeUndefined();
    expect(recorder.waitBeforeChange(mine)).toBeUndefined();
  });

  it("asks the journal's gate first", () => {
    const { journal, hold } = manualJournal();
    const recorder = new ChangeRecorder(journal);
    const copying = new Promise<void>(() => {});
    hold(copying);
    expect(recorder.waitBeforeChange(userKey('c', 'u1'))).toBe(copying);
  });
});
