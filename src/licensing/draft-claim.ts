/**
 * The draft claim rule of a submission: the draft is claimed (taken from the store) only once the
 * change is valid, so a refused submission leaves it for the operator to fix, and given back when
 * the submit fails; a second delivery of the same submission finds it gone and is answered with
 * the request the first one saved.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Draft, Store } from '../store/store.js';
import type { ChangeRequest } from './model.js';
import type { SubmitInput, SubmitResult } from './service-types.js';

/** Another delivery of the same submission claimed the draft first. */
export interface ClaimedElsewhere {
  ok: false;
  claimedElsewhere: true;
  /** The request that delivery saved; null when none was saved in time (or it was refused). */
  earlier: ChangeRequest | null;
}

/** Submitting a draft: the service's answer, or: another delivery claimed the draft first. */
export type DraftSubmitResult = SubmitResult | ClaimedElsewhere;

/** How long a second delivery waits for the first one's request to be saved. */
const REPEAT_WAIT_MS = 2_000;
const REPEAT_POLL_MS = 100;

export class DraftClaims {
  readonly #store: Store;
  readonly #submit: (input: SubmitInput) => Promise<SubmitResult>;

  constructor(store: Store, submit: (input: SubmitInput) => Promise<SubmitResult>) {
    this.#store = store;
    this.#submit = submit;
  }

  /** Claims draft `draftId` of `userId` and submits the change `changeOf` reads from it. */
  async submit(
    draftId: string,
    userId: string,
    changeOf: (draft: Draft) => Omit<SubmitInput, 'draftId'>,
  ): Promise<DraftSubmitResult> {
    return this.claim(draftId, userId, (claimed) =>
      this.#submit({ ...changeOf(claimed), draftId: claimed.id }),
    );
  }

  /**
   * Claims draft `draftId` of `userId` and runs `submit` with it (which saves the request with the
   * draft's id); the draft is given back when `submit` refuses (not ok) or fails.
   */
  async claim<R extends { ok: boolean }>(
    draftId: string,
    userId: string,
    submit: (draft: Draft) => Promise<R>,
  ): Promise<R | ClaimedElsewhere> {
    const claimed = await this.#store.takeDraft(draftId, userId);
    if (claimed === null) {
      return { ok: false, claimedElsewhere: true, earlier: await this.#earlier(draftId, userId) };
    }
    let submitted: R;
    try {
      submitted = await submit(claimed);
    } catch (error) {
      await this.#store.restoreDraft(claimed);
      throw error;
    }
    if (!submitted.ok) await this.#store.restoreDraft(claimed);
    return submitted;
  }

  /**
   * The request submitted from `draftId` by `userId`, once it is on disk: the first delivery may
   * still be saving it (and may yet be refused), so the store is flushed and asked again before
   * anyone is told it was sent.
   */
  async submittedFrom(draftId: string, userId: string): Promise<ChangeRequest | null> {
    if ((await this.#store.findRequestByDraft(draftId)) === null) return null;
    const flushed = await this.#store.flush().then(
      () => true,
      () => false,
    );
    const request = flushed ? await this.#store.findRequestByDraft(draftId) : null;
    return request?.requestedBy === userId ? request : null;
  }

  /** The request an earlier delivery of this submission saved, waiting briefly while it is being saved. */
  async #earlier(draftId: string, userId: string): Promise<ChangeRequest | null> {
    const deadline = Date.now() + REPEAT_WAIT_MS;
    for (;;) {
      const request = await this.submittedFrom(draftId, userId);
      if (request !== null || Date.now() >= deadline) return request;
      await sleep(REPEAT_POLL_MS);
    }
  }
}
