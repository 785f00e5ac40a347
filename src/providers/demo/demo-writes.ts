/**
 * The demo tenant's two writes, a user's license change and a user's removal, made in memory and
 * (with a journal) recorded before they are reported. Seats a change frees are handed back only
 * once it is recorded, so an undone change can never leave more seats in use than exist.
 */
import type { UserChange } from '../../licensing/model.js';
import { LicenseProviderError } from '../license-provider.js';
import { checkUserChange } from './change-check.js';
import { ChangeRecorder, type DemoJournal, userKey } from './change-recorder.js';
import { copyLicenses, type DemoCustomer } from './demo-customer.js';
import { userNotFound } from './demo-errors.js';

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
    const user = customer.index.byId(userId);
    if (user === undefined) throw userNotFound(userId);
    const previous = customer.holdings(userId);
    const verdict = checkUserChange(
      {
        user,
        holdings: previous ?? [],
        products: customer.products,
        groups: customer.groups,
        available: (skuId) => customer.available(skuId),
      },
      change,
    );
    if (!verdict.ok) {
      const { reason, message, skuId } = verdict.refusal;
      throw new LicenseProviderError(reason, message, { skuId });
    }
    customer.setHoldings(userId, verdict.holdings);
    const freed = this.#takeSeats(customer, verdict.seatDeltas);

    if (this.#recorder !== undefined) {
      const named = new Set([...change.assign.map((part) => part.skuId), ...change.revoke]);
      const event = {
        type: 'change' as const,
        customerId: customer.id,
        userId,
        change,
        before: copyLicenses(previous?.filter((license) => named.has(license.skuId))),
        holdings: copyLicenses(verdict.holdings),
      };
      await this.#recorder.save(userKey(customer.id, userId), event, () => {
        customer.restoreHoldings(userId, previous);
        for (const [skuId, delta] of verdict.seatDeltas) if (delta > 0) customer.addSeats(skuId, -delta);
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
