/**
 * Drafts of open modals, in the main file. Their changes are coalesced (a draft lost to a crash
 * costs a person a modal, not a fact), and each one extends the draft's life: `ttlMs`, or
 * `firstStepTtlMs` while no customer is chosen, i.e. for a modal that never went past its first
 * step. An expired draft is not served; it stays until retention moves it to the archive.
 */
import { newId } from '../licensing/ids.js';
import type { StoreLogger } from './store-health.js';
import { Draft, type NewDraft } from './store-schema.js';
import { checkedValue } from './value-check.js';

export interface DraftsOptions {
  now: () => Date;
  logger: StoreLogger;
  ttlMs: number;
  firstStepTtlMs: number;
  /** Called after every change, to schedule the main file's write. */
  changed: () => void;
}

export class Drafts {
  readonly #drafts = new Map<string, Draft>();
  constructor(private readonly options: DraftsOptions) {}

  values(): IterableIterator<Draft> {
    return this.#drafts.values();
  }

  /** Replaces every draft with those read at open. */
  load(drafts: readonly Draft[]): void {
    this.#drafts.clear();
    for (const draft of drafts) this.#drafts.set(draft.id, draft);
  }

  create(draft: NewDraft): Draft {
    const now = this.options.now();
    const fields = { ...draft, id: newId('drf'), createdAt: now.toISOString(), expiresAt: now.toISOString() };
    return this.#keep(checkedValue(Draft, fields, 'createDraft', this.options.logger), now);
  }

  get(id: string): Draft | null {
    const draft = this.#live(id);
    return draft ? structuredClone(draft) : null;
  }

  update(id: string, change: (draft: Draft) => Draft): Draft | null {
    const current = this.#live(id);
    if (!current) return null;
    const changed = change(structuredClone(current));
    // The id, owner and creation time are not the caller's to change; use extends the life.
    const fields = { ...changed, id: current.id, ownerId: current.ownerId, createdAt: current.createdAt };
    return this.#keep(checkedValue(Draft, fields, 'updateDraft', this.options.logger), this.options.now());
  }

  /** In memory only: the request saved next (durable) carries the removal to disk. */
  take(id: string, ownerId: string): Draft | null {
    // No await between the read and the delete: a concurrent call finds the draft gone.
    const draft = this.#live(id);
    if (!draft || draft.ownerId !== ownerId) return null;
    this.#drafts.delete(id);
    return structuredClone(draft);
  }

  restore(draft: Draft): Draft {
    return this.#keep(checkedValue(Draft, draft, 'restoreDraft', this.options.logger), this.options.now());
  }

  /** Forgets the archived drafts that are still exactly as archived; returns how many went. */
  forgetArchived(archived: readonly Draft[]): number {
    let forgotten = 0;
    for (const draft of archived) {
      if (this.#drafts.get(draft.id) !== draft) continue;
      this.#drafts.delete(draft.id);
      forgotten++;
    }
    return forgotten;
  }

  /** Stores `draft` with its life extended from `now`, and returns a copy. */
  #keep(draft: Draft, now: Date): Draft {
    const ttl = draft.customerId === null ? this.options.firstStepTtlMs : this.options.ttlMs;
    const kept = { ...draft, expiresAt: new Date(now.getTime() + ttl).toISOString() };
    this.#drafts.set(kept.id, kept);
    this.options.changed();
    return structuredClone(kept);
  }

  #live(id: string): Draft | null {
    const draft = this.#drafts.get(id);
    if (!draft || Date.parse(draft.expiresAt) <= this.options.now().getTime()) return null;
    return draft;
  }
}
