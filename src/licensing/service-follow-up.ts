/**
 * Follow-up requests (a retry of an earlier request's failed parts; an undo): their parts are
 * derived from the stored requests (follow-up.ts), planned against the tenant as it is now, and
 * submitted through Submissions like any change (approval rule and window, audit, break-glass).
 * Nothing of what is sent comes from a view: a submission names the earlier request, no more.
 * One follow-up of a request at a time: another is refused while one waits or runs.
 */

import type { LicenseProvider } from '../providers/license-provider.js';
import type { Store } from '../store/store.js';
import { doneBy, retryParts, UNFINISHED } from './follow-up.js';
import type { ChangeRequest, FollowUpKind, FollowUpOf, RequestHeader, RequestStatus } from './model.js';
import type { UserParts } from './plan.js';
import type { ApprovalWindow } from './service-approval-window.js';
import { type PlannedChange, planChange } from './service-plan.js';
import type { Submissions } from './service-submit.js';
import { MANY, type PrepareResult, type SubmitDetails, type SubmitResult } from './service-types.js';
import { undoableUntil, undoParts } from './undo.js';

/** What a follow-up's parts are derived from. */
export interface FollowUpSource {
  /** The request it is made from. */
  original: ChangeRequest;
  /** Its completed follow-ups of the same kind, oldest first, with their results. */
  earlier: readonly ChangeRequest[];
  store: Store;
}

/** Derives the parts a follow-up of one kind sends; [] when there is nothing to send. */
export type FollowUpParts = (source: FollowUpSource) => Promise<UserParts[]>;

/** The kinds offered, each with how its parts are derived. */
const PARTS: { readonly [K in FollowUpKind]?: FollowUpParts } = {
  retry: async ({ original, earlier }) => retryParts(original, doneBy(earlier)),
  // Undone once is undone: a later undo would find every product changed since (its undo redoes it).
  undo: async ({ original, earlier, store }) =>
    earlier.length > 0 ? [] : undoParts(original, await store.getPriorState(original.id)).parts,
};

/** Why no follow-up of a request can be made now. */
export type FollowUpRefusal =
  | { why: 'not_found' }
  /** It has not finished running (or never ran); its follow-up waits until it has. */
  | { why: 'not_finished'; status: RequestStatus }
  /** Another follow-up of it waits for approval or runs. */
  | { why: 'in_progress'; pending: RequestHeader }
  /** Nothing is left to send (nothing failed for a reason a retry gets past, or it is done since). */
  | { why: 'nothing_left' }
  /** An undo asked for after the window (UNDO_DAYS after the request finished) closed at `until`. */
  | { why: 'too_late'; until: string };

export type FollowUpPreparation =
  | {
      ok: true;
      original: ChangeRequest;
      parts: UserParts[];
      /** The parts planned against the tenant now (the plan refuses `empty` when every part is done by now). */
      planned: PlannedChange;
      /** With a valid plan: its counts and whether it needs approval, as a submission now would. */
      prepared: PrepareResult;
    }
  | { ok: false; refused: FollowUpRefusal };

export type FollowUpSubmitResult = SubmitResult | { ok: false; refused: FollowUpRefusal };

/** A follow-up as submitted from its draft: who, why, where it reports, the original's summary link. */
export type FollowUpSubmit = Omit<SubmitDetails, 'followUpOf' | 'draftId'> & { summaryLink?: string };

export interface FollowUpsOptions {
  provider: LicenseProvider;
  store: Store;
  window: ApprovalWindow;
  submissions: Submissions;
  /** Days after a request finished during which it can be undone (UNDO_DAYS). */
  undoDays: number;
  now: () => Date;
}

export class FollowUps {
  constructor(private readonly options: FollowUpsOptions) {}

  /** What a follow-up of `requestId` would send now, planned, and whether it would need approval. */
  async prepare(kind: FollowUpKind, requestId: string, requestedBy: string): Promise<FollowUpPreparation> {
    const derived = await this.#derive(kind, requestId);
    if (!derived.ok) return derived;
    const { original, parts } = derived;
    const planned = await planChange(this.options.provider, { customerId: original.customerId, parts });
    if (!planned.plan.ok) return { ok: true, original, parts, planned, prepared: planned.plan };
    const { assignments, revocations, noops, planRemovals, planChanges } = planned.plan;
    const basis = await this.options.window.basis(requestedBy, original.customerId, {
      revocations,
      planRemovals,
    });
    const needsApproval = basis.needsApproval;
    const prepared = {
      ok: true as const,
      assignments,
      planChanges,
      revocations,
      noops,
      needsApproval,
      basis,
    };
    return { ok: true, original, parts, planned, prepared };
  }

  /**
   * Submits the follow-up `followUp` names (the draft's), derived again from the store now, once
   * per request at a time: while one follow-up of it is being submitted, waits or runs, another
   * is refused.
   */
  submit(followUp: Omit<FollowUpOf, 'summaryLink'>, draftId: string, details: FollowUpSubmit) {
    return this.options.store.exclusive(
      `follow-up|${followUp.requestId}`,
      async (): Promise<FollowUpSubmitResult> => {
        const derived = await this.#derive(followUp.kind, followUp.requestId);
        if (!derived.ok) return derived;
        const { summaryLink, ...submit } = details;
        return this.options.submissions.submitParts({
          ...submit,
          customerId: derived.original.customerId,
          parts: derived.parts,
          draftId,
          followUpOf: { ...followUp, ...(summaryLink === undefined ? {} : { summaryLink }) },
        });
      },
    );
  }

  async #derive(
    kind: FollowUpKind,
    requestId: string,
  ): Promise<
    { ok: true; original: ChangeRequest; parts: UserParts[] } | { ok: false; refused: FollowUpRefusal }
  > {
    const { store } = this.options;
    const partsOf = PARTS[kind];
    const original = await store.getRequest(requestId);
    if (original === null || partsOf === undefined) return { ok: false, refused: { why: 'not_found' } };
    if (original.status !== 'completed') {
      return { ok: false, refused: { why: 'not_finished', status: original.status } };
    }
    const until = kind === 'undo' ? undoableUntil(original, this.options.undoDays) : null;
    if (until !== null && until.getTime() <= this.options.now().getTime()) {
      return { ok: false, refused: { why: 'too_late', until: until.toISOString() } };
    }
    const followUps = await this.#followUpsOf(original);
    const pending = followUps.find((header) => UNFINISHED.includes(header.status));
    if (pending !== undefined) return { ok: false, refused: { why: 'in_progress', pending } };
    const sameKind = followUps
      .filter((h) => h.status === 'completed' && h.followUpOf?.kind === kind)
      .reverse();
    const earlier = (await Promise.all(sameKind.map((h) => store.getRequest(h.id)))).filter(
      (request): request is ChangeRequest => request !== null,
    );
    const parts = await partsOf({ original, earlier, store });
    if (parts.length === 0) return { ok: false, refused: { why: 'nothing_left' } };
    return { ok: true, original, parts };
  }

  /** The follow-ups made of `original`, most recent first (made after it, on its customer). */
  async #followUpsOf(original: ChangeRequest): Promise<RequestHeader[]> {
    const headers = await this.options.store.listRequestHeaders({
      customerId: original.customerId,
      createdSince: original.createdAt,
      limit: MANY,
    });
    return headers.filter((header) => header.followUpOf?.requestId === original.id);
  }
}
