/**
 * The demo tenant's two writes, a user's license change and a user's removal, made in memory and
 * (with a journal) recorded before they are reported. Seats a change frees are handed back only
 * once it is recorded, so an undone change can never leave more seats in use than exist.
 */
import type { UserChange } from '../../licensing/model.js';
import { decideUserChange } from './change-decision.js';
import { ChangeRecorder, type DemoJournal, userKey } from './change-recorder.js';
import type { DemoCustomer } from './demo-customer.js';

export class DemoWrites {
  readonly #recorder: ChangeRecorder | undefined;
  readonly #onChange: (() => void) | undefined;
  readonly #counts: { appliedChanges: number };

  constructor(
    journal: DemoJournal | undefined,
    onChange: (() => void) | undefined,
    counts: { appliedChanges: number },
  ) {
    this.#recorder = journal === undefined ? undefined : new ChangeRecorder(journal);
    this.#onChange = onChange;
    this.#counts = counts;
  }

  /** What a change of this user must wait for before it is checked (undefined: nothing). */
  waitBeforeChange(customerId: string, userId: string): Promise<void> | undefined {
    return this.#recorder?.waitBeforeChange(userKey(customerId, userId));
  }

  /** Checks the change as Graph would, applies it, and resolves once it is recorded. */
  async apply(customer: DemoCustomer, userId: string, change: UserChange): Promise<void> {
    for (
      let wait = this.waitBeforeChange(customer.id, userId);
      wait !== undefined;
      wait = this.waitBeforeChange(customer.id, userId)
    ) {
      await wait;
    }

    // From here to the write nothing awaits, so concurrent calls see each other's seats.
    const { previous, holdings, seatDeltas, event } = decideUserChange(customer, userId, change);
    customer.setHoldings(userId, holdings);
    const freed = this.#takeSeats(customer, seatDeltas);

    if (this.#recorder !== undefined) {
      await this.#recorder.save(userKey(customer.id, userId), event, () => {
        customer.restoreHoldings(userId, previous);
        for (const [skuId, delta] of seatDeltas) if (delta > 0) customer.addSeats(skuId, -delta);
      });
    }
    for (const [skuId, delta] of freed) customer.addSeats(skuId, delta);
    this.#counts.appliedChanges += 1;
    this.#onChange?.();
  }

  /** Removes a user the caller found in the directory, with no change of theirs unrecorded. */
  async remove(customer: DemoCustomer, userId: string): Promise<void> {
    const users = customer.data.users;
    const at = users.findIndex((user) => user.id === userId);
    const [user] = users.splice(at, 1);
    const held = customer.holdings(userId);
    customer.restoreHoldings(userId, undefined);
    customer.forgetIndex();
    const freed = new Map((held ?? []).map((license) => [license.skuId, -1]));
    if (this.#recorder !== undefined && user !== undefined) {
      const event = { type: 'remove_user' as const, customerId: customer.id, userId };
      await this.#recorder.save(userKey(customer.id, userId), event, () => {
        users.splice(Math.min(at, users.length), 0, user);
        customer.restoreHoldings(userId, held);
        customer.forgetIndex();
      });
    }
    for (const [skuId, delta] of freed) customer.addSeats(skuId, delta);
    this.#onChange?.();
  }

  /** Takes the seats a change needs now; with a journal, the seats it frees are returned to hand back later. */
  #takeSeats(customer: DemoCustomer, deltas: ReadonlyMap<string, number>): Map<string, number> {
    const freed = new Map<string, number>();
    for (const [skuId, delta] of deltas) {
      if (delta < 0 && this.#recorder !== undefined) freed.set(skuId, delta);
      else customer.addSeats(skuId, delta);
    }
    return freed;
  }
}
